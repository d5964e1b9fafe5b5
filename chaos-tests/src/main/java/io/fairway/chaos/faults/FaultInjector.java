package io.fairway.chaos.faults;

import io.fairway.chaos.FaultProxy;
import io.fairway.chaos.check.Window;
import io.fairway.chaos.harness.ChaosCluster;
import io.fairway.chaos.harness.ReplicaProcess;
import io.fairway.store.Snapshots;
import io.fairway.store.StateFollower;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Injects one fault at a time into a {@link ChaosCluster} and undoes it, returning what it did. Times a replica was
 * kept from acting (stopped, held, cut from the API server) go to {@code held}, for the checker.
 */
public final class FaultInjector {
    private static final Logger LOG = LoggerFactory.getLogger(FaultInjector.class);
    private static final Duration RESTART_AFTER = Duration.ofSeconds(3);

    private final ChaosCluster cluster;
    private final Random random;
    private final Consumer<Window> held;
    private final long lease;
    /** What the fault being injected found wrong beyond the invariants, if anything. */
    private String finding;

    public FaultInjector(ChaosCluster cluster, long seed, Consumer<Window> held, Duration lease) {
        this.cluster = cluster;
        this.random = new Random(seed ^ 0x5DEECE66DL);
        this.held = held;
        this.lease = lease.toMillis();
    }

    public Injected inject(FaultKind kind) {
        long start = System.currentTimeMillis();
        try {
            String target = switch (kind) {
                case LEADER_KILL -> killReplica(leader());
                case FOLLOWER_KILL -> killReplica(follower());
                case LEADER_PAUSE -> pause(leader(), 2 * lease + 1_000);
                case LEADER_PAUSE_AFTER_COMMIT -> pauseAfterCommit(leader());
                case BROKER_KILL -> killBroker(false);
                case PARTITION_LEADER_KILL -> killBroker(true);
                case ALL_BROKERS_DOWN -> allBrokersDown();
                case API_ERRORS -> apiFaults("{\"errorShare\":0.33,\"seed\":" + random.nextInt(1000) + "}", 8_000);
                case API_THROTTLE -> apiFaults("{\"throttleShare\":0.33,\"retryAfterSeconds\":1,\"seed\":"
                        + random.nextInt(1000) + "}", 8_000);
                case API_LATENCY -> apiFaults("{\"latencyMs\":300}", 8_000);
                case API_WATCH_CUT -> {
                    cluster.api().cutWatches();
                    yield "apiserver";
                }
                case API_GONE_ON_REWATCH -> {
                    cluster.api().faults("{\"goneOnRewatch\":true}");
                    cluster.api().cutWatches();
                    sleep(6_000);
                    cluster.api().faults("{}");
                    yield "apiserver";
                }
                case API_RESTART -> {
                    cluster.api().restart(RESTART_AFTER);
                    yield "apiserver";
                }
                case LEADER_CUT_FROM_KAFKA -> cut(leader(), true, false, 3 * lease);
                case LEADER_CUT_FROM_API -> cut(leader(), false, true, 3 * lease);
                case FOLLOWER_CUT_FROM_BOTH -> cut(follower(), true, true, 6_000);
                case LEADER_KAFKA_SLOW -> slowKafka(leader());
                case LEADER_ONE_WAY_DROP -> oneWay(leader());
                case LEADER_CONNECTIONS_RESET -> reset(leader());
                case STORE_DELETED -> damageStore(follower(), false);
                case STORE_TRUNCATED -> damageStore(follower(), true);
                case DISK_FULL -> diskFull();
                case CPU_BURSTS -> bursts(leader());
                case CPU_HOG -> hog();
            };
            String found = finding;
            finding = null;
            return new Injected(kind, target, start, System.currentTimeMillis(), null, found);
        } catch (Skip s) {
            return new Injected(kind, "", start, System.currentTimeMillis(), s.getMessage(), null);
        }
    }

    /** This fault cannot be injected now or here; the report says why. */
    private static final class Skip extends RuntimeException {
        Skip(String why) {
            super(why, null, false, false);
        }
    }

