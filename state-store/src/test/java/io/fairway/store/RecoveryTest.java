package io.fairway.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.fairway.core.state.ClusterState;
import io.fairway.log.InMemoryEventLog;
import io.fairway.log.LogTruncatedException;
import io.fairway.log.Replay;
import io.fairway.log.StatePublisher;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The invariants of DESIGN.md §6 against real RocksDB: whatever happened to the process or the files, a replica ends
 * with the state a full replay of the log gives (same {@code hash()}).
 */
class RecoveryTest {
    @TempDir
    Path tmp;

    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();

    @BeforeEach
    void captureLogs() {
        logs.start();
        ((Logger) LoggerFactory.getLogger(StateFollower.class)).addAppender(logs);
    }

    @AfterEach
    void releaseLogs() {
        ((Logger) LoggerFactory.getLogger(StateFollower.class)).detachAppender(logs);
    }

    private List<String> warnings() {
        return logs.list.stream().filter(e -> e.getLevel().isGreaterOrEqual(ch.qos.logback.classic.Level.WARN))
                .map(ILoggingEvent::getFormattedMessage).toList();
    }

    /** The crash a test injects: thrown from the apply listener, it ends the process's work mid-batch. */
    static final class Crash extends RuntimeException {
        Crash(long offset) {
            super("simulated crash after applying offset " + offset);
        }
    }

    private static FollowerOptions options(int batch) {
        // a hash with every write: the tests compare it at every persisted offset
        return FollowerOptions.defaults().withBatchEvents(batch).withCatchUpBatchEvents(batch).withSnapshots(SnapshotPolicy.none())
                .withStore(StoreOptions.defaults().withHashEvery(1));
    }

    private static String fullReplay(InMemoryEventLog log) {
        ClusterState s = new ClusterState();
        Replay.run(log, s, 0, new Replay.End(), null, null);
        return s.hash();
    }

    // ---------------------------------------------------------------- (a) crash points

    /**
     * The log grows while a replica keeps crashing at random points mid-batch: every start recovers the store at its
     * last complete batch (never half of one), and the end state is the full replay's.
     */
    @Test
    void aReplicaCrashingAtRandomPointsEndsWithTheFullReplaysState() {
        for (long seed = 1; seed <= 3; seed++) {
            Random rnd = new Random(seed * 31);
            LogGenerator g = LogGenerator.inMemory(seed, 20);
            Path data = tmp.resolve("crash-" + seed);
            int batch = 5 + rnd.nextInt(40);
            for (int restart = 0; restart < 5; restart++) {
                long start = Math.max(storedOffset(data), 0);
                long end = g.log().endOffset();
                long crashAt = start + rnd.nextLong(Math.max(1, end - start));
                FollowerOptions crashing = options(batch).withPublisher(StatePublisher.onApplied((e, r) -> {
                    if (e.offset() == crashAt) {
                        throw new Crash(e.offset());
                    }
                }));
                assertThatThrownBy(() -> StateFollower.recover(data, g.log(), crashing)).isInstanceOf(Crash.class);
                // what was written survived; the batch under way (the crashed event's) did not
                long expected = start + ((crashAt - start) / batch) * batch;
                assertThat(storedOffset(data)).as("seed %d restart %d: last complete batch", seed, restart)
                        .isEqualTo(expected);
                g.rounds(10 + rnd.nextInt(10));
            }
            try (StateFollower f = StateFollower.recover(data, g.log(), options(batch))) {
                assertThat(f.recovery().source()).isEqualTo(Recovery.Source.STORE);
                assertThat(f.state().hash()).as("seed %d", seed).isEqualTo(g.live().hash());
                assertThat(f.state().hash()).isEqualTo(fullReplay((InMemoryEventLog) g.log()));
            }
        }
    }

