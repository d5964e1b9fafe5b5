package io.fairway.cli.bench;

import io.fairway.core.events.Decision;
import io.fairway.core.events.Allocated;
import io.fairway.core.events.Event;
import io.fairway.core.events.LeaderElected;
import io.fairway.core.events.Observation;
import io.fairway.core.events.PodObserved;
import io.fairway.core.objects.PodPhase;
import io.fairway.core.scheduler.CycleResult;
import io.fairway.core.scheduler.Scheduler;
import io.fairway.core.state.ApplyResult;
import io.fairway.core.state.ClusterState;
import io.fairway.core.state.PodState;
import io.fairway.log.EventLog;
import io.fairway.log.kafka.KafkaEventLog;
import io.fairway.log.kafka.KafkaEventLogConfig;
import io.fairway.store.FollowerOptions;
import io.fairway.store.Recovery;
import io.fairway.store.SnapshotArchive;
import io.fairway.store.SnapshotManifest;
import io.fairway.store.SnapshotSource;
import io.fairway.store.Snapshots;
import io.fairway.store.StateFollower;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * How fast a replica with a large store is useful again after a restart: a log of a big cluster (nodes, pods
 * observed, placed by a real scheduler and seen bound) is written to Kafka, a first replica builds its store from it
 * and stops, then a second start on that store is timed: opening the log, opening the store and loading its state
 * (hash checked), catching up with the log. The JVM is already running: its own start comes on top.
 */
public final class RestartBenchmark {
    /** Observations are appended in chunks of this many: large enough to batch, small enough for one request. */
    private static final int CHUNK = 5000;

    private RestartBenchmark() {
    }

    /**
     * @param events         events in the log the store was built from
     * @param storeBytes     the store's size on disk after the first replica stopped
     * @param pods           pods in the state
     * @param buildSeconds   the first replica building its store from the whole log
     * @param openLogSeconds the restart opening its Kafka client to the log
     * @param recovery       the restart's recovery (open and load, then catch-up)
     * @param liveHeapBytes  the heap in use after a full GC with the restarted state loaded (the embedded broker's
     *                       included when there is one)
     * @param hashMatches    the restarted state equals the state the log was written from
     * @param processRuns    the restarts of {@code fairway run} as a process of its own, in order (none unless asked)
     * @param join           a new replica joining from the restarted one's snapshot
     */
    public record Result(long events, long storeBytes, int nodes, int pods, double buildSeconds,
                         double openLogSeconds, Recovery recovery, long liveHeapBytes, boolean hashMatches,
                         List<ProcessRestart.Run> processRuns, Join join) {
        /** Open the log, open and load the store, catch up: what a restart costs beside the JVM's start. */
        public double restartSeconds() {
            return openLogSeconds + recovery.seconds();
        }
    }

    /**
     * A brand-new replica started from the snapshot another one serves: the snapshot's manifest made and its archive
     * written (what the serving replica does), then unpacked, checked, restored, loaded and caught up (what the new
     * one does). The archive goes through memory here, not a network.
     *
     * @param archiveSeconds the manifest (every file's SHA-256) and the archive written
     * @param archiveBytes   the archive's size
     * @param recovery       the new replica's recovery: its load includes unpacking and checking the archive
     * @param hashMatches    the joined state equals the state the log was written from
     */
    public record Join(double archiveSeconds, long archiveBytes, Recovery recovery, boolean hashMatches) {
        public double seconds() {
            return archiveSeconds + recovery.seconds();
        }
    }

    /**
     * Restarts of {@code fairway run} as a process after the in-process one: {@code runs} starts on the same store, each
     * JVM with this one's flags and {@code jvmOptions} after them.
     */
    public record ProcessRuns(int runs, List<String> jvmOptions) {
        public static final ProcessRuns NONE = new ProcessRuns(0, List.of());
    }

    public static Result run(String bootstrapServers, int nodes, int pods, long seed) throws Exception {
        return run(bootstrapServers, nodes, pods, seed, ProcessRuns.NONE);
    }

    public static Result run(String bootstrapServers, int nodes, int pods, long seed, ProcessRuns processRuns)
            throws Exception {
        KafkaEventLogConfig config = KafkaEventLogConfig.of(bootstrapServers)
                .withTopic("fairway.bench.restart." + System.currentTimeMillis());
        String leaderHash;
        long events;
        try (KafkaEventLog log = KafkaEventLog.open(config)) {
            leaderHash = writeCluster(log, nodes, pods, seed);
            events = log.endOffset();
        }
        Path dataDir = Files.createTempDirectory("fairway-bench-restart");
        try {
            double buildSeconds;
            try (KafkaEventLog log = KafkaEventLog.open(config)) {
                long t0 = System.nanoTime();
                try (StateFollower first = StateFollower.recover(dataDir, log)) {
                    buildSeconds = (System.nanoTime() - t0) / 1e9;
                }
            }
            long storeBytes = ReplayFootprint.bytesUnder(dataDir.resolve(StateFollower.STORE_DIR));
            // a full collection now, so that the first replica's garbage is not collected during the timed restart
            ReplayFootprint.liveHeapBytes();
            long t0 = System.nanoTime();
            ClusterState s;
            double openLog;
            long heap;
            Recovery recovery;
            try (KafkaEventLog log = KafkaEventLog.open(config)) {
                openLog = (System.nanoTime() - t0) / 1e9;
                try (StateFollower restarted = StateFollower.recover(dataDir, log)) {
                    s = restarted.state();
                    heap = ReplayFootprint.liveHeapBytes();
                    recovery = restarted.recovery();
                }
            }
            Join join = join(config, dataDir, leaderHash);
            List<ProcessRestart.Run> runs = new ArrayList<>();
            if (processRuns.runs() > 0) {
                Path work = Files.createTempDirectory("fairway-bench-restart-run");
                try (ProcessRestart.Cluster cluster = ProcessRestart.Cluster.of(s, work)) {
                    for (int i = 0; i < processRuns.runs(); i++) {
                        runs.add(ProcessRestart.start(cluster, bootstrapServers, config.topic(), dataDir,
                                processRuns.jvmOptions(), work));
                    }
                } finally {
                    Snapshots.deleteTree(work);
                }
            }
            return new Result(events, storeBytes, s.nodes().size(), s.pods().size(), buildSeconds, openLog, recovery,
                    heap, s.hash().equals(leaderHash), List.copyOf(runs), join);
        } finally {
            Snapshots.deleteTree(dataDir);
        }
    }

