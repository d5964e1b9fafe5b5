package io.fairway.core.scheduler;

import io.fairway.core.config.NodeSortPolicy;
import io.fairway.core.objects.Pod;
import io.fairway.core.resources.ResourceCounter;
import io.fairway.core.resources.ResourceNames;
import io.fairway.core.resources.Resources;
import io.fairway.core.state.ClusterState;
import io.fairway.core.state.NodeState;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The nodes in placement order, kept sorted incrementally: a node moves only when its usage changes, never a
 * re-sort per ask. Usage here is the state's plus what is in flight.
 *
 * <p>Score = weighted mean over the weighted resources of used/allocatable. {@code fair} takes the lowest score
 * first (most free), {@code binpacking} the highest (least free), ties by name.
 */
final class NodeIndex {
    static final class Entry {
        final String name;
        NodeState state;
        long[] used = new long[0];
        double score;
        long seenModCount = -1;
        boolean dirty = true;

        Entry(String name) {
            this.name = name;
        }
    }

    private final Map<String, Entry> entries = new HashMap<>();
    private TreeSet<Entry> ordered;
    private NodeSortPolicy policy;
    private int[] weightIds = new int[0];
    private double[] weights = new double[0];
    private double weightSum;

    NodeIndex() {
        setPolicy(NodeSortPolicy.DEFAULT);
    }

    private void setPolicy(NodeSortPolicy p) {
        policy = p;
        TreeMap<String, Double> sorted = new TreeMap<>(p.resourceWeights());
        List<Integer> ids = new ArrayList<>();
        List<Double> ws = new ArrayList<>();
        sorted.forEach((name, w) -> {
            if (w > 0) {
                ids.add(ResourceNames.id(name));
                ws.add(w);
            }
        });
        weightIds = ids.stream().mapToInt(Integer::intValue).toArray();
        weights = ws.stream().mapToDouble(Double::doubleValue).toArray();
        weightSum = Arrays.stream(weights).sum();
        Comparator<Entry> byScore = Comparator.comparingDouble(e -> e.score);
        if (p.type() == NodeSortPolicy.Type.BINPACKING) {
            byScore = byScore.reversed();
        }
        ordered = new TreeSet<>(byScore.thenComparing(e -> e.name));
        for (Entry e : entries.values()) {
            if (e.state.isSchedulable()) {
                ordered.add(e);
            }
        }
    }

    /** Brings the index up to the state and the in-flight overlay. O(nodes) checks, re-sorting only what changed. */
    void sync(ClusterState state, InFlight inFlight) {
        NodeSortPolicy wanted = state.config().defaultPartition().nodeSortPolicy();
        if (!wanted.equals(policy)) {
            setPolicy(wanted);
        }
        Iterator<Map.Entry<String, Entry>> it = entries.entrySet().iterator();
        while (it.hasNext()) {
            Entry e = it.next().getValue();
            NodeState current = state.node(e.name);
            if (current != e.state) {
                ordered.remove(e);
                if (current == null) {
                    it.remove();
                    continue;
                }
                e.state = current;
                e.dirty = true;
            }
        }
        for (NodeState n : state.nodes().values()) {
            Entry e = entries.get(n.name());
            if (e == null) {
                e = new Entry(n.name());
                e.state = n;
                entries.put(n.name(), e);
            } else if (!e.dirty && e.seenModCount == n.modCount()) {
                continue;
            }
            ordered.remove(e);
            long[] committed = n.allocated().raw();
            e.used = Arrays.copyOf(committed, Math.max(committed.length, ResourceNames.count()));
            ResourceCounter extra = inFlight.onNode(n.name());
            if (extra != null) {
                for (int id = 0; id < e.used.length; id++) {
                    e.used[id] += extra.get(id);
                }
            }
            e.seenModCount = n.modCount();
            e.dirty = false;
            e.score = score(e);
            if (n.isSchedulable()) {
                ordered.add(e);
            }
        }
    }

    /** Marks nodes with in-flight changes that the state does not show, so the next sync recomputes them. */
    void markDirty(String node) {
        Entry e = entries.get(node);
        if (e != null) {
            e.dirty = true;
        }
    }

    /**
     * The first node in policy order that passes every filter, or null. On failure {@code failures} receives, per
     * reason, how many nodes failed with it (each node counted once, by its first failing filter).
     */
    Entry firstFit(Pod pod, List<NodeFilter> filters, Map<String, Integer> failures) {
        for (Entry e : ordered) {
            String reason = null;
            for (int i = 0, n = filters.size(); i < n && reason == null; i++) {
                reason = filters.get(i).reject(pod, e.state, e.used);
            }
            if (reason == null) {
                return e;
            }
            failures.merge(reason, 1, Integer::sum);
        }
        return null;
    }

    /** Nodes that are not candidates at all (not ready or cordoned) do not sit in the order; count them. */
    void countUnschedulable(Map<String, Integer> failures) {
        for (Entry e : entries.values()) {
            if (!e.state.isSchedulable()) {
                failures.merge(e.state.node().ready() ? NodeFilters.UNSCHEDULABLE : NodeFilters.NOT_READY, 1, Integer::sum);
            }
        }
    }

    /** Books room on a node for this cycle and moves it to its new place in the order. */
    void reserve(Entry e, Resources requests) {
        ordered.remove(e);
        for (int i = 0, n = requests.size(); i < n; i++) {
            int id = requests.idAt(i);
            if (id >= e.used.length) {
                e.used = Arrays.copyOf(e.used, id + 1);
            }
            e.used[id] += requests.valueAt(i);
        }
        e.score = score(e);
        e.dirty = true;
        ordered.add(e);
    }

    int size() {
        return entries.size();
    }

    private double score(Entry e) {
        if (weightSum == 0) {
            return 0;
        }
        Resources alloc = e.state.node().allocatable();
        double sum = 0;
        double weightUsed = 0;
        for (int i = 0; i < weightIds.length; i++) {
            int id = weightIds[i];
            long cap = alloc.get(id);
            if (cap <= 0) {
                continue;
            }
            long u = id < e.used.length ? e.used[id] : 0L;
            sum += weights[i] * ((double) u / cap);
            weightUsed += weights[i];
        }
        return weightUsed == 0 ? 0 : sum / weightUsed;
    }
}
