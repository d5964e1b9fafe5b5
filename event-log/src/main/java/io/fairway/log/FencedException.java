package io.fairway.log;

/** Another writer took over the decision stream (a newer leader): this one must stop deciding at once. */
public final class FencedException extends RuntimeException {
    public FencedException(String message, Throwable cause) {
        super(message, cause);
    }
}
