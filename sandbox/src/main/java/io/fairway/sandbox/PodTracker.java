package io.fairway.sandbox;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What a user watching the cluster sees: pods by queue and phase, and how long each waited from the moment it appeared
 * to the moment it was bound (both as seen by this informer, so the two delays of the watch cancel out).
 */
public final class PodTracker implements AutoCloseable {
    /** Counts of one queue. */
    public record QueueCounts(long pending, long running, long done) {
    }

    private record Seen(String queue, long addedNanos, String node, String phase) {
    }

    private final String schedulerName;
    private final Map<String, Seen> pods = new ConcurrentHashMap<>();
    private final List<Long> bindLatencies = new ArrayList<>();
    private final SharedIndexInformer<Pod> informer;
    private volatile long lastBindNanos;
    private long bound;

    public PodTracker(KubernetesClient client, String schedulerName) {
        this.schedulerName = schedulerName;
        this.informer = client.pods().inAnyNamespace().inform(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod p) {
                seen(p);
            }

            @Override
            public void onUpdate(Pod oldPod, Pod p) {
                seen(p);
            }

            @Override
            public void onDelete(Pod p, boolean unknown) {
                pods.remove(p.getMetadata().getUid());
            }
        });
    }

    private void seen(Pod p) {
        if (p.getSpec() == null || !schedulerName.equals(p.getSpec().getSchedulerName())) {
            return;
        }
        long now = System.nanoTime();
        String uid = p.getMetadata().getUid();
        String node = p.getSpec().getNodeName() == null ? "" : p.getSpec().getNodeName();
        String phase = p.getStatus() == null || p.getStatus().getPhase() == null ? "Pending" : p.getStatus().getPhase();
        Seen before = pods.get(uid);
        String queue = p.getMetadata().getLabels() == null ? null : p.getMetadata().getLabels().get("queue");
        Seen next = new Seen(queue == null ? "(no queue label)" : queue, before == null ? now : before.addedNanos(),
                node, phase);
        pods.put(uid, next);
        if (!node.isEmpty() && (before == null || before.node().isEmpty())) {
            synchronized (bindLatencies) {
                if (before != null) {
                    bindLatencies.add(now - before.addedNanos());
                }
                bound++;
                lastBindNanos = now;
            }
        }
    }

    /** Pending (not bound), running (bound, not finished) and done, per queue label. */
    public Map<String, QueueCounts> byQueue() {
        Map<String, long[]> m = new TreeMap<>();
        for (Seen s : pods.values()) {
            long[] c = m.computeIfAbsent(s.queue(), k -> new long[3]);
            if ("Succeeded".equals(s.phase()) || "Failed".equals(s.phase())) {
                c[2]++;
            } else if (s.node().isEmpty()) {
                c[0]++;
            } else {
                c[1]++;
            }
        }
        Map<String, QueueCounts> out = new TreeMap<>();
        m.forEach((q, c) -> out.put(q, new QueueCounts(c[0], c[1], c[2])));
        return out;
    }

    /** Bind latencies (ms) recorded since the last call, sorted. */
    public long[] drainBindLatenciesMillis() {
        List<Long> copy;
        synchronized (bindLatencies) {
            copy = new ArrayList<>(bindLatencies);
            bindLatencies.clear();
        }
        return copy.stream().mapToLong(n -> n / 1_000_000).sorted().toArray();
    }

    /** Pods seen bound so far (including those bound before this tracker started). */
    public long bound() {
        synchronized (bindLatencies) {
            return bound;
        }
    }

    public long lastBindNanos() {
        return lastBindNanos;
    }

    public static long percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    @Override
    public void close() {
        informer.close();
    }
}
