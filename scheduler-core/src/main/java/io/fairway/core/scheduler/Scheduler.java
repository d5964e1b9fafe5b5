package io.fairway.core.scheduler;

import io.fairway.core.events.Allocated;
import io.fairway.core.events.Decision;
import io.fairway.core.events.Unschedulable;
import io.fairway.core.objects.NodeAffinity;
import io.fairway.core.objects.Pod;
import io.fairway.core.objects.Toleration;
import io.fairway.core.resources.Quantity;
import io.fairway.core.resources.ResourceCounter;
import io.fairway.core.resources.ResourceNames;
import io.fairway.core.resources.Resources;
import io.fairway.core.state.AppState;
import io.fairway.core.state.ClusterState;
import io.fairway.core.state.PodState;
import io.fairway.core.state.QueueState;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Set;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Runs scheduling cycles over a {@link ClusterState}: picks the fairest queue, the next app and ask in it, the
 * first node in policy order that passes every filter, and turns that into decisions. It never changes the state;
 * the decisions go to the log, and what is not read back yet is held in the {@link InFlight} overlay.
 */
public final class Scheduler {
    /** Enough to admit a burst in one cycle while keeping a cycle short. */
    public static final int DEFAULT_MAX_ALLOCATIONS_PER_CYCLE = 1000;

    private final ClusterState state;
    private final InFlight inFlight = new InFlight();
    private final NodeIndex nodes = new NodeIndex();
    private final int maxAllocationsPerCycle;
    private long epoch;

    public Scheduler(ClusterState state, long epoch) {
        this(state, epoch, DEFAULT_MAX_ALLOCATIONS_PER_CYCLE);
    }

    public Scheduler(ClusterState state, long epoch, int maxAllocationsPerCycle) {
        if (maxAllocationsPerCycle < 1) {
            throw new IllegalArgumentException("maxAllocationsPerCycle must be at least 1, was " + maxAllocationsPerCycle);
        }
        this.state = state;
        this.epoch = epoch;
        this.maxAllocationsPerCycle = maxAllocationsPerCycle;
    }

    public void epoch(long e) {
        epoch = e;
    }

    public InFlight inFlight() {
        return inFlight;
    }

    /** The decisions were read back from the log and applied: they are no longer in flight. */
    public void acknowledge(List<? extends Decision> decisions) {
        for (Decision d : decisions) {
            if (d instanceof Allocated a) {
                nodes.markDirty(a.nodeName());
            }
        }
        inFlight.acknowledge(decisions);
    }

    /** One cycle at time {@code now} (the decisions' time). */
    public CycleResult cycle(long now) {
        dropSettled();
        nodes.sync(state, inFlight);
        return new Cycle(now).run();
    }

    /** In-flight entries the state has already moved past (pod gone, placed or no longer waiting). */
    private void dropSettled() {
        List<String> settled = new ArrayList<>();
        for (Allocated a : inFlight.allocations().values()) {
            PodState p = state.pod(a.podUid());
            if (p == null || p.role() != PodState.Role.PENDING) {
                settled.add(a.podUid());
                nodes.markDirty(a.nodeName());
            }
        }
        settled.forEach(inFlight::remove);
    }

    /** Asks that look alike to the node filters fail alike: a shape that found no node is not tried again. */
    private record Shape(Resources requests, Map<String, String> nodeSelector, NodeAffinity affinity,
                         List<Toleration> tolerations) {
        static Shape of(Pod p) {
            return new Shape(p.requests(), p.nodeSelector(), p.affinity(), p.tolerations());
        }
    }

    /** @param atAllocations the cycle's allocation count when the reason was worked out */
    private record Failure(String key, String message, int atAllocations) {
    }

    /** One queue of the tree during a cycle: its usage including what this cycle booked. */
    private final class QNode {
        final QueueState queue;
        final QNode parent;
        final long[] used;
        final boolean hasGuaranteed;
        final TreeSet<QNode> children = new TreeSet<>(QUEUE_ORDER);
        final TreeSet<ANode> apps;
        int startedApps;
        int tier;
        double share;

        QNode(QueueState queue, QNode parent) {
            this.queue = queue;
            this.parent = parent;
            long[] raw = queue.allocated().raw();
            this.used = Arrays.copyOf(raw, Math.max(raw.length, ResourceNames.count()));
            this.hasGuaranteed = !queue.guaranteed().isEmpty();
            this.apps = queue.isLeaf() ? new TreeSet<>(appOrder(queue)) : null;
        }

