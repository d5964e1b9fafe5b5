package io.fairway.core.yaml;

/** A YAML document that cannot be read, with the line it failed on (1-based, 0 when unknown). */
public final class YamlException extends RuntimeException {
    private final int line;

    public YamlException(String message, int line) {
        super(line > 0 ? "line " + line + ": " + message : message);
        this.line = line;
    }

    public int line() {
        return line;
    }
}