    /**
     * A kill -9 leaves the files as the last write left them. Copying the store directory while it is open, right after
     * a write, is that picture; each copy must recover to the full replay's state.
     */
    @Test
    void theFilesOfAnOpenStoreAtAnyWriteRecover() throws IOException {
        LogGenerator g = LogGenerator.inMemory(7, 60);
        Random rnd = new Random(7);
        Map<Long, Path> images = new TreeMap<>();
        FollowerOptions opts = options(25).withOnPersist((offset, state, meta) -> {
            if (rnd.nextInt(6) == 0) {
                Path image = tmp.resolve("image-" + offset);
                copyTree(tmp.resolve("live").resolve(StateFollower.STORE_DIR), image.resolve(StateFollower.STORE_DIR));
                images.put(offset, image);
            }
        });
        try (StateFollower f = StateFollower.recover(tmp.resolve("live"), g.log(), opts)) {
            assertThat(f.state().hash()).isEqualTo(g.live().hash());
        }
        assertThat(images).hasSizeGreaterThan(2);
        for (Map.Entry<Long, Path> image : images.entrySet()) {
            try (StateFollower f = StateFollower.recover(image.getValue(), g.log(), options(25))) {
                assertThat(f.recovery().source()).isEqualTo(Recovery.Source.STORE);
                assertThat(f.recovery().startOffset()).isEqualTo(image.getKey());
                assertThat(f.state().hash()).isEqualTo(g.live().hash());
            }
        }
    }

    // ---------------------------------------------------------------- (b) followers agree

    /**
     * Two replicas with different batch sizes follow the same growing log: at every offset either of them persisted,
     * the stored hash is the hash the leader's live state had after that offset.
     */
    @Test
    void twoFollowersHaveTheSameHashAtEveryPersistedOffset() {
        LogGenerator g = LogGenerator.inMemory(11, 30, true);
        Map<Long, String> a = new TreeMap<>();
        Map<Long, String> b = new TreeMap<>();
        try (StateFollower fa = StateFollower.recover(tmp.resolve("a"), g.log(),
                options(7).withOnPersist((o, s, m) -> a.put(o, m.hash())));
             StateFollower fb = StateFollower.recover(tmp.resolve("b"), g.log(),
                     options(50).withMaxPersistDelay(Duration.ofHours(1)).withOnPersist((o, s, m) -> b.put(o, m.hash())))) {
            for (int step = 0; step < 8; step++) {
                g.rounds(5);
                while (fa.nextOffset() < g.log().endOffset() || fb.nextOffset() < g.log().endOffset()) {
                    fa.poll(Duration.ofMillis(10));
                    fb.poll(Duration.ofMillis(10));
                }
                // a quiet poll writes what is pending
                fa.poll(Duration.ofMillis(1));
                fb.poll(Duration.ofMillis(1));
                assertThat(fa.store().meta().nextOffset()).isEqualTo(g.log().endOffset());
                assertThat(fb.store().meta().hash()).isEqualTo(g.live().hash());
            }
        }
        assertThat(a.size()).isGreaterThan(b.size()).isGreaterThan(10);
        a.forEach((offset, hash) -> assertThat(hash).as("follower a at %d", offset).isEqualTo(g.hashAt(offset - 1)));
        b.forEach((offset, hash) -> assertThat(hash).as("follower b at %d", offset).isEqualTo(g.hashAt(offset - 1)));
        List<Long> common = new ArrayList<>(a.keySet());
        common.retainAll(b.keySet());
        assertThat(common).isNotEmpty();
        common.forEach(o -> assertThat(a.get(o)).isEqualTo(b.get(o)));
    }

    // ---------------------------------------------------------------- (c) deleted store

    @Test
    void deletingTheStoreAndRestartingGivesTheSameHash() {
        LogGenerator g = LogGenerator.inMemory(12, 50);
        Path data = tmp.resolve("d");
        FollowerOptions opts = options(40).withSnapshots(new SnapshotPolicy(300, null, 2));
        String first;
        try (StateFollower f = StateFollower.recover(data, g.log(), opts)) {
            assertThat(f.recovery().source()).isEqualTo(Recovery.Source.SCRATCH);
            first = f.state().hash();
        }
        assertThat(first).isEqualTo(g.live().hash());

        // only the store: rebuilt from the newest snapshot and the tail
        long newest = new Snapshots(data.resolve(StateFollower.SNAPSHOTS_DIR), 2).newest().orElseThrow().nextOffset();
        Snapshots.deleteTree(data.resolve(StateFollower.STORE_DIR));
        try (StateFollower f = StateFollower.recover(data, g.log(), opts)) {
            assertThat(f.recovery().source()).isEqualTo(Recovery.Source.SNAPSHOT);
            assertThat(f.recovery().startOffset()).isEqualTo(newest);
            assertThat(f.recovery().reason()).contains("there is no state store at");
            assertThat(f.state().hash()).isEqualTo(first);
        }

        // everything: rebuilt from the whole log
        Snapshots.deleteTree(data);
        try (StateFollower f = StateFollower.recover(data, g.log(), opts)) {
            assertThat(f.recovery().source()).isEqualTo(Recovery.Source.SCRATCH);
            assertThat(f.recovery().events()).isEqualTo(g.log().endOffset());
            assertThat(f.state().hash()).isEqualTo(first);
        }
        try (StateFollower f = StateFollower.recover(data, g.log(), opts)) {
            assertThat(f.recovery().source()).isEqualTo(Recovery.Source.STORE);
            assertThat(f.recovery().events()).isZero();
            assertThat(f.state().hash()).isEqualTo(first);
        }
    }

