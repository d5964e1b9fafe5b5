package io.fairway.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fairway.core.events.AdminAction;
import io.fairway.core.events.Event;
import io.fairway.core.events.NodeGone;
import io.fairway.core.events.NodeObserved;
import io.fairway.core.events.PodGone;
import io.fairway.core.events.PodObserved;
import io.fairway.core.events.PreemptionRequested;
import io.fairway.core.events.QueueConfigObserved;
import io.fairway.core.events.Released;
import io.fairway.core.objects.NodeAffinity;
import io.fairway.core.objects.Pod;
import io.fairway.core.objects.PodPhase;
import io.fairway.core.scheduler.CycleResult;
import io.fairway.core.scheduler.Scheduler;
import io.fairway.core.state.LeaderTerm;
import io.fairway.core.state.PodState;
import io.fairway.core.events.LeaderElected;
import io.fairway.core.objects.Node;
import io.fairway.core.resources.Resources;
import io.fairway.core.state.ApplyResult;
import io.fairway.core.state.ClusterState;
import io.fairway.log.EventLog;
import io.fairway.log.LoggedEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The RocksDB plumbing: what is written is what loads, batch by batch, and damage is named, not swallowed. */
class StateStoreTest {
    @TempDir
    Path tmp;

    static List<LoggedEvent> all(EventLog log) {
        try (EventLog.Reader r = log.reader(0)) {
            List<LoggedEvent> out = new ArrayList<>();
            while (r.position() < log.endOffset()) {
                out.addAll(r.poll(Duration.ofMillis(100)));
            }
            return out;
        }
    }

    @Test
    void aNewStoreIsEmptyAndLoadsNothing() {
        try (StateStore store = StateStore.open(tmp.resolve("s"))) {
            assertThat(store.isEmpty()).isTrue();
            assertThat(store.load()).isEmpty();
            assertThat(store.meta().nextOffset()).isEqualTo(-1);
        }
        try (StateStore store = StateStore.open(tmp.resolve("s"))) {
            assertThat(store.isEmpty()).as("opening creates nothing but the files").isTrue();
        }
    }

    @Test
    void aFullWriteLoadsBackAsTheSameState() {
        LogGenerator g = LogGenerator.inMemory(1, 60);
        long end = g.log().endOffset();
        try (StateStore store = StateStore.open(tmp.resolve("s"))) {
            store.writeFull(g.live(), end);
        }
        try (StateStore store = StateStore.open(tmp.resolve("s"))) {
            StateStore.Loaded l = store.load().orElseThrow();
            assertThat(l.nextOffset()).isEqualTo(end);
            assertThat(l.state().hash()).isEqualTo(g.live().hash());
            assertThat(l.state().snapshot()).isEqualTo(g.live().snapshot());
            assertThat(store.meta().hashIsCurrent()).isTrue();
            assertThat(store.meta().leaderEpoch()).isEqualTo(g.live().leaderEpoch());
            assertThat(store.meta().schemaVersion()).isEqualTo(StateStore.SCHEMA_VERSION);
        }
    }

    /**
     * Writes every batch of applied events and, at random points, reopens the store and checks that it restores the
     * exact state (snapshot equality: tombstone order included), not just one with the same hash.
     */
    @Test
    void incrementalWritesKeepTheStoreEqualToTheState() {
        for (long seed = 1; seed <= 3; seed++) {
            LogGenerator g = LogGenerator.inMemory(seed, 80, true);
            List<LoggedEvent> events = all(g.log());
            // the history holds what changes rows in more than one place at once
            assertThat(events).extracting(e -> e.event().getClass().getSimpleName())
                    .contains("GangReserved", "PreemptionRequested", "NodeGone", "Released", "QueueConfigObserved");
            Random rnd = new Random(seed);
            Path dir = tmp.resolve("s" + seed);
            ClusterState state = new ClusterState();
            StateStore store = StateStore.open(dir, StoreOptions.defaults().withHashEvery(1));
            try {
                store.writeFull(state, 0);
                int i = 0;
                while (i < events.size()) {
                    int n = 1 + rnd.nextInt(60);
                    for (int k = 0; k < n && i < events.size(); k++, i++) {
                        state.apply(events.get(i).event());
                    }
                    store.write(state, i);
                    assertThat(store.meta().nextOffset()).isEqualTo(i);
                    assertThat(store.meta().hash()).isEqualTo(g.hashAt(i - 1));
                    if (rnd.nextInt(5) == 0 || i == events.size()) {
                        store.close();
                        store = StateStore.open(dir, StoreOptions.defaults().withHashEvery(1));
                        StateStore.Loaded l = store.load().orElseThrow();
                        assertThat(l.nextOffset()).isEqualTo(i);
                        assertThat(l.state().snapshot()).as("seed %d, offset %d", seed, i).isEqualTo(state.snapshot());
                        // carry on from the restored state, as a restarted replica does
                        state = l.state();
                    }
                }
                assertThat(state.hash()).isEqualTo(g.live().hash());
            } finally {
                store.close();
            }
        }
    }

