package io.fairway.core.scheduler;

import io.fairway.core.resources.Resources;
import io.fairway.core.scheduler.FairTree.ANode;
import io.fairway.core.scheduler.FairTree.QNode;
import io.fairway.core.state.QueueHeadroom;

/** An app that would start waits while a queue on its path runs its {@code maxapplications}. */
final class MaxApplicationsCheck implements AdmissionCheck {
    @Override
    public Refusal check(CycleContext c, QNode leaf, ANode app, Resources req, boolean starts, boolean gang) {
        if (!starts) {
            return null;
        }
        QueueHeadroom.AtMaxApplications full = QueueHeadroom.atMaxApplications(leaf.queue, q -> {
            QNode n = c.tree.of(q);
            return q.runningApps() + (n == null ? 0 : n.startedApps);
        });
        return full == null ? null : new Refusal(Reasons.atMaxApplications(full, app.app.appId()), false);
    }
}
