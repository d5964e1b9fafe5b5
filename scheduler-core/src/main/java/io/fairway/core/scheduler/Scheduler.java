package io.fairway.core.scheduler;

import io.fairway.core.config.GoDuration;
import io.fairway.core.events.Allocated;
import io.fairway.core.events.Decision;
import io.fairway.core.events.GangReleased;
import io.fairway.core.events.GangReserved;
import io.fairway.core.events.PreemptionRequested;
import io.fairway.core.events.Released;
import io.fairway.core.events.Unschedulable;
import io.fairway.core.objects.Fpga;
import io.fairway.core.objects.GangSpec;
import io.fairway.core.objects.NodeAffinity;
import io.fairway.core.objects.Pod;
import io.fairway.core.objects.TaskGroup;
import io.fairway.core.objects.Toleration;
import io.fairway.core.objects.Topology;
import io.fairway.core.resources.ResourceCounter;
import io.fairway.core.resources.Resources;
import io.fairway.core.scheduler.FairTree.ANode;
import io.fairway.core.scheduler.FairTree.QNode;
import io.fairway.core.state.AppState;
import io.fairway.core.state.ClusterState;
import io.fairway.core.state.Gang;
import io.fairway.core.state.PodState;
import io.fairway.core.state.QueueHeadroom;
import io.fairway.core.state.QueueState;
import io.fairway.core.state.ReservedSlot;
import io.fairway.core.ugm.LimitBreach;
import io.fairway.core.ugm.UserGroupManager;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Runs scheduling cycles over a {@link ClusterState}: picks the fairest queue, the next app and ask in it, the
 * first node in policy order that passes every filter, and turns that into decisions. It never changes the state;
 * the decisions go to the log, and what is not read back yet is held in the {@link InFlight} overlay.
 */
public final class Scheduler {
    /** Enough to admit a burst in one cycle while keeping a cycle short. */
    public static final int DEFAULT_MAX_ALLOCATIONS_PER_CYCLE = 1000;
    /**
     * How long a preemptor holds the room of its victims at most: a victim that never goes (a stuck finalizer) must not
     * keep the room from everyone for ever.
     */
    public static final long HOLD_TIMEOUT_MILLIS = 10 * 60_000;
    /** The start of the reason key of a pod whose app has no queue (rejected by placement, an ACL, a missing queue). */
    public static final String REJECTED_KEY = "app rejected: ";