    @Test
    void theConfigHistoryAndItsAuthorsSurviveARestart() {
        ClusterState state = new ClusterState();
        state.apply(new QueueConfigObserved(1, "partitions: [{name: default, queues: [{name: root}]}]", "3"));
        Path dir = tmp.resolve("history");
        try (StateStore store = StateStore.open(dir)) {
            store.writeFull(state, 1);
            AdminAction write = new AdminAction(2, "alice", "admin",
                    AdminAction.CONFIG_APPLY, "3", "");
            state.apply(write);
            store.write(state, 2);
        }
        try (StateStore store = StateStore.open(dir)) {
            ClusterState loaded = store.load().orElseThrow().state();
            assertThat(loaded.configHistory()).singleElement().satisfies(c -> {
                assertThat(c.version()).isEqualTo("3");
                assertThat(c.author()).isEqualTo("alice");
            });
            assertThat(loaded.hash()).isEqualTo(state.hash());
        }
    }

    @Test
    void leaderTermsSurviveARestart() {
        ClusterState state = new ClusterState();
        Path dir = tmp.resolve("terms");
        try (StateStore store = StateStore.open(dir)) {
            store.writeFull(state, 0);
            List<Event> elections = List.of(new LeaderElected(10, 1, "r0"), new LeaderElected(20, 2, "r1"));
            elections.forEach(state::apply);
            store.write(state, 2);
        }
        try (StateStore store = StateStore.open(dir)) {
            ClusterState loaded = store.load().orElseThrow().state();
            assertThat(loaded.leaderTerms()).extracting(LeaderTerm::replica)
                    .containsExactly("r0", "r1");
            assertThat(loaded.hash()).isEqualTo(state.hash());
        }
    }

    private static Pod queued(String uid, String name, String queue, long created) {
        return new Pod(uid, "jobs", name, "app-" + name, queue, "alice", List.of(),
                Resources.parse(Map.of("cpu", "1", "memory", "1Gi")), 0, Map.of(),
                NodeAffinity.NONE, List.of(), "fairway", "", PodPhase.Pending, created, "1");
    }