        void recompute() {
            if (hasGuaranteed) {
                share = QueueOrder.dominantShare(used, queue.guaranteed());
                tier = share < 1.0 ? 0 : 1;
            } else if (!queue.max().isEmpty()) {
                share = QueueOrder.dominantShare(used, queue.max());
                tier = 1;
            } else {
                share = QueueOrder.dominantShare(used, state.capacity());
                tier = 1;
            }
        }

        void add(Resources r) {
            for (int i = 0, n = r.size(); i < n; i++) {
                used[r.idAt(i)] += r.valueAt(i);
            }
        }
    }

    private static final Comparator<QNode> QUEUE_ORDER = Comparator
            .comparingInt((QNode q) -> q.tier)
            .thenComparingDouble(q -> q.share)
            .thenComparing(q -> !q.hasGuaranteed)
            .thenComparing(q -> q.queue.fullName());

    /** One app with asks during a cycle, with a cursor over its pending asks. */
    private final class ANode {
        final AppState app;
        final Iterator<PodState> cursor;
        final long[] used;
        PodState next;
        boolean started;
        double share;
        int priority;

        ANode(AppState app) {
            this.app = app;
            this.cursor = app.pendingAsks().iterator();
            long[] raw = app.allocated().raw();
            this.used = Arrays.copyOf(raw, Math.max(raw.length, ResourceNames.count()));
            advance();
        }

        void advance() {
            next = null;
            while (cursor.hasNext()) {
                PodState p = cursor.next();
                if (!inFlight.isAllocated(p.uid())) {
                    next = p;
                    priority = p.pod().priority();
                    return;
                }
            }
        }
    }

    private Comparator<ANode> appOrder(QueueState q) {
        Comparator<ANode> c = q.priorityAppOrder()
                ? Comparator.comparingInt((ANode a) -> -a.priority)
                : Comparator.comparingInt((ANode a) -> 0);
        if (q.fairAppOrder()) {
            c = c.thenComparingDouble(a -> a.share);
        }
        return c.thenComparingLong(a -> a.app.submissionTime()).thenComparing(a -> a.app.appId());
    }

    private final class Cycle {
        private final long now;
        private final List<Decision> decisions = new ArrayList<>();
        private final Map<Shape, Failure> failedShapes = new HashMap<>();
        private final IdentityHashMap<QueueState, QNode> byQueue = new IdentityHashMap<>();
        private final HashMap<String, ANode> appNodes = new HashMap<>();
        private final IdentityHashMap<QNode, List<ANode>> pendingLeaves = new IdentityHashMap<>();
        private QNode root;
        private int allocations;
        private int unschedulable;
        private int tried;

        Cycle(long now) {
            this.now = now;
        }

        CycleResult run() {
            explainRejected();
            build();
            while (allocations < maxAllocationsPerCycle) {
                QNode leaf = pickLeaf();
                if (leaf == null) {
                    break;
                }
                ANode app = leaf.apps.pollFirst();
                if (app == null || app.next == null) {
                    if (leaf.apps.isEmpty()) {
                        prune(leaf);
                    }
                    continue;
                }
                PodState ask = app.next;
                app.advance();
                tryAsk(leaf, app, ask);
                if (app.next != null) {
                    app.share = appShare(leaf, app);
                    leaf.apps.add(app);
                } else if (leaf.apps.isEmpty()) {
                    prune(leaf);
                }
            }
            boolean capped = allocations >= maxAllocationsPerCycle && pickLeaf() != null;
            return new CycleResult(decisions, allocations, unschedulable, tried, capped);
        }

        /** Pods of an app that has no queue to go to wait for that reason; say so once, as for any other. */
        private void explainRejected() {
            for (AppState a : state.apps().values()) {
                if (a.rejection().isEmpty() || a.pendingPods() == 0) {
                    continue;
                }
                for (PodState ask : a.pendingAsks()) {
                    fail(ask, "app rejected: " + a.rejection(), "application " + a.appId() + " is rejected: " + a.rejection());
                }
            }
        }

