package io.fairway.core.scheduler;

import io.fairway.core.events.Released;
import io.fairway.core.objects.Pod;
import io.fairway.core.resources.Resources;
import io.fairway.core.scheduler.FairTree.ANode;
import io.fairway.core.scheduler.FairTree.QNode;
import io.fairway.core.state.PodState;

/**
 * A preemptor that holds room: it goes into its room once the victims have left; while they are leaving it waits (and
 * never preempts again); when they are gone and it still does not fit, or they take too long, it gives the room up
 * and is placed like any pod.
 */
final class HeldRoom {
    private final CycleContext c;
    private final Admission admission;

    HeldRoom(CycleContext c, Admission admission) {
        this.c = c;
        this.admission = admission;
    }

    /** @return whether the ask is dealt with for this cycle (placed into its room, or waiting for its victims) */
    boolean waitsForVictims(QNode leaf, ANode app, PodState ask) {
        Pod pod = ask.pod();
        Resources req = pod.requests();
        NodeIndex.Entry e = c.nodes.entry(ask.holdNode());
        String notThere = "node gone";
        if (e != null) {
            // Judged as apply judges it: the held room given back on the node, in the queues and in the user's and
            // groups' use, then the node's filters and every admission check.
            c.bookHeld(leaf, app, e, req, -1);
            notThere = c.nodes.rejectOn(pod, e);
            if (notThere == null) {
                AdmissionCheck.Refusal refused = admission.admit(c, leaf, app, req, CycleContext.starts(app), false);
                notThere = refused == null ? null : refused.reason().message();
            }
            c.bookHeld(leaf, app, e, req, 1);
            if (notThere == null) {
                // The held room already counts on the node and in the queues: the allocation adds nothing more.
                c.allocate(leaf, app, ask, e, Resources.NONE, null);
                return true;
            }
        }
        int left = c.state.victimsOf(ask.uid()).size();
        if (left > 0 && c.now - ask.holdSince() < Scheduler.HOLD_TIMEOUT_MILLIS) {
            c.fail(ask, Reasons.waitingForVictims(left, ask.holdNode()));
            return true;
        }
        String why = left > 0 ? Reasons.victimsTooSlow(left, ask.holdNode(), Scheduler.HOLD_TIMEOUT_MILLIS)
                : Reasons.stillNoFit(ask.holdNode(), notThere);
        c.inFlight.releaseHold(ask.uid());
        c.decide(new Released(c.now, c.epoch, ask.uid(), ask.holdNode(), why));
        return false;
    }
}
