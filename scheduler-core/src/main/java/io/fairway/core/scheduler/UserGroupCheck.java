package io.fairway.core.scheduler;

import io.fairway.core.resources.Resources;
import io.fairway.core.scheduler.FairTree.ANode;
import io.fairway.core.scheduler.FairTree.QNode;
import io.fairway.core.ugm.LimitBreach;

/** The app's user and groups stay within the limits on its queue path. */
final class UserGroupCheck implements AdmissionCheck {
    @Override
    public Refusal check(CycleContext c, QNode leaf, ANode app, Resources req, boolean starts, boolean gang) {
        LimitBreach breach = c.limits.breach(app.app, leaf.queue.fullName(), req, starts, gang);
        if (breach == null) {
            return null;
        }
        Reasons.Reason why = gang ? Reasons.gangOverLimit(app.app.appId(), breach.key(), breach.message())
                : new Reasons.Reason(breach.key(), breach.message());
        return new Refusal(why, false);
    }
}
