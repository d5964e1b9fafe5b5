package io.fairway.core.scheduler;

import io.fairway.core.resources.Resources;
import io.fairway.core.scheduler.FairTree.ANode;
import io.fairway.core.scheduler.FairTree.QNode;
import java.util.List;

/**
 * The admission checks an ask passes, in order, before a node is looked for; the first refusal is the reason it
 * waits. A new check is a class implementing {@link AdmissionCheck} added to {@link #DEFAULT}.
 */
final class Admission {
    /** Queue max first (it names the resource), then the app count, then user and group limits. */
    static final Admission DEFAULT = new Admission(List.of(new QueueMaxCheck(), new MaxApplicationsCheck(),
            new UserGroupCheck()));

    private final List<AdmissionCheck> checks;

    Admission(List<AdmissionCheck> checks) {
        this.checks = List.copyOf(checks);
    }

    /** The first check's refusal, or null when every check lets the ask in. */
    AdmissionCheck.Refusal admit(CycleContext c, QNode leaf, ANode app, Resources req, boolean starts, boolean gang) {
        for (AdmissionCheck check : checks) {
            AdmissionCheck.Refusal r = check.check(c, leaf, app, req, starts, gang);
            if (r != null) {
                return r;
            }
        }
        return null;
    }
}