        /** The cycle's tree: every leaf with schedulable asks and its ancestors. */
        private void build() {
            for (QueueState q : state.queues().all().values()) {
                if (!q.isLeaf() || q.apps().isEmpty()) {
                    continue;
                }
                List<ANode> anodes = new ArrayList<>();
                for (AppState a : q.apps().values()) {
                    if (a.pendingPods() > 0 && a.rejection().isEmpty()) {
                        ANode an = new ANode(a);
                        if (an.next != null) {
                            anodes.add(an);
                        }
                    }
                }
                if (anodes.isEmpty()) {
                    continue;
                }
                QNode leaf = node(q);
                for (ANode an : anodes) {
                    appNodes.put(an.app.appId(), an);
                }
                pendingLeaves.put(leaf, anodes);
            }
            // In-flight allocations count against their queues and apps as if committed, and an app whose first
            // allocation is in flight has started, for maxapplications.
            Set<String> startedInFlight = new HashSet<>();
            for (Allocated a : inFlight.allocations().values()) {
                Resources r = inFlight.requests(a.podUid());
                PodState p = state.pod(a.podUid());
                AppState app = p == null ? null : state.app(p.pod().appId());
                boolean starts = app != null && app.placedPods() == 0 && startedInFlight.add(app.appId());
                for (QueueState q = state.queues().get(a.queue()); q != null; q = q.parent()) {
                    QNode n = byQueue.get(q);
                    if (n != null) {
                        n.add(r);
                        if (starts) {
                            n.startedApps++;
                        }
                    }
                }
                if (app != null) {
                    ANode an = appNodes.get(app.appId());
                    if (an != null) {
                        an.started = true;
                        for (int i = 0; i < r.size(); i++) {
                            an.used[r.idAt(i)] += r.valueAt(i);
                        }
                    }
                }
            }
            for (QNode n : byQueue.values()) {
                n.recompute();
            }
            // Apps join their leaf's order only now, with their in-flight usage known.
            pendingLeaves.forEach((leaf, anodes) -> {
                for (ANode an : anodes) {
                    an.share = appShare(leaf, an);
                    leaf.apps.add(an);
                }
            });
            // Link children only now: a TreeSet must not hold an element whose sort key is still changing.
            for (QNode n : byQueue.values()) {
                if (n.parent != null) {
                    n.parent.children.add(n);
                }
            }
        }

        private QNode node(QueueState q) {
            QNode n = byQueue.get(q);
            if (n == null) {
                QNode parent = q.parent() == null ? null : node(q.parent());
                n = new QNode(q, parent);
                byQueue.put(q, n);
                if (parent == null) {
                    root = n;
                }
            }
            return n;
        }

        private QNode pickLeaf() {
            while (root != null) {
                QNode n = root;
                while (n.apps == null) {
                    QNode child = n.children.isEmpty() ? null : n.children.first();
                    if (child == null) {
                        break;
                    }
                    n = child;
                }
                if (n.apps != null && !n.apps.isEmpty()) {
                    return n;
                }
                prune(n);
            }
            return null;
        }

        /** Takes a queue with nothing left to try out of the cycle, and its parents when they empty too. */
        private void prune(QNode n) {
            while (n != null) {
                if (n.parent == null) {
                    if (n.children.isEmpty() && (n.apps == null || n.apps.isEmpty())) {
                        root = null;
                    }
                    return;
                }
                n.parent.children.remove(n);
                if (!n.parent.children.isEmpty()) {
                    return;
                }
                n = n.parent;
            }
        }

        private double appShare(QNode leaf, ANode app) {
            Resources guaranteed = leaf.queue.guaranteed();
            return guaranteed.isEmpty()
                    ? QueueOrder.dominantShare(app.used, state.capacity())
                    : QueueOrder.dominantShare(app.used, guaranteed);
        }