    // ---------------------------------------------------------------- (d) corruption

    private enum Damage { GARBLED_HASH, NO_CURRENT, NO_SST }

    @Test
    void aCorruptStoreIsRebuiltFromTheNewestSnapshotAndTheLogWithTheReasonLogged() throws Exception {
        for (Damage damage : Damage.values()) {
            LogGenerator g = LogGenerator.inMemory(13, 40);
            Path data = tmp.resolve("c-" + damage);
            FollowerOptions opts = options(30).withSnapshots(new SnapshotPolicy(200, null, 2));
            try (StateFollower f = StateFollower.recover(data, g.log(), opts)) {
                g.rounds(10);
                f.catchUp();
                if (damage == Damage.NO_SST) {
                    f.store().flush();
                }
            }
            long newest = new Snapshots(data.resolve(StateFollower.SNAPSHOTS_DIR), 2).newest().orElseThrow().nextOffset();
            Path store = data.resolve(StateFollower.STORE_DIR);
            switch (damage) {
                case GARBLED_HASH -> {
                    try (RawStore raw = new RawStore(store)) {
                        raw.put("meta", "hash", "0123456789abcdef");
                    }
                }
                case NO_CURRENT -> Files.delete(store.resolve("CURRENT"));
                case NO_SST -> {
                    try (Stream<Path> s = Files.list(store)) {
                        for (Path p : s.filter(p -> p.toString().endsWith(".sst")).toList()) {
                            Files.delete(p);
                        }
                    }
                }
            }
            logs.list.clear();
            Recovery r;
            try (StateFollower f = StateFollower.recover(data, g.log(), opts)) {
                r = f.recovery();
                assertThat(r.source()).as("%s", damage).isEqualTo(Recovery.Source.SNAPSHOT);
                assertThat(r.startOffset()).isEqualTo(newest);
                assertThat(r.reason()).contains(store.toString()).contains(switch (damage) {
                    case GARBLED_HASH -> "is not the stored hash 0123456789abcdef";
                    case NO_CURRENT -> "no CURRENT file";
                    case NO_SST -> "";
                });
                assertThat(f.state().hash()).isEqualTo(g.live().hash());
            }
            assertThat(warnings()).as("%s: the reason is logged", damage)
                    .anySatisfy(m -> assertThat(m).contains("moved it to").contains(StateFollower.CORRUPT_DIR))
                    .anySatisfy(m -> assertThat(m).contains("rebuilding the state store from snapshot")
                            .contains("(offset " + newest + ") and the log, because: " + r.reason()));
            assertThat(data.resolve(StateFollower.CORRUPT_DIR)).isDirectory();
        }
    }

