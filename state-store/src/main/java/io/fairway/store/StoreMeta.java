package io.fairway.store;

/**
 * The meta row of a store: where it stands in the log and what proves its content.
 *
 * @param schemaVersion the store layout version ({@link StateStore#SCHEMA_VERSION} when written by this build)
 * @param nextOffset    the offset of the next event to apply: every event before it is in the store
 * @param leaderEpoch   the state's leader epoch at that offset
 * @param hash          {@code ClusterState.hash()} at {@link #hashOffset}, empty when none was stored
 * @param hashOffset    the offset the hash belongs to; the hash proves the content only when it equals nextOffset
 * @param schedulerName the scheduler name the state was built for
 */
public record StoreMeta(int schemaVersion, long nextOffset, long leaderEpoch, String hash, long hashOffset,
                        String schedulerName) {
    public boolean hashIsCurrent() {
        return !hash.isEmpty() && hashOffset == nextOffset;
    }
}
