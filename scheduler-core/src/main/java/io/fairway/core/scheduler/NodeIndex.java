package io.fairway.core.scheduler;

import io.fairway.core.config.NodeSortPolicy;
import io.fairway.core.config.QueueProperties;
import io.fairway.core.objects.Fpga;
import io.fairway.core.objects.Node;
import io.fairway.core.objects.NodeSelectorRequirement;
import io.fairway.core.objects.Pod;
import io.fairway.core.objects.Taint;
import io.fairway.core.resources.ResourceCounter;
import io.fairway.core.resources.ResourceNames;
import io.fairway.core.resources.Resources;
import io.fairway.core.state.ClusterState;
import io.fairway.core.state.NodeState;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
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
        Group group;
        long[] used = new long[0];
        /** Extended resources (beyond cpu, memory, pods, ephemeral-storage) the node offers. */
        int[] extended = new int[0];
        double score;
        long seenModCount = -1;
        boolean dirty = true;
        /** FPGA regions in use per function, committed and in flight. */
        Map<String, Long> fpgaUsed = Map.of();

        Entry(String name) {
            this.name = name;
        }

        /** Regions programmed with the function and not in use by a pod of it. */
        long programmedFree(String function) {
            return state.node().allocatable().get(Fpga.function(function)) - fpgaUsed.getOrDefault(function, 0L);
        }

        long free(int id) {
            return state.node().allocatable().get(id) - (id < used.length ? used[id] : 0L);
        }

        void offered(Resources allocatable) {
            int count = 0;
            for (int i = 0; i < allocatable.size(); i++) {
                if (allocatable.idAt(i) > ResourceNames.EPHEMERAL_STORAGE && allocatable.valueAt(i) > 0) {
                    count++;
                }
            }
            extended = new int[count];
            int k = 0;
            for (int i = 0; i < allocatable.size(); i++) {
                if (allocatable.idAt(i) > ResourceNames.EPHEMERAL_STORAGE && allocatable.valueAt(i) > 0) {
                    extended[k++] = allocatable.idAt(i);
                }
            }
        }
    }

    /**
     * Nodes that every static filter (readiness, selectors, taints) treats alike: same taints, same schedulability,
     * same values of the label keys that pending pods select on. A pod is checked once per group, and only the
     * groups it may use are scanned for room; without this a CPU pod would walk past every idle, tainted GPU node.
     */
    private record Signature(boolean schedulable, boolean ready, List<Taint> taints, List<String> labelValues,
                             boolean accelerated) {
    }

    /**
     * One group's nodes in policy order, and for each extended resource (GPUs, FPGAs…) the nodes that still have
     * some of it free. The sort weights usually ignore extended resources, so a GPU pod walking the plain order
     * would pass every node whose GPUs are all taken; it walks the smaller "has free GPUs" set instead.
     */
    static final class Group {
        final Comparator<Entry> order;
        final TreeSet<Entry> ordered;
        final HashMap<Integer, TreeSet<Entry>> withFree = new HashMap<>();
        Entry sample;
        /** The nodes offer accelerators (GPUs, FPGAs…): kept for pods that need them while other nodes fit. */
        boolean accelerated;

        Group(Comparator<Entry> order) {
            this.order = order;
            ordered = new TreeSet<>(order);
        }

        void add(Entry e) {
            ordered.add(e);
            for (int id : e.extended) {
                if (e.free(id) > 0) {
                    withFree.computeIfAbsent(id, k -> new TreeSet<>(order)).add(e);
                }
            }
        }

        void remove(Entry e) {
            ordered.remove(e);
            for (int id : e.extended) {
                TreeSet<Entry> set = withFree.get(id);
                if (set != null) {
                    set.remove(e);
                }
            }
        }

        /** The nodes worth scanning for a pod: the smallest "has free" set among the extended resources it asks. */
        TreeSet<Entry> candidates(Resources requests) {
            TreeSet<Entry> best = ordered;
            for (int i = 0, n = requests.size(); i < n; i++) {
                int id = requests.idAt(i);
                if (id <= ResourceNames.EPHEMERAL_STORAGE || requests.valueAt(i) == 0) {
                    continue;
                }
                TreeSet<Entry> set = withFree.get(id);
                if (set == null) {
                    return null;
                }
                if (set.size() < best.size()) {
                    best = set;
                }
            }
            return best;
        }
    }

    private final Map<String, Entry> entries = new HashMap<>();
    private final LinkedHashMap<Signature, Group> groups = new LinkedHashMap<>();
    private final TreeSet<String> labelKeys = new TreeSet<>();
    private Comparator<Entry> order;
    private NodeSortPolicy policy;
    private int[] weightIds = new int[0];
    private double[] weights = new double[0];
    private double weightSum;
    private boolean keepAcceleratorNodes = true;
    /** The per-group filters, in the order they are asked. */
    private final NodeFilter[] perGroup;
    /** The filter asked per node (room). */
    private final NodeFilter perNode;
    private final List<NodePreference> preferences;

    NodeIndex(NodeFilters filters) {
        perGroup = filters.perGroup().toArray(new NodeFilter[0]);
        perNode = filters.perNode();
        preferences = filters.preferences();
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
        order = p.type() == NodeSortPolicy.Type.BINPACKING
                ? (a, b) -> {
                    int c = Double.compare(b.score, a.score);
                    return c != 0 ? c : a.name.compareTo(b.name);
                }
                : (a, b) -> {
                    int c = Double.compare(a.score, b.score);
                    return c != 0 ? c : a.name.compareTo(b.name);
                };
        regroup();
    }

    /** Puts every node back into groups, after the policy or the set of selected label keys changed. */
    private void regroup() {
        groups.clear();
        List<Entry> all = new ArrayList<>(entries.values());
        all.sort(Comparator.comparing(e -> e.name));
        for (Entry e : all) {
            e.score = score(e);
            e.group = null;
            join(e);
        }
    }

    private void join(Entry e) {
        Node n = e.state.node();
        List<String> values = new ArrayList<>(labelKeys.size());
        for (String k : labelKeys) {
            values.add(n.labels().get(k));
        }
        boolean accelerated = offersAccelerator(n.allocatable());
        Signature sig = new Signature(!n.unschedulable(), n.ready(), n.taints(), values, accelerated);
        Group g = groups.computeIfAbsent(sig, k -> new Group(order));
        g.accelerated = accelerated;
        e.offered(n.allocatable());
        g.add(e);
        if (g.sample == null) {
            g.sample = e;
        }
        e.group = g;
    }

    private void leave(Entry e) {
        Group g = e.group;
        if (g == null) {
            return;
        }
        g.remove(e);
        e.group = null;
        if (g.sample == e) {
            g.sample = g.ordered.isEmpty() ? null : g.ordered.first();
        }
    }

    /** Makes sure the label keys a pod selects on are part of the grouping. */
    void include(NodeAsk ask) {
        boolean added = false;
        for (String k : ask.nodeSelector().keySet()) {
            added |= labelKeys.add(k);
        }
        for (List<NodeSelectorRequirement> term : ask.affinity().terms()) {
            for (NodeSelectorRequirement r : term) {
                added |= labelKeys.add(r.key());
            }
        }
        if (added) {
            regroup();
        }
    }

    /** Brings the index up to the state and the in-flight overlay. O(nodes) checks, re-sorting only what changed. */
    void sync(ClusterState state, InFlight inFlight) {
        NodeSortPolicy wanted = state.config().defaultPartition().nodeSortPolicy();
        keepAcceleratorNodes = !"shared".equals(state.queues().root().property(QueueProperties.ACCELERATOR_NODES, "reserve"));
        Iterator<Map.Entry<String, Entry>> it = entries.entrySet().iterator();
        while (it.hasNext()) {
            Entry e = it.next().getValue();
            NodeState current = state.node(e.name);
            if (current != e.state) {
                leave(e);
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
            leave(e);
            long[] committed = n.allocated().raw();
            e.used = Arrays.copyOf(committed, Math.max(committed.length, ResourceNames.count()));
            ResourceCounter extra = inFlight.onNode(n.name());
            if (extra != null) {
                for (int id = 0; id < e.used.length; id++) {
                    e.used[id] += extra.get(id);
                }
            }
            Map<String, Long> fpgaExtra = inFlight.fpgaOnNode(n.name());
            if (n.fpgaInUse().isEmpty() && fpgaExtra == null) {
                e.fpgaUsed = Map.of();
            } else {
                Map<String, Long> used = new HashMap<>(n.fpgaInUse());
                if (fpgaExtra != null) {
                    fpgaExtra.forEach((fn, v) -> used.merge(fn, v, Long::sum));
                }
                e.fpgaUsed = used;
            }
            e.seenModCount = n.modCount();
            e.dirty = false;
            e.score = score(e);
            join(e);
        }
        if (!wanted.equals(policy)) {
            setPolicy(wanted);
        }
        groups.values().removeIf(g -> g.ordered.isEmpty());
    }

    /** Marks nodes with in-flight changes that the state does not show, so the next sync recomputes them. */
    void markDirty(String node) {
        Entry e = entries.get(node);
        if (e != null) {
            e.dirty = true;
        }
    }

    /**
     * The node a pod goes to, or null when none passes every filter. In policy order, the first that fits, with three
     * exceptions that keep accelerators usable: a pod that needs no accelerator takes an accelerator node only when no
     * other node fits (unless root says {@code fairway.accelerator.nodes: shared}); a pod that needs one takes the node
     * where it leaves the least of it free, so that partly used nodes fill up and whole ones stay whole; and there
     * it takes a node its {@link NodePreference preferences} hold for (an FPGA function programmed and free, say)
     * before one they do not. Each group is checked once against the per-group filters, then scanned for room.
     */
    Entry firstFit(Pod pod) {
        return firstFit(NodeAsk.of(pod));
    }

    /** As {@link #firstFit(Pod)}, for what may not be a pod yet (a gang member, a pod held to a domain). */
    Entry firstFit(NodeAsk ask) {
        include(ask);
        int accel = scarcestAccelerator(ask.requests());
        if (accel >= 0) {
            for (int i = 0; i < preferences.size(); i++) {
                NodePreference p = preferences.get(i);
                if (p.applies(ask)) {
                    Entry preferred = tightest(ask, accel, e -> p.prefers(ask, e));
                    if (preferred != null) {
                        return preferred;
                    }
                }
            }
            return tightest(ask, accel, e -> true);
        }
        Entry best = firstInOrder(ask, false);
        if (best == null || !keepAcceleratorNodes) {
            Entry accelerated = firstInOrder(ask, true);
            if (best == null || (accelerated != null && order.compare(accelerated, best) < 0)) {
                best = accelerated;
            }
        }
        return best;
    }

    private Entry firstInOrder(NodeAsk ask, boolean accelerated) {
        Entry best = null;
        for (Group g : groups.values()) {
            if (g.accelerated != accelerated || g.sample == null || staticReject(ask, g.sample) != null) {
                continue;
            }
            TreeSet<Entry> candidates = g.candidates(ask.requests());
            if (candidates == null) {
                continue;
            }
            for (Entry e : candidates) {
                if (best != null && order.compare(e, best) > 0) {
                    break;
                }
                if (perNode.reject(ask, e.state, e.used) == null) {
                    best = e;
                    break;
                }
            }
        }
        return best;
    }

    /** Of the nodes that take the pod and pass {@code also}, the one with the least of {@code accel} free after it. */
    private Entry tightest(NodeAsk ask, int accel, Predicate<Entry> also) {
        Entry best = null;
        long bestFree = Long.MAX_VALUE;
        for (Group g : groups.values()) {
            if (g.sample == null || staticReject(ask, g.sample) != null) {
                continue;
            }
            TreeSet<Entry> candidates = g.candidates(ask.requests());
            if (candidates == null) {
                continue;
            }
            for (Entry e : candidates) {
                long free = e.free(accel);
                if (free > bestFree || (free == bestFree && order.compare(e, best) > 0)) {
                    continue;
                }
                if (perNode.reject(ask, e.state, e.used) == null && also.test(e)) {
                    best = e;
                    bestFree = free;
                }
            }
        }
        return best;
    }

    /** An accelerator is an extended resource named by its vendor's domain ({@code nvidia.com/gpu}). */
    static boolean isAccelerator(int id) {
        return id > ResourceNames.EPHEMERAL_STORAGE && ResourceNames.name(id).indexOf('/') >= 0;
    }

    private static boolean offersAccelerator(Resources allocatable) {
        for (int i = 0; i < allocatable.size(); i++) {
            if (allocatable.valueAt(i) > 0 && isAccelerator(allocatable.idAt(i))) {
                return true;
            }
        }
        return false;
    }

    /** The accelerator the pod asks for that fewest nodes have free, or -1 when it asks for none. */
    private int scarcestAccelerator(Resources req) {
        int best = -1;
        int bestCount = Integer.MAX_VALUE;
        for (int i = 0, n = req.size(); i < n; i++) {
            int id = req.idAt(i);
            if (req.valueAt(i) == 0 || !isAccelerator(id)) {
                continue;
            }
            int count = 0;
            for (Group g : groups.values()) {
                TreeSet<Entry> set = g.withFree.get(id);
                count += set == null ? 0 : set.size();
            }
            if (count < bestCount || (count == bestCount && ResourceNames.name(id).compareTo(ResourceNames.name(best)) < 0)) {
                best = id;
                bestCount = count;
            }
        }
        return best;
    }

    Entry entry(String name) {
        return entries.get(name);
    }

    /** Why the pod would not go on this node (static filters, then room), or null when it would. */
    String rejectOn(Pod pod, Entry e) {
        return rejectOn(NodeAsk.of(pod), e);
    }

    String rejectOn(NodeAsk ask, Entry e) {
        include(ask);
        String r = staticReject(ask, e);
        return r != null ? r : perNode.reject(ask, e.state, e.used);
    }

    /** Why the pod would not go on this node whatever its room (not ready, taints, selector), or null. */
    String staticRejectOn(NodeAsk ask, Entry e) {
        include(ask);
        return staticReject(ask, e);
    }

    /** Every node, in no particular order (for {@link TopologyDomain}'s sums over a domain). */
    Collection<Entry> entries() {
        return entries.values();
    }

    /** Why no node takes the pod: per reason, how many nodes failed with it (each node by its first failing filter). */
    Map<String, Integer> failures(Pod pod) {
        return failures(NodeAsk.of(pod));
    }

    Map<String, Integer> failures(NodeAsk ask) {
        Map<String, Integer> counts = new HashMap<>();
        for (Group g : groups.values()) {
            if (g.sample == null) {
                continue;
            }
            String reason = staticReject(ask, g.sample);
            if (reason != null) {
                counts.merge(reason, g.ordered.size(), Integer::sum);
                continue;
            }
            for (Entry e : g.ordered) {
                String r = perNode.reject(ask, e.state, e.used);
                if (r != null) {
                    counts.merge(r, 1, Integer::sum);
                }
            }
        }
        return counts;
    }

    /** The first per-group filter's reason, asked of one node that stands for its group. */
    private String staticReject(NodeAsk ask, Entry sample) {
        for (NodeFilter f : perGroup) {
            String r = f.reject(ask, sample.state, sample.used);
            if (r != null) {
                return r;
            }
        }
        return null;
    }

    /** Gives back room booked by {@link #reserve} in this cycle (a gang that did not fit in full). */
    void unreserve(Entry e, Resources requests) {
        book(e, requests, -1);
    }

    /** Books FPGA regions of a function on a node for this cycle. */
    void reserveFpga(Entry e, String function, long regions) {
        if (e.fpgaUsed.isEmpty()) {
            e.fpgaUsed = new HashMap<>();
        }
        e.fpgaUsed.merge(function, regions, Long::sum);
        e.dirty = true;
    }

    /** Books room on a node for this cycle and moves it to its new place in the order. */
    void reserve(Entry e, Resources requests) {
        book(e, requests, 1);
    }

    private void book(Entry e, Resources requests, int sign) {
        Group g = e.group;
        g.remove(e);
        for (int i = 0, n = requests.size(); i < n; i++) {
            int id = requests.idAt(i);
            if (id >= e.used.length) {
                e.used = Arrays.copyOf(e.used, id + 1);
            }
            e.used[id] += sign * requests.valueAt(i);
        }
        e.score = score(e);
        e.dirty = true;
        g.add(e);
        if (g.sample == null) {
            g.sample = e;
        }
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
