package io.fairway.sandbox;

import io.fairway.core.state.AppState;
import io.fairway.core.state.ClusterState;
import io.fairway.core.state.Gang;
import io.fairway.ha.LeaderLoop;
import io.fairway.sandbox.kubelet.KubeletOptions;
import io.fairway.sandbox.kubelet.KubeletStats;
import io.fairway.sandbox.kubelet.NodeFleet;
import io.fairway.sandbox.workload.WorkloadGenerator;
import io.fairway.sandbox.workload.WorkloadOptions;
import io.fairway.sandbox.workload.WorkloadStats;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * {@code ./fairway demo}: the sandbox with a steady multi-tenant workload over the demo queues, and a short summary
 * every few seconds. Runs until {@code duration} passes or the process is interrupted (Ctrl-C).
 */
public final class Demo {
    /**
     * @param nodes         simulated nodes (a mixed fleet: CPU, ~10% GPU, ~5% FPGA)
     * @param duration      how long to run; zero runs until interrupted
     * @param every         how often to print the summary
     * @param appsPerMinute applications submitted per minute, over three tenants
     * @param seed          fleet and workload seed
     * @param replicas      scheduler replicas (one leads, the others stand by)
     * @param killLeaderEvery kill the leader this often (as SIGKILL would; it restarts 5 s later), zero for never
     * @param consolePort   the web console's port on {@link #CONSOLE_HOST}; 0 for any free one, and when it is taken
     */
    public record Options(int nodes, Duration duration, Duration every, double appsPerMinute, long seed, int replicas,
                          Duration killLeaderEvery, int consolePort) {
        /** The console listens on loopback only: the demo's reads are open and its admin token is printed. */
        public static final String CONSOLE_HOST = "127.0.0.1";
        public static final int CONSOLE_PORT = 8090;

        public Options(int nodes, Duration duration, Duration every, double appsPerMinute, long seed) {
            this(nodes, duration, every, appsPerMinute, seed, 2, Duration.ZERO, 0);
        }

        public Options {
            if (replicas < 1) {
                throw new IllegalArgumentException("--replicas must be at least 1, not " + replicas);
            }
            if (killLeaderEvery.isNegative()) {
                throw new IllegalArgumentException("--kill-leader-every must not be negative: " + killLeaderEvery);
            }
            if (!killLeaderEvery.isZero() && replicas < 2) {
                throw new IllegalArgumentException("--kill-leader-every needs --replicas 2 or more: with one replica "
                        + "nobody would take over");
            }
            if (consolePort < 0 || consolePort > 65535) {
                throw new IllegalArgumentException("--console-port must be 0..65535, not " + consolePort);
            }
            if (nodes < 1) {
                throw new IllegalArgumentException("--nodes must be at least 1, not " + nodes);
            }
            if (duration.isNegative()) {
                throw new IllegalArgumentException("--duration must not be negative: " + duration);
            }
            if (every.isNegative() || every.isZero()) {
                throw new IllegalArgumentException("--every must be positive: " + every);
            }
            if (!(appsPerMinute > 0)) {
                throw new IllegalArgumentException("--apps-per-minute must be positive, not " + appsPerMinute);
            }
        }
    }

    private Demo() {
    }

    /** A fresh admin token per run: the console writes the queue ConfigMap, so even a demo does not leave it open. */
    static String adminToken() {
        byte[] b = new byte[18];
        new java.security.SecureRandom().nextBytes(b);
        return java.util.HexFormat.of().formatHex(b);
    }

    private static SandboxConsole startConsole(SandboxCluster cluster, int port, String token) {
        var access = io.fairway.ui.access.AccessControl.tokens(
                java.util.Map.of(token, new io.fairway.ui.access.Principal("demo-admin", io.fairway.ui.access.Role.ADMIN)),
                false);
        try {
            return cluster.startConsole(access, Options.CONSOLE_HOST, port);
        } catch (RuntimeException e) {
            if (port == 0) {
                throw e;
            }
            org.slf4j.LoggerFactory.getLogger(Demo.class).warn("the console cannot listen on port {} ({}); it takes "
                    + "a free port instead (--console-port sets another)", port, e.getMessage());
            return cluster.startConsole(access, Options.CONSOLE_HOST, 0);
        }
    }