    private static Join join(KafkaEventLogConfig config, Path dataDir, String leaderHash) throws IOException {
        Path joinDir = Files.createTempDirectory("fairway-bench-join");
        try (KafkaEventLog log = KafkaEventLog.open(config)) {
            Snapshots.Snapshot snap;
            try (StateFollower peer = StateFollower.recover(dataDir, log)) {
                snap = peer.snapshot();
            }
            ReplayFootprint.liveHeapBytes();
            long t0 = System.nanoTime();
            SnapshotManifest manifest = SnapshotArchive.manifest(snap.path());
            ByteArrayOutputStream archive = new ByteArrayOutputStream();
            SnapshotArchive.write(snap.path(), manifest, archive);
            double archiveSeconds = (System.nanoTime() - t0) / 1e9;
            byte[] bytes = archive.toByteArray();
            SnapshotSource peer = (from, to, into) -> Optional.of(new SnapshotSource.Fetched(into,
                    SnapshotArchive.read(new ByteArrayInputStream(bytes), into, "the bench's peer"), "the bench's peer"));
            try (StateFollower joined = StateFollower.recover(joinDir.resolve("data"), log,
                    FollowerOptions.defaults().withPeers(peer))) {
                if (joined.recovery().source() != Recovery.Source.PEER) {
                    throw new IllegalStateException("the joining replica did not start from the peer's snapshot but "
                            + "from " + joined.recovery().source() + ": " + joined.recovery().reason());
                }
                return new Join(archiveSeconds, bytes.length, joined.recovery(),
                        joined.state().hash().equals(leaderHash));
            }
        } finally {
            Snapshots.deleteTree(joinDir);
        }
    }

    /**
     * Writes the cluster to the log as a replica would have seen it: the config, the nodes and the pods observed,
     * each cycle's decisions, and every placed pod observed bound and running. Returns the hash of the state written.
     */
    private static String writeCluster(EventLog log, int nodes, int pods, long seed) {
        ClusterState leader = new ClusterState();
        try (EventLog.DecisionWriter writer = log.openDecisionWriter(1)) {
            Sink sink = new Sink(log, writer, leader);
            // bench core's tree: 100 leaf queues, 1000 apps
            SyntheticClusterLoader.load(leader, sink::apply, nodes, pods, 100, 1000, seed, "fair",
                    SyntheticClusterLoader.Shape.classic(nodes));
            Scheduler scheduler = new Scheduler(leader, leader.leaderEpoch(), 5000);
            long time = 1;
            while (true) {
                CycleResult r = scheduler.cycle(time);
                sink.flush();
                if (!r.decisions().isEmpty()) {
                    writer.append(r.decisions());
                    r.decisions().forEach(leader::apply);
                }
                scheduler.acknowledge(r.decisions());
                for (Decision d : r.decisions()) {
                    if (d instanceof Allocated a) {
                        PodState p = leader.pod(a.podUid());
                        if (p != null) {
                            sink.apply(new PodObserved(time, p.pod().withNodeName(a.nodeName())
                                    .withPhase(PodPhase.Running, "2")));
                        }
                    }
                }
                sink.flush();
                if (r.allocations() == 0) {
                    break;
                }
                time += 1000;
            }
        }
        return leader.hash();
    }

    /** Applies each event to the leader's state and logs it in order: observations in chunks, decisions at once. */
    private static final class Sink {
        private final EventLog log;
        private final EventLog.DecisionWriter writer;
        private final ClusterState leader;
        private final List<Observation> pending = new ArrayList<>();

        Sink(EventLog log, EventLog.DecisionWriter writer, ClusterState leader) {
            this.log = log;
            this.writer = writer;
            this.leader = leader;
        }

        ApplyResult apply(Event e) {
            switch (e) {
                case Observation o -> {
                    pending.add(o);
                    if (pending.size() >= CHUNK) {
                        flush();
                    }
                }
                case LeaderElected l -> {
                    flush();
                    writer.append(List.of(l));
                }
                default -> throw new IllegalArgumentException("the loader hands observations and the election, not "
                        + e.getClass().getSimpleName());
            }
            return leader.apply(e);
        }

        void flush() {
            if (!pending.isEmpty()) {
                log.append(pending);
                pending.clear();
            }
        }
    }
}
