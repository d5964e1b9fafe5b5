package io.fairway.core.scheduler;

import io.fairway.core.events.GangReleased;
import io.fairway.core.events.GangReserved;
import io.fairway.core.objects.GangSpec;
import io.fairway.core.objects.TaskGroup;
import io.fairway.core.resources.Resources;
import io.fairway.core.scheduler.FairTree.ANode;
import io.fairway.core.scheduler.FairTree.QNode;
import io.fairway.core.state.AppState;
import io.fairway.core.state.Gang;
import io.fairway.core.state.PodState;
import io.fairway.core.state.QueueHeadroom;
import java.util.Map;
import java.util.TreeMap;

/**
 * A gang's life in the cycle: released at its deadline (Soft to be scheduled normally, Hard to fail), and when its
 * turn comes, every missing member reserved at once or nothing (room chosen by {@link GangSlotSearch}), its pods told
 * why while it waits.
 */
final class GangStage {
    private final CycleContext c;
    private final Admission admission;

    GangStage(CycleContext c, Admission admission) {
        this.c = c;
        this.admission = admission;
    }

    /** A gang that would be released at its deadline: still waiting, or holding slots no member came for. */
    static boolean timesOut(AppState a) {
        Gang g = a.gang();
        return g.status() == Gang.Status.WAITING || (g.status() == Gang.Status.RESERVED && g.hasFreeSlots());
    }

    /**
     * A gang with members still to reserve for (waiting, or short of slots lost with a node) and pods alive: it
     * reserves without waiting for a pending pod, so that executors that come later find their room.
     */
    static boolean needsReservation(AppState a, InFlight inFlight) {
        Gang g = a.gang();
        if ((g.status() != Gang.Status.WAITING && g.status() != Gang.Status.RESERVED)
                || (a.pendingPods() == 0 && a.placedPods() == 0)
                || inFlight.reservation(a.appId()) != null || inFlight.release(a.appId()) != null) {
            return false;
        }
        return g.missing() > 0;
    }

    /** Gangs past their deadline are released: Soft ones to be scheduled normally, Hard ones to fail. */
    void timeouts() {
        for (AppState a : c.state.apps().values()) {
            if (a.gang().status() == Gang.Status.NONE || !timesOut(a) || c.inFlight.release(a.appId()) != null) {
                continue;
            }
            Gang g = a.gang();
            long timeout = g.spec().timeoutMillis();
            if (c.now < g.since() + timeout) {
                continue;
            }
            boolean hard = g.spec().style() == GangSpec.Style.HARD;
            release(a, hard ? GangReleased.Next.FAILED : GangReleased.Next.NORMAL,
                    Reasons.gangTimedOut(a, timeout, hard));
        }
    }

    /**
     * What a gang app does when its turn comes. Returns true when it places nothing more in this cycle: it waits for
     * its reservation, has just reserved (members bind from the next cycle), or failed.
     */
    boolean holdsBack(QNode leaf, ANode app) {
        AppState a = app.app;
        Gang g = a.gang();
        GangReleased pending = c.inFlight.release(a.appId());
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
        if (c.inFlight.reservation(a.appId()) != null) {
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
        Reasons.Reason failure = reserve(leaf, app);
        if (failure == null) {
            return true;
        }
        if (reserved) {
            // Part of the reservation went with a node and the rest cannot be found: hold nothing rather than half.
            release(a, GangReleased.Next.WAIT, Reasons.gangLostPart(a.appId(), failure.message()));
        }
        return failAll(app, failure);
    }

    private void release(AppState a, GangReleased.Next next, String why) {
        GangReleased r = new GangReleased(c.now, c.epoch, a.appId(), next, why);
        c.inFlight.add(r);
        c.decide(r);
    }

    /** Every pending pod of the app waits for the same reason. Always true, for the caller's return. */
    private boolean failAll(ANode app, Reasons.Reason r) {
        for (PodState ask : app.app.pendingAsks()) {
            if (!c.inFlight.isAllocated(ask.uid())) {
                c.fail(ask, r);
            }
        }
        return true;
    }

    /** Why the gang can never fit its queue (its whole size above a max on its path), or null. */
    private static String largerThanMax(QNode leaf, GangSpec spec, AppState a) {
        QueueHeadroom.Over over = QueueHeadroom.overMax(leaf.queue, spec.total(), QueueHeadroom.NOTHING);
        return over == null ? null : Reasons.gangLargerThanMax(a.appId(), spec, over);
    }

    /** Reserves every missing member of the gang at once, or nothing. Null on success, else why not. */
    private Reasons.Reason reserve(QNode leaf, ANode app) {
        AppState a = app.app;
        Gang g = a.gang();
        Resources needed = Resources.NONE;
        for (TaskGroup group : g.spec().groups()) {
            int m = g.missing(group);
            for (int i = 0; i < m; i++) {
                needed = needed.plus(group.minResource());
            }
        }
        AdmissionCheck.Refusal refused = admission.admit(c, leaf, app, needed, CycleContext.starts(app), true);
        if (refused != null) {
            return refused.reason();
        }
        GangSlotSearch.Attempt chosen = new GangSlotSearch(c.state, c.nodes).reserve(a, needed);
        if (chosen.failure() != null) {
            return chosen.failure();
        }
        Map<String, Resources> perNode = new TreeMap<>();
        for (GangReserved.Slot slot : chosen.slots()) {
            perNode.merge(slot.node(), slot.resources(), Resources::plus);
        }
        GangReserved r = new GangReserved(c.now, c.epoch, a.appId(), chosen.slots());
        c.inFlight.add(r, perNode);
        c.decide(r);
        c.book(leaf, app, needed);
        return null;
    }
}
