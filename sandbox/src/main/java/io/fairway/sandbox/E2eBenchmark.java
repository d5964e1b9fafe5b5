package io.fairway.sandbox;

import io.fairway.ha.LeaderLoop;
import io.fairway.sandbox.kubelet.NodeFleet;
import io.fairway.sandbox.load.BindWatch;
import io.fairway.sandbox.load.BulkPodCreator;
import io.fairway.sandbox.workload.WorkloadGenerator;
import io.fairway.sandbox.workload.WorkloadOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code fairway bench e2e}: the full path with real parts. Nodes are registered, then pods created as fast as the
 * API server takes them; the figure is pods bound per second from the first creation to the last binding, and the
 * latency of each pod from its create request to a watch seeing it bound.
 */
public final class E2eBenchmark {
    private static final Logger LOG = LoggerFactory.getLogger(E2eBenchmark.class);
    private static final String SCHEDULER = "fairway";
    private static final int CONNECTIONS = 4;
    private static final int PIPELINING = 16;
    private static final int IN_FLIGHT = 64;

    /**
     * What one run measured.
     *
     * @param cpuSeconds CPU seconds of the measured part by part of the sandbox (see {@link CpuAccount}); empty when
     *                   the JVM cannot measure thread CPU time
     * @param elections  leader elections the replica's state saw: 1 unless its one replica lost the lead needlessly
     */
    public record Result(int nodes, int pods, long bound, double seconds, double podsPerSecond, long bindP50Ms,
                         long bindP99Ms, double createPerSecond, boolean complete, Map<String, Double> cpuSeconds,
                         long elections) {
    }

    private E2eBenchmark() {
    }

    /** The queues of the benchmark: the demo's tenants, without caps, so that only the machine limits the rate. */
    static String benchQueues() {
        return benchQueues(0);
    }

    /** The benchmark's queues with {@code root.tenants.team-a} capped at {@code teamAMaxCores} (0: no cap). */
    static String benchQueues(long teamAMaxCores) {
        String cap = teamAMaxCores <= 0 ? ""
                : "\n                resources:\n                  max: {vcore: " + teamAMaxCores + "}";
        return """
                partitions:
                  - name: default
                    queues:
                      - name: root
                        queues:
                          - name: default
                          - name: tenants
                            queues:
                              - name: team-a%s
                              - name: team-b
                              - name: team-c
                """.formatted(cap);
    }

    public static Result run(int nodes, int pods, long seed, Duration timeout) {
        NodeFleet fleet = NodeFleet.uniformCpu(nodes);
        // no kubelets: the benchmark measures scheduling and binding, not simulated containers
        try (SandboxCluster cluster = SandboxCluster.start(fleet, null, benchQueues(),
                LeaderLoop.Options.defaults("replica-0"));
             // CPU work only: accelerator pods wait for the few accelerator nodes, which is not what this measures
             WorkloadGenerator workload = new WorkloadGenerator(WorkloadOptions.defaults().toBuilder()
                     .mix(new WorkloadOptions.Mix(1, 1, 0, 0)).seed(seed).build());
             BulkPodCreator creator = new BulkPodCreator(cluster.apiServer().url(), CONNECTIONS, PIPELINING)) {
            List<BulkPodCreator.Prepared> prepared = BulkPodCreator.prepare(
                    workload.burstPods(cluster.client(), pods), cluster.client().getKubernetesSerialization());
            Map<String, Long> sent = new ConcurrentHashMap<>();
            try (BindWatch watch = new BindWatch(cluster.apiServer().url(), SCHEDULER, sent, Duration.ofSeconds(30))) {
                CpuAccount cpu = CpuAccount.start();
                long start = System.nanoTime();
                long deadline = start + timeout.toNanos();
                // the watch runs on its own thread and looks up each pod's send time as it sees it bound
                BulkPodCreator.Result created = creator.create(prepared, IN_FLIGHT, timeout, sent::put);
                while (watch.bound() < created.created() && System.nanoTime() < deadline
                        && cluster.replica().failure() == null && watch.failure() == null) {
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        break;
                    }
                }
                if (watch.failure() != null) {
                    LOG.error("{}: the figures below are incomplete", watch.failure());
                }
                long[] sorted = watch.latenciesMillis();
                long bound = watch.bound();
                double seconds = ((bound > 0 ? watch.lastBindNanos() : System.nanoTime()) - start) / 1e9;
                Map<String, Double> cpuSeconds = cpu == null ? Map.of() : cpu.seconds(List.of(
                        CpuAccount.named("local API server", cluster.apiServer().eventLoopThreads()),
                        CpuAccount.named("bench load (pod creator, bind watch)",
                                Set.of(creator.eventLoop(), watch.eventLoop())),
                        CpuAccount.prefixed("scheduler (follow log, cycles, commits)", "fairway-replica",
                                "fairway-prefetch"),
                        CpuAccount.prefixed("observations to Kafka (appender, producers)", "fairway-log-appender",
                                "kafka-producer-network-thread", "kafka-admin-client-thread"),
                        CpuAccount.matching("Kubernetes client (fabric8 informers, binder, JDK HTTP)",
                                n -> n.startsWith("JdkHttpClientFactory") || n.startsWith("HttpClient-")
                                        || n.startsWith("ForkJoinPool") || n.matches("-?\\d*-pool-\\d+-thread-\\d+")),
                        CpuAccount.kafkaBroker()));
                return new Result(nodes, created.created(), bound, seconds, bound / seconds,
                        PodTracker.percentile(sorted, 50), PodTracker.percentile(sorted, 99), created.podsPerSecond(),
                        bound >= created.created() && created.failed() == 0, cpuSeconds,
                        cluster.replica().loop().epoch());
            }
        }
    }
}
