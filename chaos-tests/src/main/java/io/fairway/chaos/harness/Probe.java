package io.fairway.chaos.harness;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fairway.sandbox.kubelet.PodLifecycle;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A tiny pod in a queue of its own, created once a fault ends: the time until it is bound is how long the scheduler
 * took to serve again.
 */
public final class Probe {
    private static final AtomicInteger SEQ = new AtomicInteger();

    private Probe() {
    }

    /** Millis from now until a new probe pod is bound, or -1 when it is not within {@code timeout}. */
    public static long timeToBind(ChaosCluster cluster, Duration timeout) {
        String name = "probe-" + SEQ.incrementAndGet();
        long start = System.currentTimeMillis();
        Pod pod = new PodBuilder().withNewMetadata().withName(name).withNamespace("chaos-probe")
                .withLabels(Map.of("queue", ChaosQueues.PROBE_QUEUE, "yunikorn.apache.org/app-id", name))
                .withAnnotations(Map.of(PodLifecycle.RUN_SECONDS, "1")).endMetadata()
                .withNewSpec().withSchedulerName("fairway").withRestartPolicy("Never").addNewContainer()
                .withName("probe").withImage("busybox").withNewResources()
                .withRequests(Map.of("cpu", new Quantity("10m"), "memory", new Quantity("16Mi"))).endResources()
                .endContainer().endSpec().build();
        cluster.client().pods().inNamespace("chaos-probe").resource(pod).create();
        long deadline = start + timeout.toMillis();
        while (System.currentTimeMillis() < deadline) {
            Pod now = cluster.client().pods().inNamespace("chaos-probe").withName(name).get();
            if (now != null && now.getSpec().getNodeName() != null && !now.getSpec().getNodeName().isEmpty()) {
                return System.currentTimeMillis() - start;
            }
            JavaProcess.sleep(100);
        }
        return -1;
    }
}
