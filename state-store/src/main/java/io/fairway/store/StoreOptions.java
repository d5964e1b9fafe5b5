package io.fairway.store;

/**
 * How a {@link StateStore} writes. The write-ahead log is always on: a write that returned survives a crash of the
 * process; with {@code sync} it also survives a crash of the machine, at the price of an fsync per write.
 *
 * @param sync      fsync the write-ahead log on every write (RocksDB {@code WriteOptions.sync})
 * @param hashEvery store the state hash with every n-th write (1: every write). The hash lets {@link StateStore#load}
 *                  prove that what it restored is what was written, but costs a pass over the whole state; with
 *                  n &gt; 1 a store whose last write carried no hash loads unverified. {@link StateStore#writeHash}
 *                  adds it on demand (before a snapshot and on close).
 */
public record StoreOptions(boolean sync, int hashEvery) {
    public StoreOptions {
        if (hashEvery < 1) {
            throw new IllegalArgumentException("hashEvery must be 1 or more (1 hashes every write), not " + hashEvery);
        }
    }

    /**
     * The hash is stored every {@value #DEFAULT_HASH_EVERY} writes: it costs a pass over the whole state (measured
     * ~12 ms with 8,000 pod tombstones, which dominate it; the state keeps up to 65,536), against ~1 ms to write a
     * batch of 1000 events.
     */
    public static final int DEFAULT_HASH_EVERY = 100;

    /** Asynchronous WAL writes (safe against a process crash), a hash every {@value #DEFAULT_HASH_EVERY} writes. */
    public static StoreOptions defaults() {
        return new StoreOptions(false, DEFAULT_HASH_EVERY);
    }

    public StoreOptions withSync(boolean newSync) {
        return new StoreOptions(newSync, hashEvery);
    }

    public StoreOptions withHashEvery(int newHashEvery) {
        return new StoreOptions(sync, newHashEvery);
    }
}