    private final ClusterState state;
    private final InFlight inFlight = new InFlight();
    private final NodeIndex nodes = new NodeIndex(NodeFilters.DEFAULT);
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
            switch (d) {
                case Allocated a -> {
                    nodes.markDirty(a.nodeName());
                    // A member placed away from its slot gave that slot's room back on another node in the overlay;
                    // whether apply took the allocation or not, that node is read from the state again.
                    String slotNode = inFlight.givenBackOn(a.podUid());
                    if (slotNode != null) {
                        nodes.markDirty(slotNode);
                    }
                }
                case GangReserved g -> g.slots().forEach(slot -> nodes.markDirty(slot.node()));
                default -> {
                }
            }
        }
        inFlight.acknowledge(decisions);
    }

    /**
     * The earliest time after {@code now} at which a gang times out, or {@link Long#MAX_VALUE}: a scheduler that only
     * cycles when something happens (the simulator) must cycle then too.
     */
    public long nextDeadline(long now) {
        long next = Long.MAX_VALUE;
        for (AppState a : state.apps().values()) {
            if (timesOut(a)) {
                long deadline = a.gang().since() + a.gang().spec().timeoutMillis();
                if (deadline > now && deadline < next) {
                    next = deadline;
                }
            }
            // An ask that waits may preempt once its delay has passed; one that holds room may give it up.
            QueueState leaf = state.queues().get(a.queue());
            if (leaf == null || a.pendingPods() == 0) {
                continue;
            }
            for (PodState ask : a.pendingAsks()) {
                long at = ask.holdsRoom() ? ask.holdSince() + HOLD_TIMEOUT_MILLIS
                        : ask.waitKey().isEmpty() ? Long.MAX_VALUE : PreemptionPlanner.eligibleAt(ask, a, leaf);
                if (at > now && at < next) {
                    next = at;
                }
            }
        }
        if (PreemptionPlanner.quotaEnabled(state)) {
            for (QueueState q : state.queues().all().values()) {
                long at = state.configAppliedAt() + q.quotaPreemptionDelayMillis();
                if (q.quotaPreemptionDelayMillis() > 0 && !q.max().isEmpty() && at > now && at < next
                        && !q.allocated().snapshot().fitsWithin(new long[0], q.max())) {
                    next = at;
                }
            }
        }
        return next;
    }

    /**
     * A gang with members still to reserve for (waiting, or short of slots lost with a node) and pods alive: it
     * reserves without waiting for a pending pod, so that executors that come later find their room.
     */
    private boolean needsReservation(AppState a) {
        Gang g = a.gang();
        if ((g.status() != Gang.Status.WAITING && g.status() != Gang.Status.RESERVED)
                || (a.pendingPods() == 0 && a.placedPods() == 0)
                || inFlight.reservation(a.appId()) != null || inFlight.release(a.appId()) != null) {
            return false;
        }
        return g.missing() > 0;
    }

    /** A gang that would be released at its deadline: still waiting, or holding slots no member came for. */
    private static boolean timesOut(AppState a) {
        Gang g = a.gang();
        return g.status() == Gang.Status.WAITING || (g.status() == Gang.Status.RESERVED && g.hasFreeSlots());
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
        List<String> goneApps = new ArrayList<>();
        for (GangReserved g : inFlight.reservations().values()) {
            if (state.app(g.appId()) == null) {
                goneApps.add(g.appId());
                g.slots().forEach(slot -> nodes.markDirty(slot.node()));
            }
        }
        goneApps.forEach(inFlight::removeReservation);
        if (!inFlight.givingBack().isEmpty()) {
            List<String> moot = new ArrayList<>();
            for (String uid : inFlight.givingBack()) {
                InFlight.SlotRef ref = inFlight.slotOf(uid);
                AppState app = state.app(ref.appId());
                boolean free = app != null
                        && app.gang().slots().stream().anyMatch(sl -> sl.id() == ref.slotId() && sl.isFree());
                if (!free) {
                    moot.add(uid);
                }
            }
            // A slot lost with its node, or released, is no longer there to give back.
            moot.forEach(inFlight::cancelGiveBack);
        }
        List<String> donePreemptions = new ArrayList<>();
        inFlight.preemptions().forEach((key, p) -> {
            PodState first = p.kind() == PreemptionRequested.Kind.QUOTA ? state.pod(p.victims().getFirst())
                    : state.pod(p.preemptorUid());
            boolean done = p.kind() == PreemptionRequested.Kind.QUOTA
                    ? first == null || first.isPreempted()
                    : first == null || first.role() != PodState.Role.PENDING || first.holdsRoom();
            if (done) {
                donePreemptions.add(key);
            }
        });
        donePreemptions.forEach(inFlight::removePreemption);
    }

    /** Asks that look alike to the node filters fail alike: a shape that found no node is not tried again. */
    record Shape(Resources requests, Map<String, String> nodeSelector, NodeAffinity affinity,
                 List<Toleration> tolerations) {
        static Shape of(Pod p) {
            return new Shape(p.requests(), p.nodeSelector(), p.affinity(), p.tolerations());
        }
    }

    /** @param atAllocations the cycle's allocation count when the reason was worked out */
    private record Failure(String key, String message, int atAllocations) {
    }

    private final class Cycle {
        private final long now;
        private final List<Decision> decisions = new ArrayList<>();
        private final Map<Shape, Failure> failedShapes = new HashMap<>();
        /** The queues and apps with asks, in their fair order, with this cycle's use. */
        private final FairTree tree = new FairTree(state, inFlight);
        /** Queue use as this cycle sees it: committed, in flight and booked in the cycle. */
        private final QueueHeadroom.Usage cycleUse = tree.usage();
        /** User and group limits, with their use in flight and booked in this cycle. */
        private final UserGroupLimits limits = new UserGroupLimits(state.userGroups());
        private int allocations;
        private int unschedulable;
        private int tried;
        /** Asks that found no room (no node, or a parent queue at max), in the order they were tried. */
        private final List<PreemptionStage.Want> wanting = new ArrayList<>();

        Cycle(long now) {
            this.now = now;
        }

        CycleResult run() {
            explainRejected();
            gangTimeouts();
            build();
            while (allocations < maxAllocationsPerCycle) {
                QNode leaf = tree.pickLeaf();
                if (leaf == null) {
                    break;
                }
                ANode app = leaf.apps.pollFirst();
                if (app == null || (app.next == null && !app.gangWork)) {
                    tree.settle(leaf);
                    continue;
                }
                if (app.app.gang().status() != Gang.Status.NONE && (holdsBack(leaf, app) || app.next == null)) {
                    tree.settle(leaf);
                    continue;
                }
                PodState ask = app.next;
                app.advance();
                tryAsk(leaf, app, ask);
                if (app.next != null) {
                    app.share = tree.appShare(leaf, app);
                    leaf.apps.add(app);
                    tree.reprioritize(leaf);
                } else if (leaf.apps.isEmpty()) {
                    tree.prune(leaf);
                } else {
                    tree.reprioritize(leaf);
                }
            }
            boolean capped = allocations >= maxAllocationsPerCycle && tree.pickLeaf() != null;
            preempt();
            return new CycleResult(decisions, allocations, unschedulable, tried, capped);
        }

        /** Pods of an app that has no queue to go to wait for that reason; say so once, as for any other. */
        private void explainRejected() {
            for (AppState a : state.apps().values()) {
                if (a.rejection().isEmpty() || a.pendingPods() == 0) {
                    continue;
                }
                for (PodState ask : a.pendingAsks()) {
                    fail(ask, Reasons.rejected(a));
                }
            }
        }

        /** The cycle's tree: every leaf with schedulable asks and its ancestors, with what is in flight booked. */
        private void build() {
            tree.build(Scheduler.this::needsReservation, this::bookUserGroup);
        }

        private void tryAsk(QNode leaf, ANode app, PodState ask) {
            tried++;
            Pod pod = ask.pod();
            if (ask.holdsRoom() && !inFlight.isHoldReleased(ask.uid()) && waitsForVictims(leaf, app, ask)) {
                return;
            }
            if (intoSlot(leaf, app, ask)) {
                return;
            }
            ReservedSlot givenBack = slotToGiveBack(app, pod);
            if (givenBack != null) {
                bookSlot(leaf, app, givenBack, -1);
            }
            if (!placeNormally(leaf, app, ask, givenBack != null)) {
                if (givenBack != null) {
                    bookSlot(leaf, app, givenBack, 1);
                }
            } else if (givenBack != null) {
                inFlight.giveBack(ask.uid(), app.app.appId(), givenBack.id(), givenBack.node(), givenBack.resources());
            }
        }

        /**
         * @param roomFreed room was given back in this cycle (a member's slot), so shapes that found no node earlier
         *                  may fit now
         * @return whether the ask was placed
         */
        private boolean placeNormally(QNode leaf, ANode app, PodState ask, boolean roomFreed) {
            Pod pod = ask.pod();
            Resources req = pod.requests();
            QueueHeadroom.Over over = QueueHeadroom.overMax(leaf.queue, req, cycleUse);
            if (over != null) {
                fail(ask, Reasons.queueAtMax(over, req));
                if (over.queue() != leaf.queue) {
                    wanting.add(new PreemptionStage.Want(ask, placeable(app, pod)));
                }
                return false;
            }
            if (app.app.placedPods() == 0 && !app.started && !app.app.gang().hasFreeSlots()) {
                Failure full = atMaxApplications(leaf, app.app);
                if (full != null) {
                    fail(ask, full.key(), full.message());
                    return false;
                }
            }
            LimitBreach limit = limitBreach(app.app, leaf, req,
                    app.app.placedPods() == 0 && !app.started && !app.app.gang().hasFreeSlots(), false);
            if (limit != null) {
                fail(ask, limit.key(), limit.message());
                return false;
            }
            Topology topology = pod.hints().topology();
            Pod target = topology.isNone() ? pod
                    : TopologyDomain.constrain(pod, topology.key(), domainOf(app, topology.key()));
            NodeIndex.Entry node = find(target, roomFreed);
            if (node == null && target != pod && !topology.required()) {
                target = pod;
                node = find(target, roomFreed);
            }
            if (node != null) {
                allocate(leaf, app, ask, node, req, null);
                return true;
            }
            Shape shape = Shape.of(target);
            Failure known = failedShapes.get(shape);
            if (known == null || (known.atAllocations() != allocations && !alreadyReported(ask, known.key()))) {
                // Nodes only fill up within a cycle, but the counts may have moved: a reason about to be written is
                // worked out afresh.
                known = noNode(nodes.failures(target));
                failedShapes.put(shape, known);
            }
            fail(ask, known.key(), known.message());
            wanting.add(new PreemptionStage.Want(ask, placeable(app, pod)));
            return false;
        }

        /**
         * The pod as preemption must place it: inside its app's topology domain when the domain is required (room
         * freed elsewhere would be of no use to it), else as it is.
         */
        private Pod placeable(ANode app, Pod pod) {
            Topology topology = pod.hints().topology();
            return topology.isNone() || !topology.required() ? pod
                    : TopologyDomain.constrain(pod, topology.key(), domainOf(app, topology.key()));
        }

        /** A node for the pod, or null; shapes that found none this cycle are not tried again. */
        private NodeIndex.Entry find(Pod pod, boolean roomFreed) {
            if (!roomFreed && !failedShapes.isEmpty() && failedShapes.containsKey(Shape.of(pod))) {
                return null;
            }
            NodeIndex.Entry node = nodes.firstFit(pod);
            if (node == null) {
                failedShapes.put(Shape.of(pod), noNode(nodes.failures(pod)));
            }
            return node;
        }

        /** The domain the app's placed pods (or its gang's slots) are in, or null when none is placed yet. */
        private String domainOf(ANode app, String key) {
            if (!app.domainKnown) {
                app.domainKnown = true;
                for (String n : app.app.nodesInUse().keySet()) {
                    String v = labelOf(n, key);
                    if (v != null) {
                        app.domain = v;
                        break;
                    }
                }
                if (app.domain == null) {
                    for (ReservedSlot slot : app.app.gang().slots()) {
                        String v = labelOf(slot.node(), key);
                        if (v != null) {
                            app.domain = v;
                            break;
                        }
                    }
                }
            }
            return app.domain;
        }

        private String labelOf(String node, String key) {
            var n = state.node(node);
            return n == null ? null : n.node().labels().get(key);
        }

        /**
         * A member of a gang holding slots goes into its group's free slot when it fits there (growing the slot by what
         * it asks beyond it, if the node has that room), on the slot's node.
         *
         * @return whether it was placed
         */
        private boolean intoSlot(QNode leaf, ANode app, PodState ask) {
            Pod pod = ask.pod();
            String group = pod.hints().taskGroup();
            if (group.isEmpty() || !slotsUsable(app.app)) {
                return false;
            }
            if (app.slotCursor == null) {
                app.slotCursor = new HashMap<>();
            }
            int from = app.slotCursor.getOrDefault(group, 0);
            boolean prefixTaken = true;
            for (ReservedSlot slot : app.app.gang().freeSlots(group, from)) {
                if (inFlight.isSlotTaken(app.app.appId(), slot.id())) {
                    if (prefixTaken) {
                        app.slotCursor.put(group, slot.id() + 1);
                    }
                    continue;
                }
                prefixTaken = false;
                NodeIndex.Entry e = nodes.entry(slot.node());
                if (e == null) {
                    continue;
                }
                // Judged as apply will judge it: the whole pod on the node and in the queues, with the slot given back.
                bookSlot(leaf, app, slot, -1);
                // A member into its gang's slot was let in with the reservation: maxapplications does not apply.
                boolean fits = nodes.rejectOn(pod, e) == null && !overMax(leaf, pod.requests())
                        && limitBreach(app.app, leaf, pod.requests(), false, false) == null;
                bookSlot(leaf, app, slot, 1);
                if (!fits) {
                    continue;
                }
                allocate(leaf, app, ask, e, growth(pod.requests(), slot.resources()), slot);
                return true;
            }
            return false;
        }

        /** A member that fits none of its group's free slots gives the first one back and is placed normally. */
        private ReservedSlot slotToGiveBack(ANode app, Pod pod) {
            String group = pod.hints().taskGroup();
            if (group.isEmpty() || !slotsUsable(app.app)) {
                return null;
            }
            int from = app.slotCursor == null ? 0 : app.slotCursor.getOrDefault(group, 0);
            for (ReservedSlot slot : app.app.gang().freeSlots(group, from)) {
                if (!inFlight.isSlotTaken(app.app.appId(), slot.id())) {
                    return slot;
                }
            }
            return null;
        }

        private boolean slotsUsable(AppState app) {
            return app.gang().status() == Gang.Status.RESERVED && inFlight.release(app.appId()) == null;
        }

        /** Counts (sign 1) or stops counting (sign -1) a slot's room in this cycle's nodes, queues and user limits. */
        private void bookSlot(QNode leaf, ANode app, ReservedSlot slot, int sign) {
            bookUserGroup(app.app, leaf.queue.fullName(), slot.resources(), sign, false);
            NodeIndex.Entry e = nodes.entry(slot.node());
            if (e != null) {
                if (sign > 0) {
                    nodes.reserve(e, slot.resources());
                } else {
                    nodes.unreserve(e, slot.resources());
                }
            }
            tree.bookQueues(leaf, slot.resources(), sign);
        }

        // ------------------------------------------------------------ preemption

        /**
         * A preemptor that holds room: it goes into its room once the victims have left; while they are leaving it
         * waits (and never preempts again); when they are gone and it still does not fit, or they take too long, it
         * gives the room up and is placed like any pod.
         *
         * @return whether the ask is dealt with for this cycle
         */
        private boolean waitsForVictims(QNode leaf, ANode app, PodState ask) {
            Pod pod = ask.pod();
            Resources req = pod.requests();
            NodeIndex.Entry e = nodes.entry(ask.holdNode());
            if (e != null) {
                nodes.unreserve(e, req);
                tree.bookQueues(leaf, req, -1);
                boolean fits = nodes.rejectOn(pod, e) == null && !overMax(leaf, req);
                nodes.reserve(e, req);
                tree.bookQueues(leaf, req, 1);
                if (fits) {
                    // The held room already counts on the node and in the queues: the allocation adds nothing more.
                    allocate(leaf, app, ask, e, Resources.NONE, null);
                    return true;
                }
            }
            int left = state.victimsOf(ask.uid()).size();
            if (left > 0 && now - ask.holdSince() < HOLD_TIMEOUT_MILLIS) {
                fail(ask, Reasons.waitingForVictims(left, ask.holdNode()));
                return true;
            }
            String why = left > 0
                    ? left + " preempted pod(s) still on node " + ask.holdNode() + " after "
                    + GoDuration.format(HOLD_TIMEOUT_MILLIS) + "; the held room is given up"
                    : "the preempted pods left node " + ask.holdNode() + " but the pod still does not fit there "
                    + "(" + (e == null ? "node gone" : nodes.rejectOn(pod, e)) + "); the held room is given up";
            Released r = new Released(now, epoch, ask.uid(), ask.holdNode(), why);
            inFlight.releaseHold(ask.uid());
            decisions.add(r);
            return false;
        }

        /** Preemption for the asks that found no room, in their fair order, then quota preemption. */
        private void preempt() {
            new PreemptionStage(state, nodes, inFlight, cycleUse).decide(now, epoch, wanting, p -> {
                inFlight.add(p);
                decisions.add(p);
            });
        }

        private boolean overMax(QNode leaf, Resources r) {
            return QueueHeadroom.overMax(leaf.queue, r, cycleUse) != null;
        }

        /** Why a new app of {@code leaf} waits to start (a queue on its path runs its maxapplications), or null. */
        private Failure atMaxApplications(QNode leaf, AppState app) {
            QueueHeadroom.AtMaxApplications full = QueueHeadroom.atMaxApplications(leaf.queue, q -> {
                QNode n = tree.of(q);
                return q.runningApps() + (n == null ? 0 : n.startedApps);
            });
            if (full == null) {
                return null;
            }
            return failure(Reasons.atMaxApplications(full, app.appId()));
        }

        private Failure noNode(Map<String, Integer> counts) {
            return failure(Reasons.noNode(counts, nodes.size()));
        }

        /** A failure worded by {@link Reasons}, at this point of the cycle. */
        private Failure failure(Reasons.Reason r) {
            return new Failure(r.key(), r.message(), allocations);
        }

        private boolean alreadyReported(PodState ask, String key) {
            return key.equals(ask.waitKey()) || key.equals(inFlight.reportedReason(ask.uid()));
        }

        private void fail(PodState ask, Reasons.Reason r) {
            fail(ask, r.key(), r.message());
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

        /**
         * @param booked what the allocation adds to the node and queues: the pod's requests, or for a pod into its
         *               gang slot only what it asks beyond the slot
         * @param slot   the gang slot the pod takes, or null
         */
        private void allocate(QNode leaf, ANode app, PodState ask, NodeIndex.Entry node, Resources booked,
                              ReservedSlot slot) {
            Pod pod = ask.pod();
            String fpga = "";
            String fn = pod.hints().fpgaFunction();
            long regions = fn.isEmpty() ? 0 : pod.requests().get(Fpga.region(pod.hints().fpgaInterface()));
            if (regions > 0) {
                fpga = node.programmedFree(fn) >= regions ? Allocated.FPGA_PROGRAMMED : Allocated.FPGA_REPROGRAM;
            }
            Allocated a = new Allocated(now, epoch, ask.uid(), node.name, leaf.queue.fullName(), fpga);
            inFlight.add(a, booked);
            if (slot != null) {
                inFlight.takeSlot(ask.uid(), app.app.appId(), slot.id());
            }
            if (regions > 0) {
                nodes.reserveFpga(node, fn, regions);
                inFlight.addFpga(ask.uid(), node.name, fn, regions);
            }
            decisions.add(a);
            allocations++;
            nodes.reserve(node, booked);
            book(leaf, app, booked);
            Topology topology = pod.hints().topology();
            if (!topology.isNone() && app.domain == null) {
                app.domain = node.state.node().labels().get(topology.key());
                app.domainKnown = app.domain != null;
            }
        }

        /** Counts room taken in this cycle against the leaf, its parents and the app. */
        private void book(QNode leaf, ANode app, Resources req) {
            tree.bookQueues(leaf, req, 1);
            for (int i = 0, n = req.size(); i < n; i++) {
                app.used[req.idAt(i)] += req.valueAt(i);
            }
            boolean starts = app.app.placedPods() == 0 && !app.started;
            bookUserGroup(app.app, leaf.queue.fullName(), req, 1, starts);
            if (starts) {
                app.started = true;
                for (QNode q = leaf; q != null; q = q.parent) {
                    q.startedApps++;
                }
            }
        }

        private LimitBreach limitBreach(AppState app, QNode leaf, Resources req, boolean starts, boolean gang) {
            return limits.breach(app, leaf.queue.fullName(), req, starts, gang);
        }

        private void bookUserGroup(AppState app, String queue, Resources r, int sign, boolean starts) {
            limits.book(app, queue, r, sign, starts);
        }

        // ------------------------------------------------------------ gangs

        /** Gangs past their deadline are released: Soft ones to be scheduled normally, Hard ones to fail. */
        private void gangTimeouts() {
            for (AppState a : state.apps().values()) {
                if (a.gang().status() == Gang.Status.NONE || !timesOut(a) || inFlight.release(a.appId()) != null) {
                    continue;
                }
                Gang g = a.gang();
                long timeout = g.spec().timeoutMillis();
                if (now < g.since() + timeout) {
                    continue;
                }
                boolean hard = g.spec().style() == GangSpec.Style.HARD;
                release(a, hard ? GangReleased.Next.FAILED : GangReleased.Next.NORMAL,
                        Reasons.gangTimedOut(a, timeout, hard));
            }
        }

        private void release(AppState a, GangReleased.Next next, String why) {
            GangReleased r = new GangReleased(now, epoch, a.appId(), next, why);
            inFlight.add(r);
            decisions.add(r);
        }

        /**
         * What a gang app does when its turn comes. Returns true when it places nothing more in this cycle: it waits for
         * its reservation, has just reserved (members bind from the next cycle), or failed.
         */
        private boolean holdsBack(QNode leaf, ANode app) {
            AppState a = app.app;
            Gang g = a.gang();
            GangReleased pending = inFlight.release(a.appId());
            if (pending != null) {
                return switch (pending.next()) {
                    case NORMAL -> false;
                    case FAILED -> failAll(app, Reasons.gangFailed(a.appId(), pending.reason()));
                    case WAIT -> true;
                };
            }
            switch (g.status()) {
                case NONE, NORMAL -> {
                    return false;
                }
                case INVALID -> {
                    release(a, GangReleased.Next.NORMAL, Reasons.gangInvalid(g, a.appId()));
                    return false;
                }
                case FAILED -> {
                    return failAll(app, Reasons.gangFailed(a.appId(), g.reason()));
                }
                default -> {
                }
            }
            if (inFlight.reservation(a.appId()) != null) {
                return true;
            }
            boolean reserved = g.status() == Gang.Status.RESERVED;
            if (reserved && g.missing() == 0) {
                return false;
            }
            String tooBig = largerThanMax(leaf, g.spec(), a);
            if (tooBig != null) {
                release(a, GangReleased.Next.FAILED, tooBig);
                return failAll(app, Reasons.gangFailed(a.appId(), tooBig));
            }
            Failure failure = reserve(leaf, app);
            if (failure == null) {
                return true;
            }
            if (reserved) {
                // Part of the reservation went with a node and the rest cannot be found: hold nothing rather than half.
                release(a, GangReleased.Next.WAIT, Reasons.gangLostPart(a.appId(), failure.message()));
            }
            return failAll(app, new Reasons.Reason(failure.key(), failure.message()));
        }

        /** Every pending pod of the app waits for the same reason. Always true, for the caller's return. */
        private boolean failAll(ANode app, Reasons.Reason r) {
            for (PodState ask : app.app.pendingAsks()) {
                if (!inFlight.isAllocated(ask.uid())) {
                    fail(ask, r);
                }
            }
            return true;
        }

        /** Why the gang can never fit its queue (its whole size above a max on its path), or null. */
        private String largerThanMax(QNode leaf, GangSpec spec, AppState a) {
            QueueHeadroom.Over over = QueueHeadroom.overMax(leaf.queue, spec.total(), QueueHeadroom.NOTHING);
            return over == null ? null : Reasons.gangLargerThanMax(a.appId(), spec, over);
        }

        /** Reserves every missing member of the gang at once, or nothing. Null on success, else why not. */
        private Failure reserve(QNode leaf, ANode app) {
            AppState a = app.app;
            Gang g = a.gang();
            Resources needed = Resources.NONE;
            for (TaskGroup group : g.spec().groups()) {
                int m = g.missing(group);
                for (int i = 0; i < m; i++) {
                    needed = needed.plus(group.minResource());
                }
            }
            QueueHeadroom.Over over = QueueHeadroom.overMax(leaf.queue, needed, cycleUse);
            if (over != null) {
                return failure(Reasons.gangQueueAtMax(a.appId(), over, needed));
            }
            if (a.placedPods() == 0 && !app.started && !g.hasFreeSlots()) {
                Failure full = atMaxApplications(leaf, a);
                if (full != null) {
                    return full;
                }
            }
            LimitBreach limit = limitBreach(a, leaf, needed, a.placedPods() == 0 && !app.started && !g.hasFreeSlots(), true);
            if (limit != null) {
                return failure(Reasons.gangOverLimit(a.appId(), limit.key(), limit.message()));
            }
            GangSlotSearch.Attempt chosen = new GangSlotSearch(state, nodes).reserve(a, needed);
            if (chosen.failure() != null) {
                return failure(chosen.failure());
            }
            Map<String, Resources> perNode = new TreeMap<>();
            for (GangReserved.Slot slot : chosen.slots()) {
                perNode.merge(slot.node(), slot.resources(), Resources::plus);
            }
            GangReserved r = new GangReserved(now, epoch, a.appId(), chosen.slots());
            inFlight.add(r, perNode);
            decisions.add(r);
            book(leaf, app, needed);
            return null;
        }
    }

    /** What a pod asks beyond its slot, per resource: the room its slot must grow by on the slot's node. */
    private static Resources growth(Resources req, Resources slot) {
        Resources.Builder b = Resources.builder();
        for (int i = 0; i < req.size(); i++) {
            int id = req.idAt(i);
            long extra = req.valueAt(i) - slot.get(id);
            if (extra > 0) {
                b.set(id, extra);
            }
        }
        return b.build();
    }

    /**
     * Whether a pending pod could be placed right now: some node passes every filter, and its queue and every parent,
     * and its user's and group's limits, have room. Checks every node; meant for verification after a run, not for the hot path.
     */
    public boolean fitsSomewhere(PodState ask) {
        dropSettled();
        nodes.sync(state, inFlight);
        Resources req = ask.pod().requests();
        AppState app = state.app(ask.pod().appId());
        if (app == null || !app.rejection().isEmpty()) {
            return false;
        }
        if (QueueHeadroom.overMax(state.queues().get(app.queue()), req, QueueHeadroom.COMMITTED) != null) {
            return false;
        }
        UserGroupManager ugm = state.userGroups();
        if (ugm.check(ugm.owner(app.appId(), app.user(), app.queue()), app.queue(), req, false, null, false) != null) {
            return false;
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