    private ReplicaProcess leader() {
        ReplicaProcess l = cluster.awaitLeader(Duration.ofSeconds(30));
        if (l == null) {
            throw new Skip("no replica led within 30 s");
        }
        return l;
    }

    private ReplicaProcess follower() {
        ReplicaProcess f = cluster.follower();
        if (f == null) {
            throw new Skip("no follower is running");
        }
        return f;
    }

    private String killReplica(ReplicaProcess r) {
        r.process().kill();
        sleep(RESTART_AFTER.toMillis());
        r.start();
        return r.name();
    }

    private String pause(ReplicaProcess r, long millis) {
        long from = System.currentTimeMillis();
        r.process().stop();
        sleep(millis);
        r.process().resume();
        held.accept(new Window(r.agent(), from, System.currentTimeMillis(), "SIGSTOP"));
        return r.name();
    }

    /**
     * Arms the failpoint and waits for the leader to say it holds there, having committed a cycle; stops it there for
     * longer than its lease, so that its binds are sent (or rather withdrawn) only after another replica leads.
     */
    private String pauseAfterCommit(ReplicaProcess r) {
        Path arm = cluster.directory().resolve("chaos").resolve("failpoint-" + r.name());
        long hold = 2 * lease + 3_000;
        try {
            Files.writeString(arm, Long.toString(hold));
        } catch (IOException e) {
            throw new Skip("cannot arm the failpoint " + arm + ": " + e.getMessage());
        }
        int before = r.process().linesMatching(HOLDING);
        long deadline = System.currentTimeMillis() + 30_000;
        while (r.process().linesMatching(HOLDING) == before) {
            if (System.currentTimeMillis() > deadline || !r.alive()) {
                try {
                    Files.deleteIfExists(arm);
                } catch (IOException e) {
                    LOG.debug("chaos: removing {}: {}", arm, e.toString());
                }
                throw new Skip("the leader committed no cycle within 30 s, so the failpoint never held it");
            }
            sleep(5);
        }
        long from = System.currentTimeMillis();
        r.process().stop();
        sleep(2 * lease + 1_000);
        r.process().resume();
        held.accept(new Window(r.agent(), from, System.currentTimeMillis(), "SIGSTOP at the failpoint"));
        sleep(hold);
        return r.name();
    }

    private static final Pattern HOLDING = Pattern.compile("chaos: failpoint after-commit holding");

    private String killBroker(boolean partitionLeader) {
        int leaderNode = cluster.kafka().partitionLeader(ChaosCluster.TOPIC, 0);
        List<Integer> candidates = new ArrayList<>();
        for (int b = 1; b <= 3; b++) {
            boolean leads = b == leaderNode;
            if (cluster.kafka().running(b) && leads == partitionLeader) {
                candidates.add(b);
            }
        }
        if (candidates.isEmpty()) {
            throw new Skip("no running broker " + (partitionLeader ? "leads" : "follows") + " the partition");
        }
        int b = candidates.get(random.nextInt(candidates.size()));
        cluster.kafka().kill(b);
        sleep(8_000);
        cluster.kafka().restart(b);
        return "broker-" + b;
    }

    private String allBrokersDown() {
        for (int b = 1; b <= 3; b++) {
            cluster.kafka().kill(b);
        }
        sleep(20_000);
        cluster.kafka().restart(1, 2, 3);
        return "all brokers";
    }

    private String apiFaults(String json, long millis) {
        cluster.api().faults(json);
        sleep(millis);
        cluster.api().faults("{}");
        return "apiserver";
    }

    private String cut(ReplicaProcess r, boolean kafka, boolean api, long millis) {
        long from = System.currentTimeMillis();
        if (kafka) {
            cluster.cutFromKafka(r.name(), true);
        }
        if (api) {
            cluster.apiProxy(r.name()).partition();
        }
        sleep(millis);
        if (kafka) {
            cluster.cutFromKafka(r.name(), false);
        }
        if (api) {
            cluster.apiProxy(r.name()).clear();
        }
        if (api) {
            held.accept(new Window(r.agent(), from, System.currentTimeMillis(), "cut from the API server"));
        }
        return r.name();
    }

