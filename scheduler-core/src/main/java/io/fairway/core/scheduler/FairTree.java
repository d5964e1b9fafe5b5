package io.fairway.core.scheduler;

import io.fairway.core.events.Allocated;
import io.fairway.core.events.GangReserved;
import io.fairway.core.resources.ResourceNames;
import io.fairway.core.resources.Resources;
import io.fairway.core.state.AppState;
import io.fairway.core.state.ClusterState;
import io.fairway.core.state.PodState;
import io.fairway.core.state.QueueHeadroom;
import io.fairway.core.state.QueueState;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * A cycle's fair tree: the queues with asks and their parents, each with its use (committed, in flight and booked in
 * the cycle), and in each leaf its apps with a cursor over their asks, kept in YuniKorn's order as the cycle books:
 * from the root down the child first by priority (where its parent orders so), then below its guarantee, then by
 * dominant share, then with a guarantee before without, then by name; apps by priority, fair share (where set),
 * submission time and id. The cycle picks the next leaf here, and tells the tree what it booked.
 */
final class FairTree {
    private final ClusterState state;
    private final InFlight inFlight;
    private final IdentityHashMap<QueueState, QNode> byQueue = new IdentityHashMap<>();
    private QNode root;

    FairTree(ClusterState state, InFlight inFlight) {
        this.state = state;
        this.inFlight = inFlight;
    }

    /** Books in-flight use against a user's and groups' limits (sign 1) or takes it back (sign -1). */
    @FunctionalInterface
    interface Booking {
        void book(AppState app, String queue, Resources r, int sign, boolean starts);
    }