    /**
     * A preemption written batch by batch: after each step (victim marked and room held, held room given up, victim
     * gone) a reopened store gives the same state, with the same hash, as the one that wrote it.
     */
    @Test
    void aPreemptionAndItsHeldRoomSurviveARestart() {
        ClusterState state = new ClusterState();
        Path dir = tmp.resolve("s");
        long[] offset = {0};
        StateStore[] store = {StateStore.open(dir, StoreOptions.defaults().withHashEvery(1))};
        store[0].writeFull(state, 0);
        Consumer<List<Event>> step = events -> {
            List<Event> applied = new ArrayList<>();
            for (Event e : events) {
                if (state.apply(e).applied()) {
                    applied.add(e);
                }
                offset[0]++;
            }
            store[0].write(state, offset[0]);
        };
        Supplier<ClusterState> reopened = () -> {
            store[0].close();
            store[0] = StateStore.open(dir, StoreOptions.defaults().withHashEvery(1));
            StateStore.Loaded l = store[0].load().orElseThrow();
            assertThat(l.nextOffset()).isEqualTo(offset[0]);
            assertThat(l.state().hash()).isEqualTo(state.hash());
            assertThat(l.state().snapshot()).isEqualTo(state.snapshot());
            return l.state();
        };
        try {
            step.accept(List.of(new LeaderElected(0, 4, "fairway-0"), new QueueConfigObserved(0, """
                    partitions:
                      - name: default
                        queues:
                          - name: root
                            queues:
                              - {name: a, resources: {guaranteed: {vcore: 1}}, properties: {preemption.delay: 1s}}
                              - {name: b, resources: {guaranteed: {vcore: 1}}, properties: {preemption.delay: 1s}}
                    """, "1"),
                    new NodeObserved(0, Node.of("n0", Resources.parse(Map.of("cpu", "2", "memory", "8Gi")))),
                    new PodObserved(0, queued("uid-b0", "b-0", "root.b", 0).withNodeName("n0")
                            .withPhase(PodPhase.Running, "2")),
                    new PodObserved(0, queued("uid-b1", "b-1", "root.b", 500).withNodeName("n0")
                            .withPhase(PodPhase.Running, "2")),
                    new PodObserved(1000, queued("uid-a0", "a-0", "root.a", 1000))));
            Scheduler scheduler = new Scheduler(state, 4);
            CycleResult r = scheduler.cycle(1000);
            step.accept(List.copyOf(r.decisions()));
            scheduler.acknowledge(r.decisions());
            r = scheduler.cycle(2500);
            assertThat(r.decisions()).filteredOn(PreemptionRequested.class::isInstance).hasSize(1);
            step.accept(List.copyOf(r.decisions()));
            scheduler.acknowledge(r.decisions());
            assertThat(state.preemptions()).isEqualTo(1);

            ClusterState restored = reopened.get();
            assertThat(restored.preemptions()).isEqualTo(1);
            assertThat(restored.victimsOf("uid-a0")).containsExactly("uid-b1");
            PodState victim = restored.pod("uid-b1");
            assertThat(victim.preemptedBy()).isEqualTo("uid-a0");
            assertThat(victim.preemptedAt()).isEqualTo(2500);
            PodState preemptor = restored.pod("uid-a0");
            assertThat(preemptor.holdNode()).isEqualTo("n0");
            assertThat(preemptor.holdSince()).isEqualTo(2500);

            // the preemptor gives the room up (its victims took too long); the victim is still marked
            step.accept(List.of(new Released(3000, 4, "uid-a0", "n0", "victims took too long")));
            restored = reopened.get();
            assertThat(restored.pod("uid-a0").holdsRoom()).isFalse();
            assertThat(restored.pod("uid-b1").isPreempted()).isTrue();

            // the victim leaves
            step.accept(List.of(new PodGone(4000, "uid-b1", "3")));
            restored = reopened.get();
            assertThat(restored.victimsOf("uid-a0")).isEmpty();
            assertThat(restored.pod("uid-b1")).isNull();
        } finally {
            store[0].close();
        }
    }

    /** The state forgets its oldest pod tombstones past 65,536; the store forgets the same ones, in the same order. */
    @Test
    void tombstonesKeepTheirOrderAndAreForgottenOldestFirst() throws Exception {
        ClusterState state = new ClusterState();
        Path dir = tmp.resolve("s");
        List<Event> batch = new ArrayList<>();
        try (StateStore store = StateStore.open(dir)) {
            store.writeFull(state, 0);
            long offset = 0;
            Resources cap = Resources.of("cpu", 1000);
            for (int i = 0; i < 70_000; i++) {
                Event e = i % 7_000 == 5 ? new NodeGone(i, "node-" + (i % 3), "rv" + i)
                        : i % 7_000 == 6 ? new NodeObserved(i, new Node("node-" + (i % 3), cap, cap, Map.of(),
                        List.of(), false, true, Integer.toString(1_000_000 + i)))
                        : new PodGone(i, "gone-" + i, Integer.toString(i));
                if (state.apply(e).applied()) {
                    batch.add(e);
                }
                offset++;
                if (batch.size() == 9_000) {
                    store.write(state, offset);
                    batch.clear();
                }
            }
            store.write(state, offset);
            assertThat(state.tombstones()).hasSize(65_536);
        }
        try (StateStore store = StateStore.open(dir)) {
            ClusterState restored = store.load().orElseThrow().state();
            assertThat(restored.snapshot()).isEqualTo(state.snapshot());
            for (int i = 0; i < 100; i++) {
                PodGone more = new PodGone(100_000 + i, "more-" + i, "x" + i);
                state.apply(more);
                restored.apply(more);
            }
            assertThat(restored.hash()).as("the same tombstones are forgotten next").isEqualTo(state.hash());
        }
        try (RawStore raw = rawStore(dir)) {
            // 65,536 pod tombstones, at most 3 node tombstones, and the config, leader, counters, priority rows
            assertThat(raw.count("cluster")).as("forgotten tombstones are deleted from the store too")
                    .isLessThanOrEqualTo(65_536 + 3 + 4);
        }
    }

