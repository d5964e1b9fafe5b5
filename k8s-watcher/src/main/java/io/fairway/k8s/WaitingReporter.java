package io.fairway.k8s;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells users why a pod waits, where {@code kubectl describe pod} looks: the {@code PodScheduled=False} condition with
 * reason {@code Unschedulable} and the message (with its numbers), and a {@code FailedScheduling} Event. As
 * kube-scheduler does, only when the reason changes, not every cycle. Best effort: a write that fails is logged.
 */
public final class WaitingReporter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WaitingReporter.class);
    static final String REASON = "Unschedulable";
    static final String EVENT_REASON = "FailedScheduling";

    private final KubernetesClient client;
    private final Clock clock;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final Semaphore inFlight;
    /** The last message reported per pod uid. */
    private final Map<String, String> reported = new ConcurrentHashMap<>();

    public WaitingReporter(KubernetesClient client, Clock clock, int parallelism) {
        this.client = client;
        this.clock = clock;
        this.inFlight = new Semaphore(parallelism);
    }

    /** Reports that the pod waits for {@code message}, unless that was the last thing reported for it. */
    public void waiting(String namespace, String name, String uid, String message) {
        String before = reported.put(uid, message);
        if (message.equals(before)) {
            return;
        }
        executor.execute(() -> {
            try {
                inFlight.acquire();
                try {
                    write(namespace, name, uid, message);
                } finally {
                    inFlight.release();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    /** Forgets a pod (bound or gone), so that a later wait is reported again. */
    public void forget(String uid) {
        reported.remove(uid);
    }

    private void write(String namespace, String name, String uid, String message) {
        String now = Instant.ofEpochMilli(clock.millis()).toString();
        Pod updated;
        try {
            updated = client.pods().inNamespace(namespace).withName(name).editStatus(p -> {
                if (p.getMetadata() == null || !uid.equals(p.getMetadata().getUid())) {
                    return p;
                }
                List<PodCondition> conditions = new ArrayList<>();
                if (p.getStatus().getConditions() != null) {
                    for (PodCondition c : p.getStatus().getConditions()) {
                        if (!"PodScheduled".equals(c.getType())) {
                            conditions.add(c);
                        }
                    }
                }
                conditions.add(new PodConditionBuilder().withType("PodScheduled").withStatus("False")
                        .withReason(REASON).withMessage(message).withLastTransitionTime(now)
                        .withLastProbeTime(null).build());
                p.getStatus().setConditions(conditions);
                return p;
            });
        } catch (KubernetesClientException e) {
            if (e.getCode() != 404) {
                LOG.warn("could not set PodScheduled=False on pod {}/{}: {}", namespace, name, e.getMessage());
            }
            reported.remove(uid);
            return;
        }
        if (updated != null && uid.equals(updated.getMetadata().getUid())) {
            KubeEvents.warning(client, updated, EVENT_REASON, message, clock);
        }
    }

    @Override
    public void close() {
        executor.shutdown();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
