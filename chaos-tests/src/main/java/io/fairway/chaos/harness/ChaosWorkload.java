package io.fairway.chaos.harness;

import io.fabric8.kubernetes.api.model.Pod;
import io.fairway.sandbox.kubelet.NodeFleet;
import io.fairway.sandbox.workload.WorkloadGenerator;
import io.fairway.sandbox.workload.WorkloadOptions;
import io.fairway.sandbox.workload.WorkloadOptions.IntRange;
import io.fairway.sandbox.workload.WorkloadOptions.TimeRange;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What users do during a chaos run: Spark-like gang apps, batch jobs, GPU training and FPGA jobs from three tenants
 * (short-lived, so that room frees and queues refill), a pod deleted now and then, and team-c's max changed by a
 * config reload every 40 s. It talks to the API server directly, not through the replicas' proxies.
 */
public final class ChaosWorkload implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ChaosWorkload.class);
    private final ChaosCluster cluster;
    private final WorkloadGenerator generator;
    private final ScheduledExecutorService timers = Executors.newScheduledThreadPool(2, r -> {
        Thread t = new Thread(r, "chaos-workload");
        t.setDaemon(true);
        return t;
    });
    private final Random random;
    private final AtomicLong deletions = new AtomicLong();
    private final AtomicLong reloads = new AtomicLong();

    public ChaosWorkload(ChaosCluster cluster, long seed, double appsPerMinute) {
        this.cluster = cluster;
        this.random = new Random(seed * 31 + 7);
        WorkloadOptions.Builder b = WorkloadOptions.defaults().toBuilder().seed(seed).appsPerMinute(appsPerMinute)
                .sparkExecutors(new IntRange(2, 6)).batchPods(new IntRange(1, 6)).trainingWorkers(new IntRange(1, 3))
                .sparkRunTime(new TimeRange(Duration.ofSeconds(5), Duration.ofSeconds(25)))
                .batchRunTime(new TimeRange(Duration.ofSeconds(3), Duration.ofSeconds(20)))
                .trainingRunTime(new TimeRange(Duration.ofSeconds(10), Duration.ofSeconds(30)))
                .fpgaRunTime(new TimeRange(Duration.ofSeconds(5), Duration.ofSeconds(15)));
        List<String> functions = NodeFleet.mixed(20, seed).programmedFpgaFunctions();
        if (!functions.isEmpty()) {
            b.fpgaFunctions(functions);
        }
        this.generator = new WorkloadGenerator(b.build());
    }

    public void start() {
        generator.start(cluster.client(), timers);
        timers.scheduleWithFixedDelay(this::deleteOne, 12, 12, TimeUnit.SECONDS);
        timers.scheduleWithFixedDelay(this::reload, 40, 40, TimeUnit.SECONDS);
    }

    private void deleteOne() {
        try {
            List<Pod> pods = cluster.client().pods().inNamespace("team-" + "abc".charAt(random.nextInt(3))).list()
                    .getItems();
            if (!pods.isEmpty()) {
                Pod p = pods.get(random.nextInt(pods.size()));
                cluster.client().pods().inNamespace(p.getMetadata().getNamespace()).withName(p.getMetadata().getName())
                        .delete();
                deletions.incrementAndGet();
            }
        } catch (RuntimeException e) {
            LOG.debug("chaos: a deletion failed: {}", e.toString());
        }
    }

    private void reload() {
        try {
            cluster.writeQueues(ChaosQueues.yaml(reloads.incrementAndGet() % 2 == 1 ? 48 : 24));
        } catch (RuntimeException e) {
            LOG.debug("chaos: a config reload failed: {}", e.toString());
        }
    }

    /** Stops submitting; pods already created run on. */
    public void stop() {
        generator.stop();
        timers.shutdownNow();
    }

    public long deletions() {
        return deletions.get();
    }

    public long reloads() {
        return reloads.get();
    }

    public long podsCreated() {
        return generator.stats().podsCreated();
    }

    @Override
    public void close() {
        stop();
        generator.close();
    }
}
