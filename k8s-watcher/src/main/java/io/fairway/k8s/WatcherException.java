package io.fairway.k8s;

/** The watcher cannot do its work against the API server; the message says what and what to check. */
public final class WatcherException extends RuntimeException {
    public WatcherException(String message, Throwable cause) {
        super(message, cause);
    }
}
