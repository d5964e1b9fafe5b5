package io.fairway.store;

/**
 * How a follower got its state at start.
 *
 * @param source      where the state came from before the log's tail was replayed
 * @param reason      why the store was not used as it was (missing, corrupt, incompatible…); empty when it was
 * @param startOffset the offset the replay started from: the store's, the snapshot's (local or a peer's), or 0
 * @param nextOffset  the offset of the next event to apply once caught up
 * @param events      events replayed from the log
 * @param seconds     the whole recovery, opening and rebuilding included
 * @param loadSeconds of which opening the store (or a snapshot) and loading its state, its hash checked
 * @param catchUpSeconds of which replaying the log's tail onto it and writing that to the store
 */
public record Recovery(Source source, String reason, long startOffset, long nextOffset, long events, double seconds,
                       double loadSeconds, double catchUpSeconds) {
    public enum Source {
        /** The store, as it was on disk. */
        STORE,
        /** The newest usable snapshot, copied over a missing or damaged store. */
        SNAPSHOT,
        /** A snapshot fetched from another replica ({@link SnapshotSource}), there being no usable one here. */
        PEER,
        /** An empty state: no usable store and no usable snapshot; the whole log was replayed. */
        SCRATCH
    }
}
