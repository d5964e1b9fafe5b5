package io.fairway.core.config;

/**
 * One thing wrong with a queue config: where (a queue's full name or a YAML path, with the line when known)
 * and what, with the bad value and what to do.
 */
public record ConfigProblem(String where, int line, String message) {
    @Override
    public String toString() {
        return (line > 0 ? "line " + line + ": " : "") + where + ": " + message;
    }
}
