package io.fairway.core.scheduler;

import io.fairway.core.resources.Resources;
import io.fairway.core.scheduler.FairTree.ANode;
import io.fairway.core.scheduler.FairTree.QNode;
import io.fairway.core.state.QueueHeadroom;

/** The leaf and every queue above it stay within their max. */
final class QueueMaxCheck implements AdmissionCheck {
    @Override
    public Refusal check(CycleContext c, QNode leaf, ANode app, Resources req, boolean starts, boolean gang) {
        QueueHeadroom.Over over = QueueHeadroom.overMax(leaf.queue, req, c.use);
        if (over == null) {
            return null;
        }
        Reasons.Reason why = gang ? Reasons.gangQueueAtMax(app.app.appId(), over, req) : Reasons.queueAtMax(over, req);
        return new Refusal(why, over.queue() != leaf.queue);
    }
}
