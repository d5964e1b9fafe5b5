package io.fairway.store;

import io.fairway.core.state.ClusterState;
import io.fairway.log.StatePublisher;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * How a {@link StateFollower} recovers and persists.
 *
 * @param schedulerName   the scheduler the state is for; a store built for another name is rebuilt
 * @param batchEvents     events applied between two writes to the store; a crash loses at most these (they are
 *                        replayed from the log at the next start)
 * @param catchUpBatchEvents events applied between two writes while catching up with the log (recovery, a
 *                        follower far behind): larger than {@code batchEvents}, since a pod observed, allocated,
 *                        bound and deleted within one batch costs one row delete instead of four row writes, and a
 *                        crash then only repeats replay work that the log still holds
 * @param maxPersistDelay while following, the longest an applied event waits to be written when events keep coming
 * @param store           how the store writes
 * @param snapshots       when snapshots are taken and how many are kept
 * @param nanoClock       monotonic time in nanoseconds, for the time-based policies (tests pass a fake)
 * @param publishers      told of every event applied (a console's tail, an explain index…), in this order; more may
 *                        subscribe to the follower itself
 * @param onPersist       called after every write to the store, with the store's meta row; may be null
 * @param peers           where to fetch a snapshot when neither the store nor a local snapshot can be used; null: nowhere
 */
public record FollowerOptions(String schedulerName, int batchEvents, int catchUpBatchEvents, Duration maxPersistDelay, StoreOptions store,
                              SnapshotPolicy snapshots, LongSupplier nanoClock,
                              List<StatePublisher> publishers, PersistListener onPersist, SnapshotSource peers) {
    /** What a follower wrote: the store is at {@code nextOffset}, with {@code state}. */
    public interface PersistListener {
        void persisted(long nextOffset, ClusterState state, StoreMeta meta);
    }

    /** 1000 events per write: at ~2 µs a row that is a few milliseconds of writing per batch. */
    public static final int DEFAULT_BATCH_EVENTS = 1000;

    public FollowerOptions {
        Objects.requireNonNull(schedulerName, "schedulerName");
        if (batchEvents < 1) {
            throw new IllegalArgumentException("batchEvents must be at least 1, not " + batchEvents);
        }
        if (catchUpBatchEvents < 1) {
            throw new IllegalArgumentException("catchUpBatchEvents must be at least 1, not " + catchUpBatchEvents);
        }
        if (maxPersistDelay == null || maxPersistDelay.isNegative()) {
            throw new IllegalArgumentException("maxPersistDelay must be zero or positive, not " + maxPersistDelay);
        }
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(snapshots, "snapshots");
        Objects.requireNonNull(nanoClock, "nanoClock");
        publishers = List.copyOf(publishers);
    }

    /**
     * 200,000 events per write while catching up: most pods of a busy cluster are then created and deleted within one
     * batch, their story written once; a replay measured 8% less CPU than with 50,000 (RocksDB compacting a quarter
     * as much), holding some tens of MB of pending rows.
     */
    public static final int DEFAULT_CATCH_UP_BATCH_EVENTS = 200_000;

    public static FollowerOptions defaults() {
        return new FollowerOptions(ClusterState.DEFAULT_SCHEDULER_NAME, DEFAULT_BATCH_EVENTS,
                DEFAULT_CATCH_UP_BATCH_EVENTS, Duration.ofSeconds(1),
                StoreOptions.defaults(), SnapshotPolicy.defaults(), System::nanoTime, List.of(), null, null);
    }

    public FollowerOptions withSchedulerName(String v) {
        return new FollowerOptions(v, batchEvents, catchUpBatchEvents, maxPersistDelay, store, snapshots, nanoClock, publishers, onPersist, peers);
    }

    public FollowerOptions withBatchEvents(int v) {
        return new FollowerOptions(schedulerName, v, catchUpBatchEvents, maxPersistDelay, store, snapshots, nanoClock, publishers, onPersist, peers);
    }

    public FollowerOptions withCatchUpBatchEvents(int v) {
        return new FollowerOptions(schedulerName, batchEvents, v, maxPersistDelay, store, snapshots, nanoClock, publishers, onPersist, peers);
    }

    public FollowerOptions withMaxPersistDelay(Duration v) {
        return new FollowerOptions(schedulerName, batchEvents, catchUpBatchEvents, v, store, snapshots, nanoClock, publishers, onPersist, peers);
    }

    public FollowerOptions withStore(StoreOptions v) {
        return new FollowerOptions(schedulerName, batchEvents, catchUpBatchEvents, maxPersistDelay, v, snapshots, nanoClock, publishers, onPersist, peers);
    }

    public FollowerOptions withSnapshots(SnapshotPolicy v) {
        return new FollowerOptions(schedulerName, batchEvents, catchUpBatchEvents, maxPersistDelay, store, v, nanoClock, publishers, onPersist, peers);
    }

    public FollowerOptions withNanoClock(LongSupplier v) {
        return new FollowerOptions(schedulerName, batchEvents, catchUpBatchEvents, maxPersistDelay, store, snapshots, v, publishers, onPersist, peers);
    }

    /** These options with {@code p} told after the publishers already given. */
    public FollowerOptions withPublisher(StatePublisher p) {
        List<StatePublisher> v = new ArrayList<>(publishers);
        v.add(Objects.requireNonNull(p, "publisher"));
        return new FollowerOptions(schedulerName, batchEvents, catchUpBatchEvents, maxPersistDelay, store, snapshots,
                nanoClock, v, onPersist, peers);
    }

    public FollowerOptions withOnPersist(PersistListener v) {
        return new FollowerOptions(schedulerName, batchEvents, catchUpBatchEvents, maxPersistDelay, store, snapshots,
                nanoClock, publishers, v, peers);
    }

    public FollowerOptions withPeers(SnapshotSource v) {
        return new FollowerOptions(schedulerName, batchEvents, catchUpBatchEvents, maxPersistDelay, store, snapshots,
                nanoClock, publishers, onPersist, v);
    }
}