    private String slowKafka(ReplicaProcess r) {
        List<FaultProxy> proxies = proxies(r, true, false);
        if (proxies.isEmpty()) {
            throw new Skip("the brokers are containers: slowing a path needs the process brokers' fault proxies");
        }
        proxies.forEach(p -> p.latency(Duration.ofMillis(200)).bandwidth(256 * 1024));
        sleep(8_000);
        proxies.forEach(FaultProxy::clear);
        return r.name();
    }

    private String oneWay(ReplicaProcess r) {
        FaultProxy p = cluster.apiProxy(r.name());
        long from = System.currentTimeMillis();
        p.stall(FaultProxy.Direction.TO_CLIENT);
        sleep(3 * lease);
        p.clear();
        held.accept(new Window(r.agent(), from, System.currentTimeMillis(), "answers from the API server stalled"));
        return r.name();
    }

    private String reset(ReplicaProcess r) {
        proxies(r, true, true).forEach(FaultProxy::resetConnections);
        return r.name();
    }

    private List<FaultProxy> proxies(ReplicaProcess r, boolean kafka, boolean api) {
        List<FaultProxy> out = new ArrayList<>();
        if (kafka) {
            out.addAll(cluster.kafkaProxies(r.name()));
        }
        if (api) {
            out.add(cluster.apiProxy(r.name()));
        }
        return out;
    }

    private String damageStore(ReplicaProcess r, boolean truncate) {
        r.process().kill();
        Path data = r.dataDir();
        try {
            if (truncate) {
                Path largest;
                try (Stream<Path> files = Files.walk(data)) {
                    largest = files.filter(Files::isRegularFile).max(Comparator.comparingLong(FaultInjector::size))
                            .orElse(null);
                }
                if (largest != null) {
                    try (RandomAccessFile f = new RandomAccessFile(largest.toFile(), "rw")) {
                        f.setLength(f.length() / 2);
                    }
                }
            } else {
                Snapshots.deleteTree(data);
            }
        } catch (IOException e) {
            LOG.warn("chaos: damaging the store of {} failed: {}", r.name(), e.toString());
        }
        sleep(1_000);
        r.start();
        return r.name();
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            return 0;
        }
    }

    /**
     * Fills the disk under a replica's store, stops the replica and starts it on the full disk: it must refuse to
     * start with an error that says so (not run on a store it cannot write); with room again it recovers.
     */
    private String diskFull() {
        DiskFull disk = cluster.diskFull();
        if (disk == null) {
            throw new Skip(cluster.diskFullWhyNot());
        }
        ReplicaProcess r = cluster.replica(disk.replica());
        Path corrupt = r.dataDir().resolve(StateFollower.CORRUPT_DIR);
        long corruptBefore = corrupt.toFile().lastModified();
        disk.fill();
        try {
            r.process().kill();
            try {
                r.start();
                finding = r.name() + " started on a full disk";
            } catch (IllegalStateException e) {
                LOG.info("chaos: {} did not start on a full disk, as it should not: {}", r.name(), e.getMessage());
                r.process().kill();
            }
        } finally {
            disk.free();
        }
        if (corrupt.toFile().lastModified() != corruptBefore) {
            finding = r.name() + " moved its store aside as damaged when the disk was full";
        }
        if (!r.alive()) {
            r.start();
        }
        return r.name();
    }

    private String bursts(ReplicaProcess r) {
        long end = System.currentTimeMillis() + 8_000;
        while (System.currentTimeMillis() < end && r.alive()) {
            long from = System.currentTimeMillis();
            r.process().stop();
            sleep(200 + random.nextInt(600));
            r.process().resume();
            held.accept(new Window(r.agent(), from, System.currentTimeMillis(), "SIGSTOP burst"));
            sleep(200 + random.nextInt(400));
        }
        return r.name();
    }

    private String hog() {
        List<Process> hogs = new ArrayList<>();
        try {
            for (int i = 0; i < Runtime.getRuntime().availableProcessors(); i++) {
                hogs.add(new ProcessBuilder("sh", "-c", "while :; do :; done").start());
            }
            sleep(10_000);
        } catch (IOException e) {
            throw new Skip("cannot start a hog process: " + e.getMessage());
        } finally {
            hogs.forEach(Process::destroyForcibly);
        }
        return "machine";
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
