package io.fairway.store;

/**
 * The store is sound but was written for something else: another store schema version, another scheduler name,
 * or a log that is shorter than the offset it holds (the topic was replaced). Recovery rebuilds it.
 */
public class StoreIncompatibleException extends StoreException {
    public StoreIncompatibleException(String message) {
        super(message);
    }
}
