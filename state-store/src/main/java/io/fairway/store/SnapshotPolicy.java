package io.fairway.store;

import java.time.Duration;

/**
 * When a follower takes a snapshot (a RocksDB checkpoint of its store) and how many it keeps. A snapshot is taken after
 * a persist once {@code everyEvents} offsets have gone by since the newest one, or {@code every} has passed with at
 * least one new event, whichever comes first.
 *
 * @param everyEvents offsets between snapshots; 0 turns the count off
 * @param every       time between snapshots; null or zero turns the clock off
 * @param keep        how many snapshots to keep, newest first; 0 takes none
 */
public record SnapshotPolicy(long everyEvents, Duration every, int keep) {
    public SnapshotPolicy {
        if (everyEvents < 0) {
            throw new IllegalArgumentException("snapshot everyEvents must be 0 (off) or more, not " + everyEvents);
        }
        if (every != null && every.isNegative()) {
            throw new IllegalArgumentException("snapshot interval must be zero (off) or positive, not " + every);
        }
        if (keep < 0) {
            throw new IllegalArgumentException("snapshots to keep must be 0 (none) or more, not " + keep);
        }
        if (every != null && every.isZero()) {
            every = null;
        }
    }

    /** Every 100,000 events or 10 minutes, 3 kept: a rebuild replays at most a few seconds of log. */
    public static SnapshotPolicy defaults() {
        return new SnapshotPolicy(100_000, Duration.ofMinutes(10), 3);
    }

    /** No snapshots: a damaged store is rebuilt from the whole log. */
    public static SnapshotPolicy none() {
        return new SnapshotPolicy(0, null, 0);
    }

    public boolean enabled() {
        return keep > 0 && (everyEvents > 0 || every != null);
    }
}
