package io.fairway.core.simulation;

/** A scenario file that cannot be run, with the line to fix. */
public final class ScenarioException extends RuntimeException {
    private final int line;

    public ScenarioException(String message, int line) {
        super(line > 0 ? "line " + line + ": " + message : message);
        this.line = line;
    }

    public int line() {
        return line;
    }
}
