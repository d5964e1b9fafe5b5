package io.fairway.sandbox;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fairway.core.objects.YuniKornLabels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What a user watching the cluster sees: how long each pod waited from the moment it appeared to the moment it was bound
 * (both as seen by this informer, so the two delays of the watch cancel out), and every pod that finished, counted once
 * by the app it belongs to (its app id read as the scheduler reads it) even after the pod is deleted.
 */
public final class PodTracker implements AutoCloseable {
    private record Seen(String key, String appId, long addedNanos, String node, String phase) {
        boolean finished() {
            return "Succeeded".equals(phase) || "Failed".equals(phase);
        }
    }

    private final String schedulerName;
    private final Map<String, Seen> pods = new ConcurrentHashMap<>();
    private final List<Long> bindLatencies = new ArrayList<>();
    /** Every bind latency so far (ms), for the totals at the end; guarded by {@link #bindLatencies}. */
    private long[] allLatencies = new long[1024];
    private int allCount;
    /** Pods finished so far, by app id: never decreases, whatever is deleted afterwards. */
    private final Map<String, Long> completedByApp = new ConcurrentHashMap<>();
    private final SharedIndexInformer<Pod> informer;
    private volatile long lastBindNanos;
    private long bound;
    private volatile String lastCompleted;
    private volatile String firstBound;

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
        var meta = p.getMetadata();
        String uid = meta.getUid();
        String namespace = meta.getNamespace() == null ? "default" : meta.getNamespace();
        String node = p.getSpec().getNodeName() == null ? "" : p.getSpec().getNodeName();
        String phase = p.getStatus() == null || p.getStatus().getPhase() == null ? "Pending" : p.getStatus().getPhase();
        Seen before = pods.get(uid);
        String appId = before != null ? before.appId() : YuniKornLabels.appId(namespace,
                meta.getLabels() == null ? Map.of() : meta.getLabels(),
                meta.getAnnotations() == null ? Map.of() : meta.getAnnotations());
        Seen next = new Seen(namespace + "/" + meta.getName(), appId, before == null ? now : before.addedNanos(), node,
                phase);
        pods.put(uid, next);
        if (next.finished() && (before == null || !before.finished())) {
            completedByApp.merge(appId, 1L, Long::sum);
            lastCompleted = next.key();
        }
        if (!node.isEmpty() && (before == null || before.node().isEmpty())) {
            synchronized (bindLatencies) {
                if (before != null) {
                    long ms = (now - before.addedNanos()) / 1_000_000;
                    bindLatencies.add(ms);
                    if (allCount == allLatencies.length) {
                        allLatencies = Arrays.copyOf(allLatencies, allCount * 2);
                    }
                    allLatencies[allCount++] = ms;
                }
                bound++;
                lastBindNanos = now;
            }
            if (firstBound == null) {
                firstBound = next.key();
            }
        }
    }

    /** Pods seen finished (Succeeded or Failed) so far, by app id; a pod counts once, and still after its deletion. */
    public Map<String, Long> completedByApp() {
        return new TreeMap<>(completedByApp);
    }

    /** Pods seen finished so far. */
    public long completed() {
        long n = 0;
        for (long c : completedByApp.values()) {
            n += c;
        }
        return n;
    }

    /** {@code namespace/name} of the pod seen finishing last, or null before the first. */
    public String lastCompleted() {
        return lastCompleted;
    }

    /** {@code namespace/name} of the first pod seen bound, or null before the first. */
    public String firstBound() {
        return firstBound;
    }

    /** Bind latencies (ms) recorded since the last call, sorted. */
    public long[] drainBindLatenciesMillis() {
        List<Long> copy;
        synchronized (bindLatencies) {
            copy = new ArrayList<>(bindLatencies);
            bindLatencies.clear();
        }
        return copy.stream().mapToLong(Long::longValue).sorted().toArray();
    }

    /** Every bind latency (ms) recorded so far, sorted. */
    public long[] allBindLatenciesMillis() {
        long[] copy;
        synchronized (bindLatencies) {
            copy = Arrays.copyOf(allLatencies, allCount);
        }
        Arrays.sort(copy);
        return copy;
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