    /** Runs the demo; returns when it is over. {@code stop} ends it early (a shutdown hook counts it down). */
    public static void run(Options o, PrintWriter out, CountDownLatch stop) throws InterruptedException {
        long t0 = System.nanoTime();
        out.printf("fairway demo: starting Kafka (KRaft), the local API server, %d simulated nodes and %d scheduler "
                + "replica%s…%n", o.nodes(), o.replicas(), o.replicas() == 1 ? "" : "s");
        out.flush();
        NodeFleet fleet = NodeFleet.mixed(o.nodes(), o.seed());
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "fairway-demo-workload");
            t.setDaemon(true);
            return t;
        });
        try (SandboxCluster cluster = SandboxCluster.start(fleet, KubeletOptions.defaults()
                        .withDefaultRunTime(Duration.ofMinutes(2)).withDeleteFinishedAfter(Duration.ofSeconds(30)),
                SandboxCluster.demoQueues(), LeaderLoop.Options.defaults("replica-0"), o.replicas());
             PodTracker tracker = new PodTracker(cluster.client(), "fairway");
             WorkloadGenerator workload = new WorkloadGenerator(workload(o, fleet))) {
            workload.start(cluster.client(), timer);
            out.printf(Locale.ROOT, "ready in %.1f s: %s%n", (System.nanoTime() - t0) / 1e9, fleet.summary());
            out.printf("  kubectl --kubeconfig %s get pods -A -o wide%n", cluster.kubeconfig());
            out.printf("  fairway explain POD --data %s --kafka %s%n",
                    cluster.workDirectory().resolve("replica-0"), cluster.kafkaBootstrap());
            String token = adminToken();
            SandboxConsole console = startConsole(cluster, o.consolePort(), token);
            out.printf("  web console: %s  (reads open; to apply a queue config, enter the admin token %s)%n",
                    console.url(), token);
            out.println("  Ctrl-C stops everything");
            out.flush();
            long end = o.duration().isZero() ? Long.MAX_VALUE : System.nanoTime() + o.duration().toNanos();
            long lastAllocations = 0;
            long lastTick = System.nanoTime();
            long nextKill = o.killLeaderEvery().isZero() ? Long.MAX_VALUE
                    : System.nanoTime() + o.killLeaderEvery().toNanos();
            while (System.nanoTime() < end) {
                long wait = Math.min(o.every().toMillis(), Math.max(1, (end - System.nanoTime()) / 1_000_000));
                if (stop.await(wait, TimeUnit.MILLISECONDS)) {
                    break;
                }
                long now = System.nanoTime();
                if (now >= nextKill) {
                    String killed = cluster.killLeader(Duration.ofSeconds(5));
                    if (killed != null) {
                        out.printf(Locale.ROOT, "[%02d:%02d] killed the leader %s (as SIGKILL would; its lease runs "
                                + "out, a standby takes over; it restarts in 5 s)%n", (now - t0) / 60_000_000_000L,
                                (now - t0) / 1_000_000_000L % 60, killed);
                    }
                    nextKill = now + o.killLeaderEvery().toNanos();
                }
                // summed over the running replicas: a killed replica's count goes with it, so the rate after a kill
                // is clamped at zero for one summary
                long allocations = 0;
                for (io.fairway.ha.Replica r : cluster.replicas()) {
                    allocations += r.loop().allocations();
                }
                double rate = Math.max(0, allocations - lastAllocations) / ((now - lastTick) / 1e9);
                lastAllocations = allocations;
                lastTick = now;
                summary(out, (now - t0) / 1_000_000_000L, tracker, rate, workload.stats(),
                        cluster.kubelets().stats(), cluster.replica().failure());
                String gangs = gangsLine(cluster.replica().follower().state());
                if (gangs != null) {
                    out.println("    " + gangs);
                }
                String preemptions = preemptionsLine(cluster.replica().follower().state());
                if (preemptions != null) {
                    out.println("    " + preemptions);
                }
                out.println("    " + replicasLine(cluster));
            }
            out.println("fairway demo: stopping…");
            out.flush();
            workload.stop();
        } finally {
            timer.shutdownNow();
        }
        out.println("fairway demo: stopped");
        out.flush();
    }

    /** The demo's workload: FPGA jobs ask only for functions the fleet has programmed, so none waits for ever. */
    static WorkloadOptions workload(Options o, NodeFleet fleet) {
        WorkloadOptions.Builder b = WorkloadOptions.defaults().toBuilder().appsPerMinute(o.appsPerMinute()).seed(o.seed());
        List<String> functions = fleet.programmedFpgaFunctions();
        if (!functions.isEmpty()) {
            b.fpgaFunctions(functions);
        }
        return b.build();
    }

    /**
     * Gang apps by where their reservation stands, or null when there are none or the state changed under the read
     * (it is the replica's live state, read from another thread; the next summary tries again).
     */
    static String gangsLine(ClusterState state) {
        Map<Gang.Status, Integer> counts = new EnumMap<>(Gang.Status.class);
        try {
            for (AppState a : state.apps().values()) {
                Gang.Status st = a.gang().status();
                if (st != Gang.Status.NONE) {
                    counts.merge(st, 1, Integer::sum);
                }
            }
        } catch (RuntimeException e) {
            return null;
        }
        if (counts.isEmpty()) {
            return null;
        }
        return "gangs: " + counts.getOrDefault(Gang.Status.RESERVED, 0) + " reserved, "
                + counts.getOrDefault(Gang.Status.WAITING, 0) + " waiting, "
                + counts.getOrDefault(Gang.Status.NORMAL, 0) + " released to normal scheduling, "
                + counts.getOrDefault(Gang.Status.FAILED, 0) + " failed"
                + (counts.containsKey(Gang.Status.INVALID) ? ", " + counts.get(Gang.Status.INVALID) + " invalid" : "");
    }

    /** Preemptions applied and victims still terminating, or null before the first (or when the read raced). */
    static String preemptionsLine(ClusterState state) {
        try {
            long n = state.preemptions();
            if (n == 0) {
                return null;
            }
            long terminating = 0;
            for (io.fairway.core.state.PodState p : state.pods()) {
                if (p.isPreempted()) {
                    terminating++;
                }
            }
            return "preemptions: " + n + " applied, " + terminating + " victim(s) terminating";
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static String replicasLine(SandboxCluster cluster) {
        StringBuilder b = new StringBuilder("replicas:");
        for (io.fairway.ha.Replica r : cluster.replicas()) {
            b.append(' ').append(r.name()).append(" (").append(r.role().name().toLowerCase(Locale.ROOT));
            if (r.role() == io.fairway.ha.Replica.Role.LEADER) {
                b.append(", epoch ").append(r.loop().epoch());
            }
            b.append(')');
        }
        if (cluster.leader() == null) {
            b.append(" | nobody leads: a standby takes over when the lease runs out");
        }
        if (cluster.kills() > 0) {
            b.append(" | leaders killed: ").append(cluster.kills());
        }
        return b.toString();
    }

    private static void summary(PrintWriter out, long seconds, PodTracker tracker, double allocationsPerSecond,
                                WorkloadStats w, KubeletStats k, Throwable failure) {
        long[] lat = tracker.drainBindLatenciesMillis();
        out.printf(Locale.ROOT, "[%02d:%02d] apps %d, pods created %d | allocations %.0f/s | bind latency p50 %d ms, "
                        + "p99 %d ms | kubelets: running %d, finished %d%n", seconds / 60, seconds % 60,
                w.appsSubmitted(), w.podsCreated(), allocationsPerSecond, PodTracker.percentile(lat, 50),
                PodTracker.percentile(lat, 99), k.podsRunning(), k.podsFinished());
        for (Map.Entry<String, PodTracker.QueueCounts> e : tracker.byQueue().entrySet()) {
            PodTracker.QueueCounts c = e.getValue();
            out.printf(Locale.ROOT, "    %-24s pending %5d  running %5d  done %6d%n", e.getKey(), c.pending(),
                    c.running(), c.done());
        }
        if (failure != null) {
            out.println("    the scheduler stopped: " + failure);
        }
        out.flush();
    }
}
