package io.fairway.sandbox;

import io.fairway.core.state.AppState;
import io.fairway.core.state.ClusterState;
import io.fairway.core.state.Gang;
import io.fairway.core.state.PodState;
import io.fairway.ha.Replica;
import io.fairway.ui.Leadership;
import io.fairway.ui.ReadView;
import io.fairway.ha.LeaderLoop;
import io.fairway.sandbox.kubelet.KubeletOptions;
import io.fairway.sandbox.kubelet.NodeFleet;
import io.fairway.sandbox.workload.WorkloadGenerator;
import io.fairway.sandbox.workload.WorkloadOptions;
import io.fairway.sandbox.workload.WorkloadStats;
import io.fairway.server.ConsoleServer;
import io.fairway.ui.access.AccessControl;
import io.fairway.ui.access.Principal;
import io.fairway.ui.access.Role;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * {@code ./fairway demo}: the sandbox with a steady multi-tenant workload over the demo queues, and a short summary
 * every few seconds, timed from ready: per queue the scheduler placed apps in (its state, not the pods' labels) the
 * pods pending and running now and completed so far, the leader and every fail-over (planned by
 * {@code --kill-leader-every} or not). At the end, the totals and three things to try. Runs until {@code duration}
 * passes from ready or {@code stop} is counted down (Ctrl-C).
 */
public final class Demo {
    /**
     * @param nodes         simulated nodes (a mixed fleet: CPU, ~10% GPU, ~5% FPGA)
     * @param duration      how long to run; zero runs until interrupted
     * @param every         how often to print the summary
     * @param appsPerMinute applications submitted per minute, over three tenants
     * @param seed          fleet and workload seed
     * @param replicas      scheduler replicas (one leads, the others stand by)
     * @param killLeaderEvery kill the leader this often (as SIGKILL would; it restarts 5 s later; none in the last
     *                        {@link #NO_KILL_BEFORE_END} of a run), zero for never
     * @param consolePort   the web console's port on {@link #CONSOLE_HOST}; 0 for any free one, and when it is taken
     */
    public record Options(int nodes, Duration duration, Duration every, double appsPerMinute, long seed, int replicas,
                          Duration killLeaderEvery, int consolePort, SandboxCluster.ApiServerKind apiServer) {
        /** The console listens on loopback only: the demo's reads are open and its admin token is printed. */
        public static final String CONSOLE_HOST = "127.0.0.1";
        public static final int CONSOLE_PORT = 8090;

        public Options(int nodes, Duration duration, Duration every, double appsPerMinute, long seed) {
            this(nodes, duration, every, appsPerMinute, seed, 2, Duration.ZERO, 0, SandboxCluster.ApiServerKind.LOCAL);
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
        return HexFormat.of().formatHex(b);
    }

    /** No kill this close to the end: the take-over would not be seen. */
    static final Duration NO_KILL_BEFORE_END = Duration.ofSeconds(10);
    /** How long a killed replica stays down before it restarts from its store, as Kubernetes would restart its pod. */
    static final Duration RESTART_AFTER = Duration.ofSeconds(5);

    private static SandboxConsole startConsole(SandboxCluster cluster, int port, String token, List<String> notes) {
        var access = AccessControl.tokens(
                Map.of(token, new Principal("demo-admin", Role.ADMIN)),
                false);
        try {
            return cluster.startConsole(access, Options.CONSOLE_HOST, port);
        } catch (RuntimeException e) {
            if (port == 0) {
                throw e;
            }
            LOG.info("the console cannot listen on port {} ({}); it takes a free port instead", port, e.getMessage());
            notes.add("port " + port + " is taken; --console-port sets another");
            return cluster.startConsole(access, Options.CONSOLE_HOST, 0);
        }
    }

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Demo.class);

    /** Runs the demo; returns when it is over. {@code stop} ends it early (Ctrl-C counts it down). */
    public static void run(Options o, PrintWriter out, CountDownLatch stop) throws InterruptedException {
        long t0 = System.nanoTime();
        print(out, DemoBoard.wrap(String.format(Locale.ROOT, "fairway demo: starting Kafka (KRaft), %s, %d simulated "
                + "nodes, %d scheduler replica%s…", o.apiServer() == SandboxCluster.ApiServerKind.REAL
                ? "a real etcd + kube-apiserver (--apiserver real; built from their Go modules the first time, about "
                + "9 minutes), RBAC on" : "the local API server (--apiserver real for etcd + kube-apiserver)",
                o.nodes(), o.replicas(), o.replicas() == 1 ? "" : "s"), DemoBoard.WIDTH, "    "));
        out.flush();
        NodeFleet fleet = NodeFleet.mixed(o.nodes(), o.seed());
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "fairway-demo-workload");
            t.setDaemon(true);
            return t;
        });
        try (SandboxCluster cluster = SandboxCluster.start(fleet, KubeletOptions.defaults()
                        .withDefaultRunTime(Duration.ofMinutes(2)).withDeleteFinishedAfter(Duration.ofSeconds(30)),
                SandboxCluster.demoQueues(), LeaderLoop.Options.defaults("replica-0"), o.replicas(), o.apiServer());
             PodTracker tracker = new PodTracker(cluster.client(), "fairway");
             WorkloadGenerator workload = new WorkloadGenerator(workload(o, fleet))) {
            String token = adminToken();
            List<String> notes = new ArrayList<>();
            SandboxConsole console = startConsole(cluster, o.consolePort(), token, notes);
            workload.start(cluster.client(), timer);
            long ready = System.nanoTime();
            long readyMillis = System.currentTimeMillis();
            print(out, DemoBoard.wrap(String.format(Locale.ROOT, "ready in %.1f s: %s", (ready - t0) / 1e9,
                    fleet.summary()), DemoBoard.WIDTH, "    "));
            print(out, DemoBoard.wrap(String.format(Locale.ROOT, "  %-16s %s  (reads are open%s)", "the console",
                    console.url(), notes.isEmpty() ? "" : "; " + String.join("; ", notes)), DemoBoard.WIDTH,
                    " ".repeat(19)));
            out.printf(Locale.ROOT, "  %-16s admin token %s (to apply a queue config)%n", "", token);
            print(out, DemoBoard.command("kubectl", "kubectl --kubeconfig " + cluster.kubeconfig()
                    + " get pods -A -o wide"));
            print(out, DemoBoard.command("replay the log", replayCommand(cluster)));
            out.println("  " + (o.duration().isZero() ? "runs until Ctrl-C"
                    : "runs " + human(o.duration()) + " from now (--duration); Ctrl-C stops it sooner")
                    + (o.killLeaderEvery().isZero() ? ""
                    : "; kills the leader every " + human(o.killLeaderEvery())));
            out.println(DemoBoard.LEGEND);
            out.flush();
            DemoBoard board = new DemoBoard();
            loop(o, out, stop, cluster, tracker, workload, board, ready, readyMillis);
            // no new pods from here: the totals are of a workload that stands still
            workload.stop();
            awaitFreshView(cluster);
            finish(out, cluster, tracker, workload, board, ready, readyMillis, console.url(), token);
            out.println("fairway demo: stopping…");
            out.flush();
        } finally {
            timer.shutdownNow();
        }
        out.println("fairway demo: stopped");
        out.flush();
    }

    private static void loop(Options o, PrintWriter out, CountDownLatch stop, SandboxCluster cluster,
                             PodTracker tracker, WorkloadGenerator workload, DemoBoard board, long ready,
                             long readyMillis) throws InterruptedException {
        long end = o.duration().isZero() ? Long.MAX_VALUE : ready + o.duration().toNanos();
        long every = o.every().toNanos();
        long nextSummary = ready + every;
        long killEvery = o.killLeaderEvery().toNanos();
        long nextKill = killEvery == 0 ? Long.MAX_VALUE : ready + killEvery;
        long lastBound = tracker.bound();
        long lastTick = ready;
        boolean tried = false;
        while (true) {
            long now = System.nanoTime();
            long next = Math.min(Math.min(nextSummary, nextKill), end);
            if (next > now && stop.await(next - now, TimeUnit.NANOSECONDS)) {
                return;
            }
            now = System.nanoTime();
            if (now >= end) {
                return;
            }
            if (now >= nextKill) {
                nextKill += killEvery;
                if (end - now >= NO_KILL_BEFORE_END.toNanos()) {
                    String killed = cluster.killLeader(RESTART_AFTER);
                    if (killed != null) {
                        board.killed((now - ready) / 1_000_000, killed);
                        // the replicas line says when it is back (down, then standby)
                        out.println(DemoBoard.clock((now - ready) / 1_000_000_000L) + " killed " + killed
                                + " (as SIGKILL would); a standby leads once its lease runs out");
                    }
                }
            }
            if (now < nextSummary) {
                continue;
            }
            nextSummary += every * Math.max(1, (now - nextSummary) / every + 1);
            long seconds = (now - ready) / 1_000_000_000L;
            ReadView view = view(cluster);
            print(out, board.termLines(view, readyMillis, name -> stepDownOf(cluster, name)));
            long bound = tracker.bound();
            double rate = (bound - lastBound) / ((now - lastTick) / 1e9);
            lastBound = bound;
            lastTick = now;
            long[] lat = tracker.drainBindLatenciesMillis();
            WorkloadStats w = workload.stats();
            out.printf(Locale.ROOT, "%s apps %d, pods %d | bound %d, %.0f/s | bind latency p50 %d ms, p99 %d ms%n",
                    DemoBoard.clock(seconds), w.appsSubmitted(), w.podsCreated(), bound, rate,
                    PodTracker.percentile(lat, 50), PodTracker.percentile(lat, 99));
            print(out, DemoBoard.table(board.rows(view, tracker.completedByApp())));
            Replica serving = cluster.replica();
            String gangs = gangsLine(serving.follower().state());
            if (gangs != null) {
                out.println("    " + gangs);
            }
            String preemptions = preemptionsLine(serving.follower().state());
            if (preemptions != null) {
                out.println("    " + preemptions);
            }
            print(out, DemoBoard.wrap("    " + DemoBoard.replicas(cluster.replicaNames(), leaderships(cluster),
                    view == null ? 0 : view.summary().leaderEpoch(), board.plannedFailovers()), DemoBoard.WIDTH,
                    "      "));
            if (serving.failure() != null) {
                out.println("    the scheduler stopped: " + serving.failure());
            }
            String pod = tracker.firstBound();
            if (!tried && pod != null) {
                tried = true;
                print(out, DemoBoard.command("a pod's story", explainCommand(cluster, pod)));
            }
            out.flush();
        }
    }

    /** The totals, the leader and its fail-overs, and three things to try, while everything is still up. */
    private static void finish(PrintWriter out, SandboxCluster cluster, PodTracker tracker, WorkloadGenerator workload,
                               DemoBoard board, long ready, long readyMillis, String consoleUrl, String token) {
        long seconds = (System.nanoTime() - ready) / 1_000_000_000L;
        ReadView view = view(cluster);
        // a take-over since the last summary
        print(out, board.termLines(view, readyMillis, name -> stepDownOf(cluster, name)));
        WorkloadStats w = workload.stats();
        long[] lat = tracker.allBindLatenciesMillis();
        out.println("fairway demo: ran " + human(Duration.ofSeconds(seconds)) + " from ready");
        print(out, DemoBoard.wrap(String.format(Locale.ROOT, "  totals: %d apps, %d pods created, %d bound, %d "
                        + "completed; now %d pending, %d running", w.appsSubmitted(), w.podsCreated(),
                tracker.bound(), tracker.completed(), view == null ? 0 : view.summary().pendingPods(),
                view == null ? 0 : view.summary().runningPods()), DemoBoard.WIDTH, "    "));
        print(out, DemoBoard.wrap(String.format(Locale.ROOT, "  bind latency p50 %d ms, p99 %d ms over %d binds; "
                        + "preemptions %d", PodTracker.percentile(lat, 50), PodTracker.percentile(lat, 99), lat.length,
                view == null ? 0 : view.summary().preemptions()), DemoBoard.WIDTH, "    "));
        Replica leader = cluster.leader();
        long epoch = view == null ? 0 : view.summary().leaderEpoch();
        out.println("  leader: " + (leader != null ? leader.name() + " (epoch " + leader.loop().epoch() + ")" : "none")
                + ", " + DemoBoard.failoverCount(epoch, board.plannedFailovers())
                .replace("fail-overs ", "fail-overs: "));
        out.println("try next, with a demo running (./fairway demo runs until Ctrl-C):");
        String pod = tracker.lastCompleted() != null ? tracker.lastCompleted() : tracker.firstBound();
        if (pod != null) {
            print(out, DemoBoard.command("a pod's story", explainCommand(cluster, pod)));
        }
        print(out, DemoBoard.wrap(String.format(Locale.ROOT, "  %-16s %s  (admin token %s)", "the console",
                consoleUrl, token), DemoBoard.WIDTH, " ".repeat(21)));
        print(out, DemoBoard.command("replay the log", replayCommand(cluster)));
        out.flush();
    }

    private static String explainCommand(SandboxCluster cluster, String pod) {
        return "./fairway explain " + pod + " --data " + cluster.workDirectory().resolve(cluster.replica().name());
    }

    private static String replayCommand(SandboxCluster cluster) {
        return "./fairway replay --kafka " + cluster.kafkaBootstrap();
    }

    /** Why {@code replica} last stepped down ("stepped down: …"), if it still runs and did; else "". */
    private static String stepDownOf(SandboxCluster cluster, String replica) {
        for (Replica r : cluster.replicas()) {
            if (r.name().equals(replica) && r.stepDowns() > 0) {
                return "stepped down: " + r.lastStepDown();
            }
        }
        return "";
    }

    /**
     * Waits (2 s at most) for a read view copied after now: one that has applied what the last pods created and bound
     * just before made the scheduler decide.
     */
    private static void awaitFreshView(SandboxCluster cluster) throws InterruptedException {
        long after = System.currentTimeMillis();
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (System.nanoTime() < deadline) {
            ReadView v = view(cluster);
            if (v != null && v.copiedAtMillis() > after) {
                return;
            }
            Thread.sleep(50);
        }
    }

    /** The leader's read view, else any replica's; null before one is published. */
    static ReadView view(SandboxCluster cluster) {
        ReadView v = cluster.feed(cluster.replica()).readView().get();
        if (v != null) {
            return v;
        }
        for (Replica r : cluster.replicas()) {
            v = cluster.feed(r).readView().get();
            if (v != null) {
                return v;
            }
        }
        return null;
    }

    private static List<Leadership> leaderships(SandboxCluster cluster) {
        List<Leadership> out = new ArrayList<>();
        for (Replica r : cluster.replicas()) {
            out.add(ConsoleServer.leadership(r));
        }
        return out;
    }

    private static void print(PrintWriter out, List<String> lines) {
        for (String l : lines) {
            out.println(l);
        }
    }

    /** 90 s, 2 min, 1 h 5 min: as a person writes a duration. */
    static String human(Duration d) {
        long s = d.toSeconds();
        if (s < 120) {
            return s + " s";
        }
        if (s < 3600) {
            return s / 60 + " min" + (s % 60 == 0 ? "" : " " + s % 60 + " s");
        }
        return s / 3600 + " h" + (s % 3600 / 60 == 0 ? "" : " " + s % 3600 / 60 + " min");
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
            for (PodState p : state.pods()) {
                if (p.isPreempted()) {
                    terminating++;
                }
            }
            return "preemptions: " + n + " applied, " + terminating + " victim(s) terminating";
        } catch (RuntimeException e) {
            return null;
        }
    }
}
