package io.fairway.store;

/**
 * The store's files are damaged or disagree with themselves: RocksDB refuses to open or read them, a row does not
 * decode, or the stored state hash is not the hash of the restored state. The store cannot be trusted; recovery
 * moves it aside and rebuilds it from the newest snapshot plus the log.
 */
public class StoreCorruptException extends StoreException {
    public StoreCorruptException(String message, Throwable cause) {
        super(message, cause);
    }

    public StoreCorruptException(String message) {
        super(message);
    }
}
