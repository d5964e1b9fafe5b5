package io.fairway.core.scheduler;

import io.fairway.core.resources.Resources;
import io.fairway.core.scheduler.FairTree.ANode;
import io.fairway.core.scheduler.FairTree.QNode;

/**
 * One rule an ask must pass before a node is looked for (YuniKorn's user and queue headroom): judged on the cycle's
 * view of use, so room booked earlier in the cycle counts.
 */
interface AdmissionCheck {
    /**
     * Why the ask may not be let in, or null.
     *
     * @param req    what it would add: a pod's requests, or every missing member of a gang at once
     * @param starts whether it would start the app (the app runs nothing yet)
     * @param gang   whether it is a gang's reservation, worded as such
     */
    Refusal check(CycleContext c, QNode leaf, ANode app, Resources req, boolean starts, boolean gang);

    /** @param parentAtMax a queue above the leaf is at its max: preemption among its children may make room */
    record Refusal(Reasons.Reason reason, boolean parentAtMax) {
    }
}