    /**
     * Builds the cycle's tree: every leaf with schedulable asks and its ancestors; then what is in flight counts against
     * its queues and apps as if committed (an app whose first allocation is in flight has started, for
     * maxapplications), and is booked against its user's and groups' limits through {@code booking}.
     */
    void build(Predicate<AppState> gangWork, Booking booking) {
        HashMap<String, ANode> appNodes = new HashMap<>();
        IdentityHashMap<QNode, List<ANode>> pendingLeaves = new IdentityHashMap<>();
        for (QueueState q : state.queues().all().values()) {
            if (!q.isLeaf() || q.apps().isEmpty()) {
                continue;
            }
            List<ANode> anodes = new ArrayList<>();
            for (AppState a : q.apps().values()) {
                boolean hasGangWork = gangWork.test(a);
                if ((a.pendingPods() > 0 || hasGangWork) && a.rejection().isEmpty()) {
                    ANode an = new ANode(a);
                    an.gangWork = hasGangWork;
                    if (an.next != null || hasGangWork) {
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
            Resources back = inFlight.givenBack(a.podUid());
            for (QueueState q = state.queues().get(a.queue()); q != null; q = q.parent()) {
                QNode n = byQueue.get(q);
                if (n != null) {
                    n.add(r);
                    if (back != null) {
                        n.subtract(back);
                    }
                    if (starts) {
                        n.startedApps++;
                    }
                }
            }
            if (app != null) {
                booking.book(app, a.queue(), r, 1, starts);
                if (back != null) {
                    booking.book(app, a.queue(), back, -1, false);
                }
                ANode an = appNodes.get(app.appId());
                if (an != null) {
                    an.started = true;
                    for (int i = 0; i < r.size(); i++) {
                        an.used[r.idAt(i)] += r.valueAt(i);
                    }
                }
            }
        }
        for (GangReserved g : inFlight.reservations().values()) {
            AppState app = state.app(g.appId());
            if (app == null) {
                continue;
            }
            Resources r = Resources.NONE;
            for (GangReserved.Slot slot : g.slots()) {
                r = r.plus(slot.resources());
            }
            booking.book(app, app.queue(), r, 1, false);
            for (QueueState q = state.queues().get(app.queue()); q != null; q = q.parent()) {
                QNode n = byQueue.get(q);
                if (n != null) {
                    n.add(r);
                }
            }
            ANode an = appNodes.get(app.appId());
            if (an != null) {
                for (int i = 0; i < r.size(); i++) {
                    an.used[r.idAt(i)] += r.valueAt(i);
                }
            }
        }
        finish(pendingLeaves);
    }

    /** The queue's node in this cycle's tree, or null when it has no asks below it. */
    QNode of(QueueState q) {
        return byQueue.get(q);
    }

    /** Queue use as the tree sees it: its node's, or the committed use of a queue outside the tree. */
    QueueHeadroom.Usage usage() {
        return q -> {
            QNode n = byQueue.get(q);
            return n != null ? n.used : q.allocated().raw();
        };
    }

    /**
     * Ends the building: shares from the use now known (in-flight included), apps join their leaves' order,
     * priorities from the leaves up, and only then children join their parents' order.
     */
    private void finish(IdentityHashMap<QNode, List<ANode>> pendingLeaves) {
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
        // Priorities from the leaves up, deepest first, before any queue joins its parent's order.
        List<QNode> deepestFirst = new ArrayList<>(byQueue.values());
        deepestFirst.sort(Comparator.comparingInt((QNode n) -> -n.queue.depth()).thenComparing(n -> n.queue.fullName()));
        for (QNode n : deepestFirst) {
            if (n.apps != null) {
                n.below = highestAsk(n);
            }
            n.priority = n.seenPriority();
            if (n.parent != null && n.priority > n.parent.below) {
                n.parent.below = n.priority;
            }
        }
        // Link children only now: a TreeSet must not hold an element whose sort key is still changing.
        for (QNode n : byQueue.values()) {
            if (n.parent != null) {
                n.parent.children.add(n);
            }
        }
    }

    /** One queue of the tree during a cycle: its usage including what this cycle booked. */
    final class QNode {
        final QueueState queue;
        final QNode parent;
        final long[] used;
        final boolean hasGuaranteed;
        final TreeSet<QNode> children;
        final TreeSet<ANode> apps;
        int startedApps;
        int tier;
        double share;
        /**
         * The queue's priority as its parent sees it (YuniKorn's): the highest pending ask below it plus its
         * {@code priority.offset}, only the offset when fenced, lowest of all with nothing pending.
         */
        long priority = Long.MIN_VALUE;
        /** The highest priority of the children (or apps, for a leaf), before the offset. */
        long below = Long.MIN_VALUE;

        QNode(QueueState queue, QNode parent) {
            this.queue = queue;
            this.parent = parent;
            long[] raw = queue.allocated().raw();
            this.used = Arrays.copyOf(raw, Math.max(raw.length, ResourceNames.count()));
            this.hasGuaranteed = !queue.guaranteed().isEmpty();
            this.apps = queue.isLeaf() ? new TreeSet<>(appOrder(queue)) : null;
            // application.sort.priority on a parent orders its children by priority before fairness.
            this.children = new TreeSet<>(queue.priorityAppOrder() ? PRIORITY_QUEUE_ORDER : QUEUE_ORDER);
        }

        long seenPriority() {
            if (below == Long.MIN_VALUE) {
                return Long.MIN_VALUE;
            }
            return queue.priorityFence() ? queue.priorityOffset() : below + queue.priorityOffset();
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

        void subtract(Resources r) {
            for (int i = 0, n = r.size(); i < n; i++) {
                used[r.idAt(i)] -= r.valueAt(i);
            }
        }
    }

    private static final Comparator<QNode> QUEUE_ORDER = Comparator
            .comparingInt((QNode q) -> q.tier)
            .thenComparingDouble(q -> q.share)
            .thenComparing(q -> !q.hasGuaranteed)
            .thenComparing(q -> q.queue.fullName());

    private static final Comparator<QNode> PRIORITY_QUEUE_ORDER = Comparator
            .comparingLong((QNode q) -> -q.priority)
            .thenComparing(QUEUE_ORDER);

    /** One app with asks during a cycle, with a cursor over its pending asks. */
    final class ANode {
        final AppState app;
        final Iterator<PodState> cursor;
        final long[] used;
        PodState next;
        boolean started;
        double share;
        int priority;
        /**
         * Per task group, the lowest slot id that may still be free and not taken in flight: members of a big gang
         * placed in one cycle do not walk again past the slots the ones before them took.
         */
        HashMap<String, Integer> slotCursor;
        /** A gang that has a reservation to make even with no pod pending (its executors come later). */
        boolean gangWork;
        /** The topology domain (label value) the app's pods are in, once one is placed; null before. */
        String domain;
        boolean domainKnown;

        ANode(AppState app) {
            this.app = app;
            this.cursor = app.pendingAsks().iterator();
            long[] raw = app.allocated().raw();
            this.used = Arrays.copyOf(raw, Math.max(raw.length, ResourceNames.count()));
            long[] held = app.gang().reserved().raw();
            for (int i = 0; i < held.length && i < used.length; i++) {
                used[i] += held[i];
            }
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

    /** An app left the leaf's order for this cycle. */
    void settle(QNode leaf) {
        if (leaf.apps.isEmpty()) {
            prune(leaf);
        } else {
            reprioritize(leaf);
        }
    }

    /** The highest priority of a leaf's next asks, or the lowest of all when none is left. */
    private long highestAsk(QNode leaf) {
        if (leaf.apps.isEmpty()) {
            return Long.MIN_VALUE;
        }
        if (leaf.queue.priorityAppOrder()) {
            return leaf.apps.first().priority;
        }
        long best = Long.MIN_VALUE;
        for (ANode a : leaf.apps) {
            best = Math.max(best, a.priority);
        }
        return best;
    }

    /**
     * A leaf's asks changed (one placed or tried, an app done): its priority, and its parents', follow, each
     * re-joining its parent's order. Only where a parent orders by priority does it matter.
     */
    void reprioritize(QNode leaf) {
        QNode n = leaf;
        long below = highestAsk(leaf);
        while (n != null) {
            if (below == n.below) {
                return;
            }
            n.below = below;
            long seen = n.seenPriority();
            if (seen == n.priority) {
                return;
            }
            QNode parent = n.parent;
            if (parent == null) {
                n.priority = seen;
                return;
            }
            boolean linked = parent.children.remove(n);
            n.priority = seen;
            if (linked) {
                parent.children.add(n);
            }
            below = Long.MIN_VALUE;
            for (QNode c : parent.children) {
                below = Math.max(below, c.priority);
                if (parent.queue.priorityAppOrder()) {
                    // ordered by priority first: the first child has the highest
                    break;
                }
            }
            n = parent;
        }
    }

    QNode node(QueueState q) {
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

    QNode pickLeaf() {
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
    void prune(QNode n) {
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

    double appShare(QNode leaf, ANode app) {
        Resources guaranteed = leaf.queue.guaranteed();
        return guaranteed.isEmpty()
                ? QueueOrder.dominantShare(app.used, state.capacity())
                : QueueOrder.dominantShare(app.used, guaranteed);
    }

    /**
     * Counts (sign 1) or stops counting (sign -1) room in a leaf and its parents, each re-joining its parent's order
     * with its new share.
     */
    void bookQueues(QNode leaf, Resources r, int sign) {
        for (QNode q = leaf; q != null; q = q.parent) {
            if (q.parent != null) {
                q.parent.children.remove(q);
            }
            for (int i = 0, n = r.size(); i < n; i++) {
                q.used[r.idAt(i)] += sign * r.valueAt(i);
            }
            q.recompute();
            if (q.parent != null) {
                q.parent.children.add(q);
            }
        }
    }
}