    /** A damaged newest snapshot is skipped for the one before it; with none usable the whole log is replayed. */
    @Test
    void aDamagedSnapshotFallsBackToAnOlderOneThenToScratch() throws Exception {
        LogGenerator g = new LogGenerator(new InMemoryEventLog(), 14, false);
        Path data = tmp.resolve("s");
        FollowerOptions opts = options(30).withSnapshots(new SnapshotPolicy(250, null, 2));
        try (StateFollower f = StateFollower.recover(data, g.log(), opts)) {
            followWhileWriting(f, g, 60);
            assertThat(f.snapshots().list()).hasSize(2);
        }
        List<Snapshots.Snapshot> snaps = new Snapshots(data.resolve(StateFollower.SNAPSHOTS_DIR), 2).list();
        try (RawStore raw = new RawStore(snaps.get(0).path())) {
            raw.put("meta", "hash", "bad");
        }
        Snapshots.deleteTree(data.resolve(StateFollower.STORE_DIR));
        try (StateFollower f = StateFollower.recover(data, g.log(), opts)) {
            assertThat(f.recovery().source()).isEqualTo(Recovery.Source.SNAPSHOT);
            assertThat(f.recovery().startOffset()).isEqualTo(snaps.get(1).nextOffset());
            assertThat(f.state().hash()).isEqualTo(g.live().hash());
        }
        assertThat(warnings()).anySatisfy(m -> assertThat(m).contains("snapshot " + snaps.get(0).path()
                + " is not usable, deleting it and trying an older one").contains("is not the stored hash bad"));

        for (Snapshots.Snapshot s : new Snapshots(data.resolve(StateFollower.SNAPSHOTS_DIR), 2).list()) {
            Files.delete(s.path().resolve("CURRENT"));
        }
        try (RawStore raw = new RawStore(data.resolve(StateFollower.STORE_DIR))) {
            raw.put("meta", "nextOffset", "not a number");
        }
        try (StateFollower f = StateFollower.recover(data, g.log(), opts)) {
            assertThat(f.recovery().source()).isEqualTo(Recovery.Source.SCRATCH);
            assertThat(f.recovery().reason()).contains("its meta nextOffset is 'not a number', not a number");
            assertThat(f.state().hash()).isEqualTo(g.live().hash());
        }
    }

    /** A store built for another scheduler name, or from a longer log than this one, is rebuilt, with the reason. */
    @Test
    void anIncompatibleStoreIsRebuilt() {
        LogGenerator g = LogGenerator.inMemory(15, 30);
        Path data = tmp.resolve("i");
        try (StateFollower f = StateFollower.recover(data, g.log(), options(50))) {
            assertThat(f.state().hash()).isEqualTo(g.live().hash());
        }
        try (StateFollower f = StateFollower.recover(data, g.log(), options(50).withSchedulerName("other"))) {
            assertThat(f.recovery().source()).isEqualTo(Recovery.Source.SCRATCH);
            assertThat(f.recovery().reason()).contains("was built for scheduler name 'fairway'")
                    .contains("this replica schedules as 'other'");
            assertThat(f.state().schedulerName()).isEqualTo("other");
        }
        LogGenerator shorter = LogGenerator.inMemory(15, 5);
        try (StateFollower f = StateFollower.recover(data, shorter.log(), options(50).withSchedulerName("other"))) {
            assertThat(f.recovery().source()).isEqualTo(Recovery.Source.SCRATCH);
            assertThat(f.recovery().reason()).contains("but the log ends at " + shorter.log().endOffset())
                    .contains("was the topic recreated?");
            ClusterState expected = new ClusterState("other");
            Replay.run(shorter.log(), expected, 0, new Replay.End(), null, null);
            assertThat(f.state().hash()).isEqualTo(expected.hash());
        }
    }

    /** A store that another replica has open is not damaged: recovery refuses to start instead of rebuilding it. */
    @Test
    void aStoreInUseIsNotRebuiltUnderItsOwner() {
        LogGenerator g = LogGenerator.inMemory(18, 5);
        Path data = tmp.resolve("u");
        try (StateFollower owner = StateFollower.recover(data, g.log(), options(50))) {
            assertThatThrownBy(() -> StateFollower.recover(data, g.log(), options(50)))
                    .isInstanceOf(StoreException.class)
                    .isNotInstanceOf(StoreCorruptException.class)
                    .hasMessageContaining("is in use by another process or another open StateStore")
                    .hasMessageContaining("give this one its own directory");
            assertThat(data.resolve(StateFollower.CORRUPT_DIR)).doesNotExist();
            assertThat(owner.state().hash()).isEqualTo(g.live().hash());
        }
    }

    // ---------------------------------------------------------------- retention