        private void tryAsk(QNode leaf, ANode app, PodState ask) {
            tried++;
            Pod pod = ask.pod();
            Resources req = pod.requests();
            for (QNode q = leaf; q != null; q = q.parent) {
                int over = req.overLimitFirstByName(q.used, q.queue.max());
                if (over >= 0) {
                    String res = ResourceNames.name(over);
                    fail(ask, "queue " + q.queue.fullName() + " at max " + res,
                            "queue " + q.queue.fullName() + " is at its max " + res + ": "
                                    + Quantity.format(over, q.used[over]) + " of "
                                    + Quantity.format(over, q.queue.max().get(over)) + " used, the pod asks "
                                    + Quantity.format(over, req.get(over)));
                    return;
                }
            }
            if (app.app.placedPods() == 0 && !app.started) {
                for (QNode q = leaf; q != null; q = q.parent) {
                    long maxApps = q.queue.config().maxApplications();
                    if (maxApps > 0 && q.queue.runningApps() + q.startedApps >= maxApps) {
                        fail(ask, "queue " + q.queue.fullName() + " at maxapplications",
                                "queue " + q.queue.fullName() + " runs " + (q.queue.runningApps() + q.startedApps)
                                        + " of maxapplications " + maxApps + "; app " + app.app.appId() + " waits to start");
                        return;
                    }
                }
            }
            Shape shape = failedShapes.isEmpty() ? null : Shape.of(pod);
            Failure known = shape == null ? null : failedShapes.get(shape);
            if (known == null) {
                NodeIndex.Entry node = nodes.firstFit(pod);
                if (node != null) {
                    allocate(leaf, app, ask, node);
                    return;
                }
                known = noNode(nodes.failures(pod));
                failedShapes.put(shape == null ? Shape.of(pod) : shape, known);
            } else if (known.atAllocations() != allocations && !alreadyReported(ask, known.key())) {
                // Still no node (nodes only fill up within a cycle), but the counts may have moved: a reason about
                // to be written is worked out afresh.
                known = noNode(nodes.failures(pod));
                failedShapes.put(shape, known);
            }
            fail(ask, known.key(), known.message());
        }

        private Failure noNode(Map<String, Integer> counts) {
            TreeMap<String, Integer> sorted = new TreeMap<>(counts);
            StringJoiner key = new StringJoiner("; ", "no node: ", "");
            StringJoiner message = new StringJoiner(", ", "0/" + nodes.size() + " nodes are available: ", ".");
            if (sorted.isEmpty()) {
                key.add("no nodes");
                message.add("the cluster has no nodes");
            }
            sorted.forEach((reason, n) -> {
                key.add(reason);
                message.add(n + " " + reason);
            });
            return new Failure(key.toString(), message.toString(), allocations);
        }

        private boolean alreadyReported(PodState ask, String key) {
            return key.equals(ask.waitKey()) || key.equals(inFlight.reportedReason(ask.uid()));
        }

        private void fail(PodState ask, String key, String message) {
            if (alreadyReported(ask, key)) {
                return;
            }
            Unschedulable u = new Unschedulable(now, epoch, ask.uid(), key, message);
            inFlight.add(u);
            decisions.add(u);
            unschedulable++;
        }

        private void allocate(QNode leaf, ANode app, PodState ask, NodeIndex.Entry node) {
            Resources req = ask.pod().requests();
            Allocated a = new Allocated(now, epoch, ask.uid(), node.name, leaf.queue.fullName());
            inFlight.add(a, req);
            decisions.add(a);
            allocations++;
            nodes.reserve(node, req);
            for (QNode q = leaf; q != null; q = q.parent) {
                if (q.parent != null) {
                    q.parent.children.remove(q);
                }
                q.add(req);
                q.recompute();
                if (q.parent != null) {
                    q.parent.children.add(q);
                }
            }
            for (int i = 0, n = req.size(); i < n; i++) {
                app.used[req.idAt(i)] += req.valueAt(i);
            }
            if (app.app.placedPods() == 0 && !app.started) {
                app.started = true;
                for (QNode q = leaf; q != null; q = q.parent) {
                    q.startedApps++;
                }
            }
        }
    }

    /**
     * Whether a pending pod could be placed right now: some node passes every filter and its queue and every parent
     * have room. Checks every node; meant for verification after a run, not for the hot path.
     */
    public boolean fitsSomewhere(PodState ask) {
        dropSettled();
        nodes.sync(state, inFlight);
        Resources req = ask.pod().requests();
        AppState app = state.app(ask.pod().appId());
        if (app == null || !app.rejection().isEmpty()) {
            return false;
        }
        for (QueueState q = state.queues().get(app.queue()); q != null; q = q.parent()) {
            if (!req.withinLimit(q.allocated().raw(), q.max())) {
                return false;
            }
        }
        return nodes.firstFit(ask.pod()) != null;
    }

    /** Usage as the next cycle will see it, for tests and tools: committed plus in flight, per node. */
    public Map<String, Resources> nodeUsage() {
        Map<String, Resources> out = new TreeMap<>();
        state.nodes().forEach((name, n) -> {
            ResourceCounter c = new ResourceCounter();
            c.add(n.allocated());
            ResourceCounter extra = inFlight.onNode(name);
            if (extra != null) {
                c.add(extra);
            }
            out.put(name, c.snapshot());
        });
        return out;
    }
}
