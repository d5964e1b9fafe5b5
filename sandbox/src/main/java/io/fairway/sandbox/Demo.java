package io.fairway.sandbox;

import io.fairway.ha.LeaderLoop;
import io.fairway.sandbox.kubelet.KubeletOptions;
import io.fairway.sandbox.kubelet.KubeletStats;
import io.fairway.sandbox.kubelet.NodeFleet;
import io.fairway.sandbox.workload.WorkloadGenerator;
import io.fairway.sandbox.workload.WorkloadOptions;
import io.fairway.sandbox.workload.WorkloadStats;
import java.io.PrintWriter;
import java.time.Duration;
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
     */
    public record Options(int nodes, Duration duration, Duration every, double appsPerMinute, long seed) {
        public Options {
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

    /** Runs the demo; returns when it is over. {@code stop} ends it early (a shutdown hook counts it down). */
    public static void run(Options o, PrintWriter out, CountDownLatch stop) throws InterruptedException {
        long t0 = System.nanoTime();
        out.printf("fairway demo: starting Kafka (KRaft), the local API server, %d simulated nodes and the scheduler…%n",
                o.nodes());
        out.flush();
        NodeFleet fleet = NodeFleet.mixed(o.nodes(), o.seed());
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "fairway-demo-workload");
            t.setDaemon(true);
            return t;
        });
        try (SandboxCluster cluster = SandboxCluster.start(fleet, KubeletOptions.defaults()
                        .withDefaultRunTime(Duration.ofMinutes(2)).withDeleteFinishedAfter(Duration.ofSeconds(30)),
                SandboxCluster.demoQueues(), LeaderLoop.Options.defaults("replica-0"));
             PodTracker tracker = new PodTracker(cluster.client(), "fairway");
             WorkloadGenerator workload = new WorkloadGenerator(WorkloadOptions.defaults().toBuilder()
                     .appsPerMinute(o.appsPerMinute()).seed(o.seed()).build())) {
            workload.start(cluster.client(), timer);
            out.printf(Locale.ROOT, "ready in %.1f s: %s%n", (System.nanoTime() - t0) / 1e9, fleet.summary());
            out.printf("  kubectl --kubeconfig %s get pods -A -o wide%n", cluster.kubeconfig());
            out.printf("  fairway explain POD --data %s --kafka %s%n",
                    cluster.workDirectory().resolve("replica-0"), cluster.kafkaBootstrap());
            out.println("  (the web console comes with the admin-ui module; Ctrl-C stops everything)");
            out.flush();
            long end = o.duration().isZero() ? Long.MAX_VALUE : System.nanoTime() + o.duration().toNanos();
            long lastAllocations = 0;
            long lastTick = System.nanoTime();
            while (System.nanoTime() < end) {
                long wait = Math.min(o.every().toMillis(), Math.max(1, (end - System.nanoTime()) / 1_000_000));
                if (stop.await(wait, TimeUnit.MILLISECONDS)) {
                    break;
                }
                long now = System.nanoTime();
                long allocations = cluster.replica().loop().allocations();
                double rate = (allocations - lastAllocations) / ((now - lastTick) / 1e9);
                lastAllocations = allocations;
                lastTick = now;
                summary(out, (now - t0) / 1_000_000_000L, tracker, rate, workload.stats(),
                        cluster.kubelets().stats(), cluster.replica().failure());
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
