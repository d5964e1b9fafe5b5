package io.fairway.store;

/**
 * The state store cannot do what was asked. The message names the store directory, the value that is wrong and
 * what to do about it. Recovery ({@link StateFollower#recover}) turns the two subclasses into a rebuild.
 */
public class StoreException extends RuntimeException {
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }

    public StoreException(String message) {
        super(message);
    }
}
