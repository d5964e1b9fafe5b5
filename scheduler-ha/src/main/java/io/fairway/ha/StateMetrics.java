package io.fairway.ha;

import io.fairway.core.resources.ResourceCounter;
import io.fairway.core.state.AppState;
import io.fairway.core.state.ClusterState;
import io.fairway.core.state.QueueState;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The gauges over the cluster state: pending pods and resources (guaranteed, max, allocated, pending) per queue, and
 * apps per state.
 *
 * <p>The state is changed by the replica's apply thread without locks, so a scrape never reads it: {@link #refresh}
 * copies the numbers into an immutable {@link Snapshot} on the apply thread itself (between two turns, at most once a
 * {@link #EVERY}), and the gauges read the newest snapshot. The set of queues changes with the config, so each gauge
 * is a {@link MultiGauge} whose rows follow the snapshot's keys.
 */
final class StateMetrics {
    /** How often the snapshot is taken at most: a scrape every few seconds needs no more. */
    static final Duration EVERY = Duration.ofSeconds(1);

    static final String PENDING_PODS = "fairway.queue.pending.pods";
    static final String QUEUE_RESOURCE = "fairway.queue.resource";
    static final String APPS = "fairway.apps";

    /** A queue's resources by {@code kind} tag. */
    static final String GUARANTEED = "guaranteed";
    static final String MAX = "max";
    static final String ALLOCATED = "allocated";
    static final String PENDING = "pending";

    /**
     * The numbers of one moment of the state, by the tags of their gauge row.
     *
     * @param pendingPods pods waiting for a node, per queue (tag {@code queue}), each queue counting its subtree
     * @param resources   per queue, resource and kind; guaranteed and max only where the config sets them
     * @param apps        apps per state (tag {@code state}), every state present
     */
    record Snapshot(Map<Tags, Long> pendingPods, Map<Tags, Long> resources, Map<Tags, Long> apps) {
        static final Snapshot EMPTY = new Snapshot(Map.of(), Map.of(), Map.of());
    }

    private final MultiGauge pendingPods;
    private final MultiGauge resources;
    private final MultiGauge apps;
    private volatile Snapshot current = Snapshot.EMPTY;
    private long lastNanos;
    private boolean refreshed;

    StateMetrics(MeterRegistry registry) {
        pendingPods = MultiGauge.builder(PENDING_PODS)
                .description("Pods waiting for a node in the queue and the queues below it").register(registry);
        resources = MultiGauge.builder(QUEUE_RESOURCE)
                .description("A queue's resources by kind (guaranteed, max, allocated, pending; allocated and pending "
                        + "over its subtree), in the state's units: cpu in millicores, memory in bytes, others in units")
                .register(registry);
        apps = MultiGauge.builder(APPS).description("Applications by state").register(registry);
    }

    /** The newest snapshot, for the gauges and tests. */
    Snapshot snapshot() {
        return current;
    }

    /**
     * {@link #refresh} if the last one was {@link #EVERY} ago or more (or there was none).
     *
     * @param nowNanos {@link System#nanoTime()}, passed in so that tests need not wait
     * @return whether it refreshed
     */
    boolean refreshIfDue(ClusterState state, long nowNanos) {
        if (refreshed && nowNanos - lastNanos < EVERY.toNanos()) {
            return false;
        }
        refresh(state);
        lastNanos = nowNanos;
        refreshed = true;
        return true;
    }

    /**
     * Copies the state's numbers and moves the gauges to them: rows of queues gone (a new config) disappear, new
     * queues and resources get rows. Call it on the thread that applies to {@code state}.
     */
    void refresh(ClusterState state) {
        Snapshot s = take(state);
        // the snapshot first: a row registered now reads it at once
        current = s;
        pendingPods.register(rows(s.pendingPods().keySet(), Snapshot::pendingPods), false);
        resources.register(rows(s.resources().keySet(), Snapshot::resources), false);
        apps.register(rows(s.apps().keySet(), Snapshot::apps), false);
    }

    /**
     * Rows that read the current snapshot by their tags: a row kept across refreshes (overwrite false) reads each new
     * snapshot, and one whose key has gone reads NaN until it is removed.
     */
    private List<MultiGauge.Row<?>> rows(Set<Tags> keys, Function<Snapshot, Map<Tags, Long>> of) {
        List<MultiGauge.Row<?>> rows = new ArrayList<>(keys.size());
        for (Tags t : keys) {
            rows.add(MultiGauge.Row.of(t, this, m -> {
                Long v = of.apply(m.current).get(t);
                return v == null ? Double.NaN : v;
            }));
        }
        return rows;
    }

    static Snapshot take(ClusterState state) {
        Map<Tags, Long> pending = new HashMap<>();
        Map<Tags, Long> res = new HashMap<>();
        Map<String, Long> pendingByQueue = new HashMap<>();
        Map<String, QueueState> queues = state.queues().all();
        for (QueueState q : queues.values()) {
            for (AppState a : q.apps().values()) {
                // an app counts in its queue and every queue above it, as the queues' allocated and pending do
                for (QueueState up = q; up != null; up = up.parent()) {
                    pendingByQueue.merge(up.fullName(), (long) a.pendingPods(), Long::sum);
                }
            }
        }
        // allocated and pending for every resource the cluster has, 0 too, so that a series does not vanish when a
        // queue's usage of it drops to nothing
        Set<String> clusterResources = state.capacity().snapshot().toMap().keySet();
        for (QueueState q : queues.values()) {
            String name = q.fullName();
            pending.put(Tags.of("queue", name), pendingByQueue.getOrDefault(name, 0L));
            q.guaranteed().toMap().forEach((r, v) -> res.put(row(name, r, GUARANTEED), v));
            q.max().toMap().forEach((r, v) -> res.put(row(name, r, MAX), v));
            Map<String, Long> allocated = amounts(q.allocated());
            Map<String, Long> waiting = amounts(q.pending());
            Set<String> names = new TreeSet<>(clusterResources);
            names.addAll(q.guaranteed().toMap().keySet());
            names.addAll(q.max().toMap().keySet());
            names.addAll(allocated.keySet());
            names.addAll(waiting.keySet());
            for (String r : names) {
                res.put(row(name, r, ALLOCATED), allocated.getOrDefault(r, 0L));
                res.put(row(name, r, PENDING), waiting.getOrDefault(r, 0L));
            }
        }
        Map<Tags, Long> apps = new HashMap<>();
        for (AppState.Status st : AppState.Status.values()) {
            apps.put(Tags.of("state", st.name()), 0L);
        }
        for (AppState a : state.apps().values()) {
            apps.merge(Tags.of("state", a.status().name()), 1L, Long::sum);
        }
        return new Snapshot(Map.copyOf(pending), Map.copyOf(res), Map.copyOf(apps));
    }

    private static Tags row(String queue, String resource, String kind) {
        return Tags.of("queue", queue, "resource", resource, "kind", kind);
    }

    private static Map<String, Long> amounts(ResourceCounter c) {
        return c.snapshot().toMap();
    }
}
