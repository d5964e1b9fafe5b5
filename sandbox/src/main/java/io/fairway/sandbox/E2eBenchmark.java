package io.fairway.sandbox;

import io.fairway.ha.LeaderLoop;
import io.fairway.sandbox.kubelet.NodeFleet;
import io.fairway.sandbox.workload.WorkloadGenerator;
import io.fairway.sandbox.workload.WorkloadOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code fairway bench e2e}: the full path with real parts. Nodes are registered, then pods created as fast as the
 * API server takes them; the figure is pods bound per second from the first creation to the last binding, and the
 * latency of each pod from its appearance to its binding (both as an informer sees them).
 */
public final class E2eBenchmark {
    /** What one run measured. */
    public record Result(int nodes, int pods, long bound, double seconds, double podsPerSecond, long bindP50Ms,
                         long bindP99Ms, double createPerSecond, boolean complete) {
    }

    private E2eBenchmark() {
    }

    /** The queues of the benchmark: the demo's tenants, without caps, so that only the machine limits the rate. */
    static String benchQueues() {
        return """
                partitions:
                  - name: default
                    queues:
                      - name: root
                        queues:
                          - name: default
                          - name: tenants
                            queues:
                              - name: team-a
                              - name: team-b
                              - name: team-c
                """;
    }

    public static Result run(int nodes, int pods, long seed, Duration timeout) {
        // Nodes with room for every pod: the figure is the scheduler's rate, not the cluster running full.
        List<io.fairway.sandbox.kubelet.NodeSpec> specs = new ArrayList<>(nodes);
        for (int i = 0; i < nodes; i++) {
            specs.add(io.fairway.sandbox.kubelet.NodeSpec.cpu(String.format("node-%05d", i), 96, 768)
                    .withLabel("topology.kubernetes.io/zone", NodeFleet.ZONES.get(i % NodeFleet.ZONES.size())));
        }
        NodeFleet fleet = NodeFleet.of(specs);
        // no kubelets: the benchmark measures scheduling and binding, not simulated containers
        try (SandboxCluster cluster = SandboxCluster.start(fleet, null, benchQueues(),
                LeaderLoop.Options.defaults("replica-0"));
             PodTracker tracker = new PodTracker(cluster.client(), "fairway");
             // CPU work only: accelerator pods wait for the few accelerator nodes, which is not what this measures
             WorkloadGenerator workload = new WorkloadGenerator(WorkloadOptions.defaults().toBuilder()
                     .mix(new WorkloadOptions.Mix(1, 1, 0, 0)).seed(seed).build())) {
            long start = System.nanoTime();
            WorkloadGenerator.BurstResult burst = workload.burst(cluster.client(), pods);
            long deadline = start + timeout.toNanos();
            List<Long> latencies = new ArrayList<>();
            while (tracker.bound() < burst.created() && System.nanoTime() < deadline
                    && cluster.replica().failure() == null) {
                for (long l : tracker.drainBindLatenciesMillis()) {
                    latencies.add(l);
                }
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            for (long l : tracker.drainBindLatenciesMillis()) {
                latencies.add(l);
            }
            long[] sorted = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
            long bound = tracker.bound();
            double seconds = ((bound > 0 ? tracker.lastBindNanos() : System.nanoTime()) - start) / 1e9;
            return new Result(nodes, burst.created(), bound, seconds, bound / seconds, PodTracker.percentile(sorted, 50),
                    PodTracker.percentile(sorted, 99), burst.podsPerSecond(), bound >= burst.created());
        }
    }
}