    @Test
    void aWriteThatWouldGoBackIsRefused() {
        try (StateStore store = StateStore.open(tmp.resolve("s"))) {
            ClusterState state = new ClusterState();
            store.writeFull(state, 10);
            assertThatThrownBy(() -> store.write(state, 9))
                    .isInstanceOf(StoreException.class)
                    .hasMessageContaining("is at offset 10")
                    .hasMessageContaining("writing offset 9 would go back");
            store.write(state, 10);
            assertThat(store.meta().nextOffset()).isEqualTo(10);
        }
    }

    @Test
    void theHashIsStoredEveryNthWriteAndOnDemand() {
        LogGenerator g = LogGenerator.inMemory(4, 20);
        List<LoggedEvent> events = all(g.log());
        ClusterState state = new ClusterState();
        try (StateStore store = StateStore.open(tmp.resolve("s"), StoreOptions.defaults().withHashEvery(3).withSync(true))) {
            store.writeFull(state, 0);
            assertThat(store.meta().hashIsCurrent()).isTrue();
            for (int w = 1; w <= 6; w++) {
                LoggedEvent e = events.get(w - 1);
                state.apply(e.event());
                store.write(state, w);
                assertThat(store.meta().hashIsCurrent()).as("write %d", w).isEqualTo(w % 3 == 0);
            }
            state.apply(events.get(6).event());
            store.write(state, 7);
            assertThat(store.meta().hashIsCurrent()).isFalse();
        }
        try (StateStore store = StateStore.open(tmp.resolve("s"))) {
            assertThat(store.meta().hashIsCurrent()).isFalse();
            ClusterState unverified = store.load().orElseThrow().state();
            assertThat(unverified.hash()).isEqualTo(state.hash());
            store.writeHash(unverified);
            assertThat(store.meta().hashIsCurrent()).isTrue();
            assertThat(store.meta().hash()).isEqualTo(state.hash());
        }
    }

    @Test
    void aCheckpointIsAStoreOfItsOwnAtTheSameOffset() {
        LogGenerator g = LogGenerator.inMemory(5, 30);
        try (StateStore store = StateStore.open(tmp.resolve("s"))) {
            store.writeFull(g.live(), g.log().endOffset());
            store.checkpoint(tmp.resolve("cp"));
            store.writeFull(new ClusterState(), g.log().endOffset() + 1);
        }
        try (StateStore cp = StateStore.open(tmp.resolve("cp"))) {
            StateStore.Loaded l = cp.load().orElseThrow();
            assertThat(l.nextOffset()).isEqualTo(g.log().endOffset());
            assertThat(l.state().hash()).isEqualTo(g.live().hash());
        }
    }

    // ---------------------------------------------------------------- damage

    private Path storeWithState() {
        LogGenerator g = LogGenerator.inMemory(6, 40);
        Path dir = tmp.resolve("s");
        try (StateStore store = StateStore.open(dir)) {
            store.writeFull(g.live(), g.log().endOffset());
            store.flush();
        }
        return dir;
    }

    private static RawStore rawStore(Path dir) throws org.rocksdb.RocksDBException {
        return new RawStore(dir);
    }