    /** Records deleted below the store's offset are not needed: the store catches up from where it is. */
    @Test
    void recordsDeletedBelowTheStoresOffsetDoNotMatter() {
        InMemoryEventLog log = new InMemoryEventLog();
        LogGenerator g = new LogGenerator(log, 31, false);
        g.rounds(20);
        Path data = tmp.resolve("r1");
        long stored;
        try (StateFollower f = StateFollower.recover(data, log, options(25))) {
            stored = f.nextOffset();
        }
        g.rounds(10);
        log.deleteBefore(stored - 5);
        try (StateFollower f = StateFollower.recover(data, log, options(25))) {
            assertThat(f.recovery().source()).isEqualTo(Recovery.Source.STORE);
            assertThat(f.state().hash()).isEqualTo(g.live().hash());
        }
    }

    /**
     * A store whose next events were deleted cannot catch up: recovery refuses with what to do, keeps the store for
     * inspection, and never builds a state with a hole in it.
     */
    @Test
    void aStoreBehindTheLogStartIsRefusedAndSoIsAFreshOne() {
        InMemoryEventLog log = new InMemoryEventLog();
        LogGenerator g = new LogGenerator(log, 32, false);
        g.rounds(20);
        Path data = tmp.resolve("r2");
        long stored;
        try (StateFollower f = StateFollower.recover(data, log, options(25))) {
            stored = f.nextOffset();
        }
        g.rounds(10);
        long start = stored + 7;
        log.deleteBefore(start);
        assertThatThrownBy(() -> StateFollower.recover(data, log, options(25)))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("the log starts at offset " + start)
                .hasMessageContaining("no peers are set to fetch a snapshot from. Set snapshot.peers")
                .hasMessageContaining("copy the data directory of a replica that is caught up")
                .hasMessageContaining("retention.ms=-1");
        assertThat(warnings()).anySatisfy(m -> assertThat(m)
                .contains("is at offset " + stored + " but the log now starts at " + start)
                .contains("events " + stored + " to " + (start - 1) + " were deleted"));
        assertThat(data.resolve(StateFollower.CORRUPT_DIR)).as("kept for inspection").isDirectory();

        assertThatThrownBy(() -> StateFollower.recover(tmp.resolve("fresh"), log, options(25)))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("the log starts at offset " + start)
                .hasMessageContaining("there is no state store");
        assertThatThrownBy(() -> log.reader(start - 1).poll(Duration.ZERO))
                .isInstanceOf(LogTruncatedException.class)
                .hasMessageContaining("offset " + (start - 1) + " of memory was deleted (the log now starts at " + start);
    }

    // ---------------------------------------------------------------- (e) snapshots

    @Test
    void snapshotsAreTakenEveryNEventsAndKeptKDeep() {
        LogGenerator g = new LogGenerator(new InMemoryEventLog(), 16, true);
        List<Long> taken = new ArrayList<>();
        Path data = tmp.resolve("k");
        FollowerOptions opts = options(20).withSnapshots(new SnapshotPolicy(150, null, 3));
        try (StateFollower f = StateFollower.recover(data, g.log(), opts)) {
            followWhileWriting(f, g, 80);
            long end = g.log().endOffset();
            assertThat(end).isGreaterThan(1000);
            List<Snapshots.Snapshot> kept = f.snapshots().list();
            assertThat(kept).hasSize(3);
            // newest first, at least 150 offsets apart, and the newest within a batch + 150 of the end
            assertThat(kept.get(0).nextOffset() - kept.get(1).nextOffset()).isGreaterThanOrEqualTo(150);
            assertThat(kept.get(1).nextOffset() - kept.get(2).nextOffset()).isGreaterThanOrEqualTo(150);
            assertThat(end - kept.get(0).nextOffset()).isLessThan(150 + 20);
            kept.forEach(s -> taken.add(s.nextOffset()));
        }
        // each kept snapshot is a store of its own at its offset, with the state the log had there
        for (long offset : taken) {
            try (StateStore s = StateStore.open(data.resolve(StateFollower.SNAPSHOTS_DIR).resolve(Snapshots.name(offset)))) {
                StateStore.Loaded l = s.load().orElseThrow();
                assertThat(l.nextOffset()).isEqualTo(offset);
                assertThat(l.state().hash()).isEqualTo(g.hashAt(offset - 1));
            }
        }
    }

