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
import java.util.concurrent.locks.ReentrantLock;
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
    /** Condition and Event reason for a pod whose app no queue takes: placement, ACL or a missing queue. */
    static final String REJECTED = "ApplicationRejected";

    private final KubernetesClient client;
    private final Clock clock;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final Semaphore inFlight;
    /**
     * Status writes of one pod go one at a time: two conditions written at once (why it waits, what became of its gang)
     * would each edit the status as it was before the other and one would be lost.
     */
    private final ReentrantLock[] podLocks = new ReentrantLock[64];
    /** The last message reported per pod uid. */
    private final Map<String, String> reported = new ConcurrentHashMap<>();

    public WaitingReporter(KubernetesClient client, Clock clock, int parallelism) {
        this.client = client;
        this.clock = clock;
        for (int i = 0; i < podLocks.length; i++) {
            podLocks[i] = new ReentrantLock();
        }
        this.inFlight = new Semaphore(parallelism);
    }

    /** Reports that the pod waits for {@code message}, unless that was the last thing reported for it. */
    public void waiting(String namespace, String name, String uid, String message) {
        waiting(namespace, name, uid, message, REASON, EVENT_REASON);
    }

    /**
     * Reports that the pod's app was rejected (no placement rule matched, an ACL keeps its user out, its queue is
     * missing): the same condition with reason {@value #REJECTED}, and a Warning Event of that reason, so that
     * {@code kubectl get events --field-selector reason=ApplicationRejected} finds every such pod.
     */
    public void rejected(String namespace, String name, String uid, String message) {
        waiting(namespace, name, uid, message, REJECTED, REJECTED);
    }

    private void waiting(String namespace, String name, String uid, String message, String reason, String eventReason) {
        String before = reported.put(uid, message);
        if (message.equals(before)) {
            return;
        }
        submit(uid, () -> {
            String now = Instant.ofEpochMilli(clock.millis()).toString();
            PodCondition c = new PodConditionBuilder().withType("PodScheduled").withStatus("False").withReason(reason)
                    .withMessage(message).withLastTransitionTime(now).withLastProbeTime(null).build();
            if (!write(namespace, name, uid, c, eventReason)) {
                reported.remove(uid);
            }
        });
    }

    /** The pod condition that says what became of the pod's gang (task groups unreadable, timed out, failed). */
    public static final String GANG_CONDITION = "fairway.io/Gang";

    /**
     * Reports what became of a pod's gang: a condition {@value #GANG_CONDITION} ({@code False}, with the reason and
     * message) and a Warning Event, so that {@code kubectl describe pod} says why the pod is not scheduled as a gang.
     *
     * @param reason CamelCase, e.g. {@code InvalidTaskGroups}, {@code GangTimedOut}, {@code GangFailed}
     */
    public void gang(String namespace, String name, String uid, String reason, String message) {
        submit(uid, () -> {
            String now = Instant.ofEpochMilli(clock.millis()).toString();
            write(namespace, name, uid, new PodConditionBuilder().withType(GANG_CONDITION).withStatus("False")
                    .withReason(reason).withMessage(message).withLastTransitionTime(now).build(), reason);
        });
    }

    /** Forgets a pod (bound or gone), so that a later wait is reported again. */
    public void forget(String uid) {
        reported.remove(uid);
    }

    /** Runs a write of the pod's status in the background, within the parallelism and after its other writes. */
    private void submit(String uid, Runnable write) {
        executor.execute(() -> {
            try {
                inFlight.acquire();
                ReentrantLock lock = podLocks[Math.floorMod(uid.hashCode(), podLocks.length)];
                lock.lock();
                try {
                    write.run();
                } finally {
                    lock.unlock();
                    inFlight.release();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    /**
     * Puts {@code condition} in the pod's status in place of any of its type, then a Warning Event with the same
     * message. Returns false when the pod could not be written.
     */
    private boolean write(String namespace, String name, String uid, PodCondition condition, String eventReason) {
        // A conflict means the pod changed between read and write (the binder bound it, the kubelet moved it on):
        // read it again and write again rather than lose the condition.
        for (int attempt = 1; ; attempt++) {
            try {
                return writeOnce(namespace, name, uid, condition, eventReason);
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409 || attempt == CONFLICT_RETRIES) {
                    if (e.getCode() != 404) {
                        LOG.warn("could not set {}={} on pod {}/{}: {}", condition.getType(), condition.getStatus(),
                                namespace, name, e.getMessage());
                    }
                    return false;
                }
            }
        }
    }

    private static final int CONFLICT_RETRIES = 5;

    private boolean writeOnce(String namespace, String name, String uid, PodCondition condition, String eventReason) {
        Pod updated = client.pods().inNamespace(namespace).withName(name).editStatus(p -> {
            if (p.getMetadata() == null || !uid.equals(p.getMetadata().getUid())) {
                return p;
            }
            List<PodCondition> conditions = new ArrayList<>();
            if (p.getStatus().getConditions() != null) {
                for (PodCondition c : p.getStatus().getConditions()) {
                    if (!condition.getType().equals(c.getType())) {
                        conditions.add(c);
                    }
                }
            }
            conditions.add(condition);
            p.getStatus().setConditions(conditions);
            return p;
        });
        if (updated != null && uid.equals(updated.getMetadata().getUid())) {
            KubeEvents.warning(client, updated, eventReason, condition.getMessage(), clock);
        }
        return true;
    }

    /** True once {@link #close} has run: it takes no more reports. */
    public boolean isClosed() {
        return executor.isShutdown();
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