    @Test
    void aGarbledHashIsDetectedOnLoad() throws Exception {
        Path dir = storeWithState();
        try (RawStore raw = rawStore(dir)) {
            raw.put("meta", "hash", "0000garbled");
        }
        try (StateStore store = StateStore.open(dir)) {
            assertThatThrownBy(store::load)
                    .isInstanceOf(StoreCorruptException.class)
                    .hasMessageContaining("state store " + dir + " is corrupt")
                    .hasMessageContaining("is not the stored hash 0000garbled")
                    .hasMessageContaining("Delete the directory");
        }
    }

    @Test
    void aRowThatDoesNotDecodeIsNamed() throws Exception {
        Path dir = storeWithState();
        try (RawStore raw = rawStore(dir)) {
            raw.put("pods", "uid-000003", "{\"pod\": 17");
        }
        try (StateStore store = StateStore.open(dir)) {
            assertThatThrownBy(store::load)
                    .isInstanceOf(StoreCorruptException.class)
                    .hasMessageContaining("row 'uid-000003' of column family pods does not decode");
        }
    }

    @Test
    void anotherSchemaVersionIsIncompatible() throws Exception {
        Path dir = storeWithState();
        try (RawStore raw = rawStore(dir)) {
            raw.put("meta", "schemaVersion", "99");
        }
        assertThatThrownBy(() -> StateStore.open(dir))
                .isInstanceOf(StoreIncompatibleException.class)
                .hasMessageContaining("has schema version 99, this build reads " + StateStore.SCHEMA_VERSION);
    }

    @Test
    void aMissingCurrentFileIsCorruptionNotANewStore() throws IOException {
        Path dir = storeWithState();
        Files.delete(dir.resolve("CURRENT"));
        assertThatThrownBy(() -> StateStore.open(dir))
                .isInstanceOf(StoreCorruptException.class)
                .hasMessageContaining("has files but no CURRENT file");
    }

    @Test
    void aMissingSstFileIsDetected() throws IOException {
        Path dir = storeWithState();
        List<Path> ssts;
        try (Stream<Path> s = Files.list(dir)) {
            ssts = s.filter(p -> p.toString().endsWith(".sst")).toList();
        }
        assertThat(ssts).isNotEmpty();
        for (Path p : ssts) {
            Files.delete(p);
        }
        assertThatThrownBy(() -> {
            try (StateStore store = StateStore.open(dir)) {
                store.load();
            }
        }).isInstanceOf(StoreCorruptException.class).hasMessageContaining(dir.toString());
    }

    @Test
    void badOptionsAreRefusedWithTheValue() {
        assertThatThrownBy(() -> StoreOptions.defaults().withHashEvery(0))
                .hasMessageContaining("hashEvery must be 1 or more")
                .hasMessageContaining("not 0");
        assertThatThrownBy(() -> new SnapshotPolicy(-1, null, 1)).hasMessageContaining("not -1");
        assertThatThrownBy(() -> FollowerOptions.defaults().withBatchEvents(0))
                .hasMessageContaining("batchEvents must be at least 1, not 0");
    }

    @Test
    void aFullOrReadOnlyDiskIsNotADamagedStore() {
        // as RocksDB reports them (seen in the chaos suite's disk-full fault)
        assertThat(StateStore.isEnvironmentFailure(new org.rocksdb.RocksDBException(
                "While appending to file: /data/store/000000.dbtmp: No space left on device",
                new org.rocksdb.Status(org.rocksdb.Status.Code.IOError, org.rocksdb.Status.SubCode.NoSpace,
                        "No space left on device")))).isTrue();
        assertThat(StateStore.isEnvironmentFailure(new org.rocksdb.RocksDBException(
                "While open a file for appending: /data/store/LOG: Read-only file system"))).isTrue();
        assertThat(StateStore.isEnvironmentFailure(new org.rocksdb.RocksDBException(
                "Corruption: block checksum mismatch: stored = 1, computed = 2",
                new org.rocksdb.Status(org.rocksdb.Status.Code.Corruption, org.rocksdb.Status.SubCode.None,
                        "block checksum mismatch")))).isFalse();
    }
}
