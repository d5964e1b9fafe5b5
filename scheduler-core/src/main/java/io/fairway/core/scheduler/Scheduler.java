package io.fairway.core.scheduler;

import io.fairway.core.events.Allocated;
import io.fairway.core.events.Decision;
import io.fairway.core.events.GangReserved;
import io.fairway.core.events.PreemptionRequested;
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
import io.fairway.core.ugm.UserGroupManager;
import java.util.ArrayList;
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
            if (GangStage.timesOut(a)) {
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

    /**
     * One cycle: its stages share a {@link CycleContext}. Like YuniKorn's {@code tryAllocate}, each ask goes through the
     * same steps in order, and the first that deals with it ends its turn.
     */
    private final class Cycle {
        private final CycleContext c;
        private final GangStage gangs;
        private final HeldRoom held;
        private final GangSlots slots;
        private final NodePlacement placement;

        Cycle(long now) {
            c = new CycleContext(now, epoch, state, inFlight, nodes);
            gangs = new GangStage(c, Admission.DEFAULT);
            held = new HeldRoom(c, Admission.DEFAULT);
            slots = new GangSlots(c, Admission.DEFAULT);
            placement = new NodePlacement(c, Admission.DEFAULT);
        }

        CycleResult run() {
            explainRejected();
            gangs.timeouts();
            c.tree.build(app -> GangStage.needsReservation(app, inFlight), c.limits::book);
            FairTree tree = c.tree;
            while (c.allocations < maxAllocationsPerCycle) {
                QNode leaf = tree.pickLeaf();
                if (leaf == null) {
                    break;
                }
                ANode app = leaf.apps.pollFirst();
                if (app == null || (app.next == null && !app.gangWork)) {
                    tree.settle(leaf);
                    continue;
                }
                if (app.app.gang().status() != Gang.Status.NONE && (gangs.holdsBack(leaf, app) || app.next == null)) {
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
            boolean capped = c.allocations >= maxAllocationsPerCycle && tree.pickLeaf() != null;
            new PreemptionStage(state, nodes, inFlight, c.use).decide(c.now, epoch, c.wanting, p -> {
                inFlight.add(p);
                c.decide(p);
            });
            return new CycleResult(c.decisions, c.allocations, c.unschedulable, c.tried, capped);
        }

        /** Pods of an app that has no queue to go to wait for that reason; say so once, as for any other. */
        private void explainRejected() {
            for (AppState a : state.apps().values()) {
                if (a.rejection().isEmpty() || a.pendingPods() == 0) {
                    continue;
                }
                for (PodState ask : a.pendingAsks()) {
                    c.fail(ask, Reasons.rejected(a));
                }
            }
        }

        /**
         * One ask's steps: into the room it holds (or wait for its victims), into its gang slot, else placed like any
         * pod, giving one slot back when it is a member that fits none.
         */
        private void tryAsk(QNode leaf, ANode app, PodState ask) {
            c.tried++;
            if (ask.holdsRoom() && !inFlight.isHoldReleased(ask.uid()) && held.waitsForVictims(leaf, app, ask)) {
                return;
            }
            if (slots.intoSlot(leaf, app, ask)) {
                return;
            }
            ReservedSlot givenBack = slots.toGiveBack(app, ask.pod());
            if (givenBack != null) {
                slots.book(leaf, app, givenBack, -1);
            }
            if (!placement.place(leaf, app, ask, givenBack != null)) {
                if (givenBack != null) {
                    slots.book(leaf, app, givenBack, 1);
                }
            } else if (givenBack != null) {
                inFlight.giveBack(ask.uid(), app.app.appId(), givenBack.id(), givenBack.node(), givenBack.resources());
            }
        }
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