    /** The log grows a round at a time and the follower polls it up, as a running replica does. */
    private static void followWhileWriting(StateFollower f, LogGenerator g, int rounds) {
        for (int i = 0; i < rounds; i++) {
            g.rounds(1);
            while (f.nextOffset() < g.log().endOffset()) {
                f.poll(Duration.ofMillis(10));
            }
        }
        f.poll(Duration.ZERO);
    }

    /**
     * Catching up writes every catchUpBatchEvents, not every batchEvents, and takes no snapshot until it is done: one
     * then, as the policy is due.
     */
    @Test
    void catchUpWritesInLargeBatchesAndSnapshotsOnceAtTheEnd() {
        LogGenerator g = LogGenerator.inMemory(18, 100);
        long end = g.log().endOffset();
        List<Long> writes = new ArrayList<>();
        FollowerOptions opts = FollowerOptions.defaults().withBatchEvents(10).withCatchUpBatchEvents(400)
                .withSnapshots(new SnapshotPolicy(150, null, 3))
                .withOnPersist((next, state, meta) -> writes.add(next));
        Path data = tmp.resolve("c");
        try (StateFollower f = StateFollower.recover(data, g.log(), opts)) {
            assertThat(end).isGreaterThan(900);
            // one write per 400 events (the in-memory log has no gaps in its offsets), and the rest at the end
            List<Long> expected = new ArrayList<>();
            for (long o = 400; o < f.nextOffset(); o += 400) {
                expected.add(o);
            }
            expected.add(f.nextOffset());
            assertThat(writes).isEqualTo(expected);
            assertThat(f.snapshots().list()).singleElement()
                    .satisfies(s -> assertThat(s.nextOffset()).isEqualTo(f.nextOffset()));
            assertThat(f.state().hash()).isEqualTo(g.live().hash());

            // following afterwards writes every 10 again
            writes.clear();
            long before = f.nextOffset();
            g.rounds(3);
            while (f.nextOffset() < g.log().endOffset()) {
                f.poll(Duration.ofMillis(10));
            }
            assertThat(writes).hasSizeGreaterThanOrEqualTo((int) ((f.nextOffset() - before) / 10));
        }
    }

    @Test
    void snapshotsAreTakenEveryMMinutesWhenEventsCame() {
        LogGenerator g = LogGenerator.inMemory(17, 5);
        AtomicLong clock = new AtomicLong();
        FollowerOptions opts = options(1000).withNanoClock(clock::get).withMaxPersistDelay(Duration.ZERO)
                .withSnapshots(new SnapshotPolicy(0, Duration.ofMinutes(10), 2));
        try (StateFollower f = StateFollower.recover(tmp.resolve("m"), g.log(), opts)) {
            assertThat(f.snapshots().list()).as("not before 10 minutes").isEmpty();
            clock.addAndGet(Duration.ofMinutes(11).toNanos());
            f.poll(Duration.ofMillis(1));
            assertThat(f.snapshots().list()).as("10 minutes passed, events came").hasSize(1);
            clock.addAndGet(Duration.ofMinutes(11).toNanos());
            f.poll(Duration.ofMillis(1));
            assertThat(f.snapshots().list()).as("no event since the last one").hasSize(1);
            for (int i = 0; i < 3; i++) {
                g.rounds(2);
                clock.addAndGet(Duration.ofMinutes(11).toNanos());
                while (f.nextOffset() < g.log().endOffset()) {
                    f.poll(Duration.ofMillis(1));
                }
            }
            List<Snapshots.Snapshot> kept = f.snapshots().list();
            assertThat(kept).hasSize(2);
            assertThat(kept.get(0).nextOffset()).isEqualTo(g.log().endOffset());
        }
    }

    // ---------------------------------------------------------------- helpers

    private static long storedOffset(Path data) {
        Path store = data.resolve(StateFollower.STORE_DIR);
        if (!Files.isDirectory(store)) {
            return -1;
        }
        try (StateStore s = StateStore.open(store)) {
            return s.meta().nextOffset();
        }
    }

    private static void copyTree(Path from, Path to) {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else if (!p.getFileName().toString().equals("LOCK")) {
                    Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (IOException e) {
            throw new AssertionError("cannot copy " + from + " to " + to, e);
        }
    }
}
