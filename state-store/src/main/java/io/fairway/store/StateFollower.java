package io.fairway.store;

import io.fairway.core.events.Event;
import io.fairway.core.state.ApplyResult;
import io.fairway.core.state.ClusterState;
import io.fairway.log.EventLog;
import io.fairway.log.LoggedEvent;
import io.fairway.log.Replay;
import io.fairway.log.StatePublisher;
import io.fairway.log.PodStory;
import io.fairway.log.StoryBook;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A replica's state: recovered from its store (or rebuilt), caught up with the log, then kept following it, with every
 * batch of applied events written to the store together with the offset it reached.
 *
 * <p>Layout of the data directory: {@code store/} is the RocksDB store, {@code snapshots/} its checkpoints,
 * {@code store.corrupt/} the last store found damaged (kept for inspection, replaced by the next one).
 *
 * <p>Not thread-safe: one thread recovers, polls and closes.
 */
public final class StateFollower implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StateFollower.class);

    public static final String STORE_DIR = "store";
    public static final String SNAPSHOTS_DIR = "snapshots";
    public static final String CORRUPT_DIR = "store.corrupt";

    private final Path dataDir;
    private final EventLog log;
    private final FollowerOptions options;
    /** The options' publishers, then those that subscribed; told in this order. */
    private final List<StatePublisher> publishers;
    private final ClusterState state;
    /** Every pod's story, written with the state so that {@code explain} reads it instead of replaying the log. */
    private final StoryBook stories;
    private final Snapshots snapshots;
    private StateStore store;
    private long nextOffset;
    private Recovery recovery;
    /** Events since the last write, for the store to find what they touched. */
    private int pendingCount;
    private long lastPersistNanos;
    /**
     * Time this thread spent writing to the store, in all: what persisting costs of a replay (benchmarks report it).
     * While catching up, the writer thread encodes and writes; then this counts collecting the rows and waiting for
     * the writer.
     */
    private long persistingNanos;
    private long lastSnapshotOffset;
    private long lastSnapshotNanos;
    private EventLog.Reader reader;
    /** Encodes and writes while catching up; made at the first such write. */
    private ExecutorService writer;
    /** The write the writer has in hand, and its offset; null when none. */
    private Future<?> inFlight;
    private long inFlightOffset;
    /** Set while {@link #catchUp} runs: writes then come every {@code catchUpBatchEvents}. */
    private boolean catchingUp;
    private boolean closed;

    private StateFollower(Path dataDir, EventLog log, FollowerOptions options, StateStore store, ClusterState state,
                          List<PodStory.Saved> told, long nextOffset, Snapshots snapshots) {
        this.dataDir = dataDir;
        this.log = log;
        this.options = options;
        this.publishers = new ArrayList<>(options.publishers());
        this.store = store;
        this.state = state;
        this.stories = StoryBook.all(state);
        stories.restore(told);
        this.nextOffset = nextOffset;
        this.snapshots = snapshots;
        long now = options.nanoClock().getAsLong();
        this.lastPersistNanos = now;
        this.lastSnapshotNanos = now;
        this.lastSnapshotOffset = snapshots == null ? 0
                : snapshots.newest().map(Snapshots.Snapshot::nextOffset).orElse(0L);
    }

    public static StateFollower recover(Path dataDir, EventLog log) {
        return recover(dataDir, log, FollowerOptions.defaults());
    }

    /**
     * Opens the store in {@code dataDir}, or rebuilds it, and replays the log from its offset to the end.
     *
     * <p>The store is used when it opens, loads, matches its stored hash, was built for this scheduler name and is
     * not ahead of the log. Otherwise the reason is logged, a damaged store is moved to {@value #CORRUPT_DIR}, and the
     * store is rebuilt from the newest snapshot that passes the same checks, or from an empty state; the log's tail
     * is replayed on top either way.
     */
    public static StateFollower recover(Path dataDir, EventLog log, FollowerOptions options) {
        long start = System.nanoTime();
        Path storeDir = dataDir.resolve(STORE_DIR);
        Snapshots snapshots = options.snapshots().keep() > 0
                ? new Snapshots(dataDir.resolve(SNAPSHOTS_DIR), options.snapshots().keep()) : null;
        long logEnd = log.endOffset();
        long logStart = log.startOffset();

        Recovery.Source source = Recovery.Source.STORE;
        String reason = "";
        boolean firstStart = false;
        StateStore store = null;
        StateStore.Loaded loaded = null;
        if (isMissingOrEmpty(storeDir)) {
            reason = "there is no state store at " + storeDir;
            firstStart = true;
        } else {
            boolean damaged = false;
            try {
                store = StateStore.open(storeDir, options.store());
                Optional<StateStore.Loaded> l = store.load();
                if (l.isEmpty()) {
                    reason = "the state store at " + storeDir + " is empty";
                } else {
                    loaded = check(l.get(), "state store " + storeDir, options.schedulerName(), logStart, logEnd);
                }
            } catch (StoreCorruptException | StoreIncompatibleException e) {
                // Anything else (the store open elsewhere, a directory we cannot create) is not the store's fault and
                // must not get it rebuilt: it propagates.
                reason = e.getMessage();
                damaged = true;
            }
            if (loaded == null) {
                closeQuietly(store);
                store = null;
                if (damaged) {
                    moveAside(storeDir, dataDir.resolve(CORRUPT_DIR), reason);
                } else {
                    Snapshots.deleteTree(storeDir);
                }
            }
        }

        if (loaded == null && snapshots != null) {
            for (Snapshots.Snapshot s : snapshots.list()) {
                try {
                    Restored r = restore(s.path(), storeDir, "snapshot " + s.path(), null, options, logStart, logEnd);
                    store = r.store();
                    loaded = r.loaded();
                    source = Recovery.Source.SNAPSHOT;
                    LOG.warn("rebuilding the state store from snapshot {} (offset {}) and the log, because: {}",
                            s.path(), loaded.nextOffset(), reason);
                    break;
                } catch (StoreCorruptException | StoreIncompatibleException e) {
                    // Deleted, not kept: it is one of several copies, and a new one of the same offset must not
                    // find it in the way.
                    LOG.warn("snapshot {} is not usable, deleting it and trying an older one: {}", s.path(),
                            e.getMessage());
                    Snapshots.deleteTree(s.path());
                }
            }
        }
        if (loaded == null && options.peers() != null) {
            Restored r = fromPeers(dataDir, storeDir, snapshots, options, logStart, logEnd, reason);
            if (r != null) {
                store = r.store();
                loaded = r.loaded();
                source = Recovery.Source.PEER;
            }
        }

        ClusterState state;
        long next;
        if (loaded == null && logStart > 0) {
            closeQuietly(store);
            throw new StoreException("cannot build the state: the log starts at offset " + logStart + ", the events "
                    + "before it were deleted (retention, or a deletion of records), and no state store or snapshot in "
                    + dataDir + " reaches that far (" + reason + "), and "
                    + (options.peers() == null ? "no peers are set to fetch a snapshot from" : "no peer offered one")
                    + ". Set snapshot.peers to the health address of a running replica (it serves its newest "
                    + "snapshot), copy the data directory of a replica that is caught up into " + dataDir + ", or give "
                    + "the topic retention.ms=-1 so that the log keeps every event");
        }
        if (loaded == null) {
            source = Recovery.Source.SCRATCH;
            if (firstStart && (snapshots == null || snapshots.list().isEmpty())) {
                LOG.info("{}: building it from the whole log ({} offsets)", reason, logEnd);
            } else {
                LOG.warn("rebuilding the state store from the whole log ({} offsets; no usable snapshot), because: {}",
                        logEnd, reason);
            }
            Snapshots.deleteTree(storeDir);
            store = StateStore.open(storeDir, options.store());
            state = new ClusterState(options.schedulerName());
            next = 0;
            store.writeFull(state, next);
        } else {
            state = loaded.state();
            next = loaded.nextOffset();
        }

        StateFollower f = new StateFollower(dataDir, log, options, store, state,
                loaded == null ? List.of() : loaded.stories(), next, snapshots);
        long loadedAt = System.nanoTime();
        long events;
        try {
            events = f.catchUp();
        } catch (RuntimeException e) {
            // A crash in the middle: what was written stays, what was pending is lost and will be replayed.
            f.abandon();
            throw e;
        }
        long end = System.nanoTime();
        f.recovery = new Recovery(source, reason, next, f.nextOffset, events, (end - start) / 1e9,
                (loadedAt - start) / 1e9, (end - loadedAt) / 1e9);
        LOG.info("state recovered from {} at offset {}, replayed {} events up to offset {} in {} s",
                switch (source) {
                    case STORE -> "the store";
                    case SNAPSHOT -> "a snapshot";
                    case PEER -> "a peer's snapshot";
                    case SCRATCH -> "scratch";
                }, next, events, f.nextOffset, String.format("%.3f", f.recovery.seconds()));
        return f;
    }

    /**
     * Makes {@code storeDir} a copy of the snapshot in {@code from}, opens it, loads and checks it; when
     * {@code expectedHash} is given, the stored hash must be current and equal it. On failure nothing is left in
     * {@code storeDir} and the reason is thrown.
     */
    private record Restored(StateStore store, StateStore.Loaded loaded) {
    }

    private static Restored restore(Path from, Path storeDir, String what, String expectedHash,
                                      FollowerOptions options, long logStart, long logEnd) {
        StateStore store = null;
        try {
            Snapshots.copyTo(new Snapshots.Snapshot(from, -1), storeDir);
            store = StateStore.open(storeDir, options.store());
            if (expectedHash != null && !(store.meta().hashIsCurrent() && store.meta().hash().equals(expectedHash))) {
                throw new StoreCorruptException(what + " holds state hash '" + store.meta().hash() + "' at offset "
                        + store.meta().hashOffset() + ", its manifest promised " + expectedHash + " at offset "
                        + store.meta().nextOffset());
            }
            Optional<StateStore.Loaded> l = store.load();
            if (l.isEmpty()) {
                throw new StoreCorruptException(what + " holds an empty store");
            }
            return new Restored(store, check(l.get(), what, options.schedulerName(), logStart, logEnd));
        } catch (RuntimeException e) {
            closeQuietly(store);
            Snapshots.deleteTree(storeDir);
            throw e;
        }
    }

    /**
     * Fetches a snapshot from the peers and restores the store from it; null when none offers a usable one. A fetched
     * snapshot is kept among the local ones, so a crash right after does not fetch it again.
     */
    private static Restored fromPeers(Path dataDir, Path storeDir, Snapshots snapshots, FollowerOptions options,
                                        long logStart, long logEnd, String reason) {
        Path dir = snapshots != null ? snapshots.directory() : dataDir.resolve(SNAPSHOTS_DIR);
        Path temp = dir.resolve(Snapshots.TEMP_PREFIX + "peer-" + System.nanoTime());
        Optional<SnapshotSource.Fetched> got;
        try {
            got = options.peers().fetch(logStart, logEnd, temp);
        } catch (RuntimeException e) {
            Snapshots.deleteTree(temp);
            LOG.warn("no snapshot could be fetched from the peers, so it is built from the log if the log allows: {}",
                    e.getMessage());
            return null;
        }
        if (got.isEmpty()) {
            Snapshots.deleteTree(temp);
            LOG.info("no peer offers a snapshot between offsets {} and {}", logStart, logEnd);
            return null;
        }
        SnapshotSource.Fetched f = got.get();
        Path from = f.directory();
        if (snapshots != null) {
            Path named = dir.resolve(Snapshots.name(f.manifest().nextOffset()));
            try {
                if (!Files.isDirectory(named)) {
                    Files.move(from, named, StandardCopyOption.ATOMIC_MOVE);
                    from = named;
                }
            } catch (IOException e) {
                LOG.warn("cannot keep the fetched snapshot as {} ({}); restoring from {} instead", named, e, from);
            }
        }
        String what = "the snapshot from " + f.origin() + " (offset " + f.manifest().nextOffset() + ")";
        try {
            Restored r = restore(from, storeDir, what, f.manifest().stateHash(), options, logStart, logEnd);
            LOG.warn("built the state store from {}, {} MiB, and the log after it, because: {}", what,
                    String.format("%.1f", f.manifest().bytes() / 1048576.0), reason);
            if (from.equals(temp)) {
                Snapshots.deleteTree(temp);
            }
            return r;
        } catch (StoreCorruptException | StoreIncompatibleException e) {
            LOG.warn("{} is not usable, deleting it: {}", what, e.getMessage());
            Snapshots.deleteTree(from);
            return null;
        }
    }

    /** The checks that a sound store or snapshot must still pass to be used with this log and scheduler. */
    private static StateStore.Loaded check(StateStore.Loaded l, String what, String schedulerName, long logStart,
                                           long logEnd) {
        if (!l.state().schedulerName().equals(schedulerName)) {
            throw new StoreIncompatibleException(what + " was built for scheduler name '" + l.state().schedulerName()
                    + "', this replica schedules as '" + schedulerName + "'; it is rebuilt for '" + schedulerName + "'");
        }
        if (l.nextOffset() > logEnd) {
            throw new StoreIncompatibleException(what + " is at offset " + l.nextOffset() + " but the log ends at "
                    + logEnd + ": it was built from another log (was the topic recreated?); it is rebuilt from this log");
        }
        if (l.nextOffset() < logStart) {
            throw new StoreIncompatibleException(what + " is at offset " + l.nextOffset() + " but the log now starts at "
                    + logStart + ": events " + l.nextOffset() + " to " + (logStart - 1) + " were deleted (retention) "
                    + "before this replica read them, so it cannot catch up");
        }
        return l;
    }

    // ---------------------------------------------------------------- following

    /**
     * Tells {@code p} of every event applied and every write from now on, after the publishers already told. Called
     * by the thread that polls, or before that thread starts: a part built after the follower (a leader loop that
     * reads its own decisions back) subscribes this way once recovery is done.
     */
    public void subscribe(StatePublisher p) {
        publishers.add(Objects.requireNonNull(p, "publisher"));
    }

    /**
     * Tells every publisher that the state is settled at {@link #nextOffset()}: called by the thread that polls,
     * between two of its turns, so never in the middle of a change.
     */
    public void settled() {
        for (StatePublisher p : publishers) {
            p.settled(state, nextOffset);
        }
    }

    public ClusterState state() {
        return state;
    }

    /** The offset of the next event to apply. */
    public long nextOffset() {
        return nextOffset;
    }

    /** Seconds spent writing applied events to the store since this follower was built (recovery included). */
    public double persistingSeconds() {
        return persistingNanos / 1e9;
    }

    public Recovery recovery() {
        return recovery;
    }

    public StateStore store() {
        return store;
    }

    /** The snapshots of this follower, or null when its policy keeps none. */
    public Snapshots snapshots() {
        return snapshots;
    }

    public Path dataDirectory() {
        return dataDir;
    }

    /**
     * Replays from the next offset to the log's current end, writing every {@code catchUpBatchEvents}; returns the
     * events.
     */
    public long catchUp() {
        checkOpen();
        closeReader();
        catchingUp = true;
        Replay.Result r;
        try {
            r = Replay.run(log, state, nextOffset, new Replay.End(), this::applied, null);
            awaitWrite();
        } finally {
            catchingUp = false;
        }
        if (pendingCount > 0) {
            persist();
        } else {
            maybeSnapshot();
        }
        return r.events();
    }

    /**
     * Applies everything the log holds now, through the reader this follower already has: the log's end is read
     * first, then the reader polls until its position reaches it. For a follower that keeps up (a standby about to
     * lead): no new consumer, no prefetching thread, a few milliseconds. Returns the events applied. Fails when the log
     * gives nothing for {@code timeout} while the reader is short of the end.
     */
    public long readToEnd(Duration timeout) {
        checkOpen();
        if (reader == null) {
            reader = log.reader(nextOffset);
        }
        long end = log.endOffset();
        long events = 0;
        long lastProgress = System.nanoTime();
        int idle = 0;
        while (reader.position() < end) {
            long before = reader.position();
            int n = poll(Duration.ofMillis(10));
            events += n;
            if (n > 0 || reader.position() != before) {
                lastProgress = System.nanoTime();
                idle = 0;
            } else if (reader.answered() && ++idle >= 20) {
                // only transaction markers below the end, which a reader never returns: nothing more to apply
                break;
            } else if (System.nanoTime() - lastProgress > timeout.toNanos()) {
                throw new IllegalStateException("the log gave nothing for " + timeout.toMillis() + " ms at offset "
                        + reader.position() + " of " + end + ": is it reachable?");
            }
        }
        return events;
    }

    /**
     * Applies what the log has next, waiting up to {@code timeout} for it, and writes once {@code batchEvents} are
     * pending, the log goes quiet, or the oldest pending event waited {@code maxPersistDelay}. Returns the events read.
     */
    public int poll(Duration timeout) {
        checkOpen();
        if (reader == null) {
            reader = log.reader(nextOffset);
        }
        List<LoggedEvent> batch = reader.poll(timeout);
        for (LoggedEvent e : batch) {
            applied(e, state.apply(e.event()));
        }
        if (pendingCount > 0 && (batch.isEmpty()
                || options.nanoClock().getAsLong() - lastPersistNanos >= options.maxPersistDelay().toNanos())) {
            persist();
        } else if (pendingCount == 0) {
            maybeSnapshot();
        }
        return batch.size();
    }

    /** Writes what is pending now. */
    public void flush() {
        checkOpen();
        awaitWrite();
        if (pendingCount > 0) {
            persist();
        }
    }

    /** Takes a snapshot now, at the offset reached (pending events are written first). */
    public Snapshots.Snapshot snapshot() {
        checkOpen();
        if (snapshots == null) {
            throw new IllegalStateException("this follower keeps no snapshots (SnapshotPolicy keep is 0); "
                    + "give it a policy that keeps some");
        }
        flush();
        store.writeHash(state);
        Snapshots.Snapshot s = snapshots.take(store);
        lastSnapshotOffset = nextOffset;
        lastSnapshotNanos = options.nanoClock().getAsLong();
        LOG.info("snapshot {} taken at offset {}", s.path(), s.nextOffset());
        return s;
    }

    private void applied(LoggedEvent e, ApplyResult r) {
        // ignored events too: the store then never depends on which of them changed nothing
        pendingCount++;
        stories.applied(e, r);
        nextOffset = e.offset() + 1;
        for (StatePublisher p : publishers) {
            p.applied(e, r);
        }
        if (pendingCount >= (catchingUp ? options.catchUpBatchEvents() : options.batchEvents())) {
            persist();
        }
    }

    /**
     * Writes what is pending. While catching up, the rows are encoded and written on the writer thread while the
     * next batch is applied: this thread only collects them (the state's changed entities as immutable rows, the
     * stories told), waiting first for the write before, so that writes stay in order and one at most is in flight.
     */
    private void persist() {
        long start = System.nanoTime();
        awaitWrite();
        StateStore.Prepared w = store.prepare(state, nextOffset, stories.drain());
        pendingCount = 0;
        if (w != null && catchingUp) {
            inFlight = writer().submit(() -> {
                store.commit(w);
                return null;
            });
            inFlightOffset = w.nextOffset();
        } else {
            if (w != null) {
                store.commit(w);
            }
            persisted(nextOffset);
        }
        persistingNanos += System.nanoTime() - start;
        lastPersistNanos = options.nanoClock().getAsLong();
        maybeSnapshot();
    }

    private void persisted(long offset) {
        if (options.onPersist() != null) {
            // while catching up the state may be a batch ahead of the store's offset by now
            options.onPersist().persisted(offset, state, store.meta());
        }
    }

    private ExecutorService writer() {
        if (writer == null) {
            writer = Executors.newSingleThreadExecutor(r -> Thread.ofPlatform().daemon()
                    .name("fairway-store-writer").unstarted(r));
        }
        return writer;
    }

    /** Waits for the write in flight, if any, and tells of it; its failure is thrown here. */
    private void awaitWrite() {
        Future<?> f = inFlight;
        if (f == null) {
            return;
        }
        inFlight = null;
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    f.get();
                    break;
                } catch (InterruptedException e) {
                    // the write goes on in RocksDB whatever happens here: wait for it, then say so
                    interrupted = true;
                }
            }
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new StoreException("writing offset " + inFlightOffset + " failed: " + e.getCause(), e.getCause());
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        persisted(inFlightOffset);
    }

    private void maybeSnapshot() {
        SnapshotPolicy p = options.snapshots();
        // Not while catching up: each would cost a pass over the state and a checkpoint, only for the next one to
        // replace it moments later; one is taken when catch-up ends, if due.
        if (snapshots == null || !p.enabled() || catchingUp) {
            return;
        }
        long since = nextOffset - lastSnapshotOffset;
        boolean byCount = p.everyEvents() > 0 && since >= p.everyEvents();
        boolean byTime = p.every() != null && since > 0
                && options.nanoClock().getAsLong() - lastSnapshotNanos >= p.every().toNanos();
        if (byCount || byTime) {
            try {
                snapshot();
            } catch (StoreException e) {
                // A snapshot only shortens a future rebuild; the store itself is fine, so following goes on.
                LOG.error("could not take a snapshot at offset {}, will try again at the next write: {}", nextOffset,
                        e.getMessage());
                lastSnapshotNanos = options.nanoClock().getAsLong();
            }
        }
    }

    /** Writes what is pending, stores the hash so the next start loads verified, and closes the store. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        try {
            flush();
            store.writeHash(state);
        } finally {
            abandon();
        }
    }

    /** Closes without writing what is pending, as a crash would leave it. */
    void abandon() {
        if (closed) {
            return;
        }
        closed = true;
        closeReader();
        if (writer != null) {
            // a write in flight finishes (or fails) before the store is closed under it
            writer.shutdown();
            try {
                awaitWrite();
            } catch (RuntimeException e) {
                LOG.warn("the last write to {} failed: {}", store.directory(), e.getMessage());
            }
            writer.close();
            writer = null;
        }
        closeQuietly(store);
    }

    private void closeReader() {
        if (reader != null) {
            reader.close();
            reader = null;
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the state follower of " + dataDir + " is closed");
        }
    }

    // ---------------------------------------------------------------- files

    private static boolean isMissingOrEmpty(Path dir) {
        if (!Files.isDirectory(dir)) {
            return true;
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        } catch (IOException e) {
            throw new StoreException("cannot list the state store directory " + dir + ": " + e, e);
        }
    }

    private static void closeQuietly(StateStore store) {
        if (store != null) {
            try {
                store.close();
            } catch (RuntimeException e) {
                LOG.warn("closing {} failed: {}", store.directory(), e.getMessage());
            }
        }
    }

    /** Keeps the last damaged store for inspection; an older one is replaced. */
    private static void moveAside(Path storeDir, Path corruptDir, String reason) {
        try {
            Snapshots.deleteTree(corruptDir);
            Files.move(storeDir, corruptDir, StandardCopyOption.ATOMIC_MOVE);
            LOG.warn("state store {} is not usable, moved it to {} for inspection: {}", storeDir, corruptDir, reason);
        } catch (IOException | RuntimeException e) {
            LOG.warn("state store {} is not usable, deleting it (moving it to {} failed: {}): {}", storeDir,
                    corruptDir, e.toString(), reason);
            Snapshots.deleteTree(storeDir);
        }
    }
}
