package io.fairway.core.placement;

import io.fairway.core.config.Acl;
import io.fairway.core.config.QueueConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * Who may submit to a queue: YuniKorn's CheckSubmitAccess. The submit or the admin ACL of the queue or of any queue
 * above it must allow the user or one of its groups; a queue that does not exist yet is judged by the nearest one
 * that does. An ACL that is not set allows nobody, so YuniKorn denies everyone where no queue on the path sets one.
 *
 * <p>Fairway's difference: a config that sets no {@code submitacl} and no {@code adminacl} anywhere lets everyone
 * submit everywhere, so that the many configs written without ACLs keep working. Set one ACL and YuniKorn's rule
 * holds for the whole tree (put {@code submitacl: "*"} on root to keep the rest open).
 */
public final class SubmitAccess {
    private final boolean enforced;

    private SubmitAccess(boolean enforced) {
        this.enforced = enforced;
    }

    public static SubmitAccess of(QueueConfig root) {
        return new SubmitAccess(setsAnAcl(root));
    }

    private static boolean setsAnAcl(QueueConfig q) {
        if (q.submitAcl().isSet() || q.adminAcl().isSet()) {
            return true;
        }
        for (QueueConfig c : q.queues()) {
            if (setsAnAcl(c)) {
                return true;
            }
        }
        return false;
    }

    /** False when the config sets no ACL at all and everyone may submit. */
    public boolean enforced() {
        return enforced;
    }

    /** Why the app may not submit to {@code queue} (existing or to be created), or null when it may. */
    public String denial(Submission app, String queue, QueueLookup queues) {
        if (!enforced) {
            return null;
        }
        List<String> seen = new ArrayList<>();
        for (String name = queue; !name.isEmpty(); name = QueueNames.parentOf(name)) {
            QueueConfig c = queues.config(name);
            if (c == null) {
                continue;
            }
            if (c.submitAcl().allows(app.user(), app.groups()) || c.adminAcl().allows(app.user(), app.groups())) {
                return null;
            }
            describe(seen, name, "submitacl", c.submitAcl());
            describe(seen, name, "adminacl", c.adminAcl());
        }
        return app.who() + " may not submit to " + queue + ": "
                + (seen.isEmpty() ? "no queue from " + queue + " up to root sets a submitacl or adminacl"
                : seen.size() == 1 ? seen.getFirst() + " does not allow it"
                : "none of " + String.join(", ", seen) + " allows it")
                + "; add the user or a group to one of them";
    }

    private static void describe(List<String> out, String queue, String key, Acl acl) {
        if (acl.isSet()) {
            out.add(key + " '" + acl.raw() + "' of " + queue);
        }
    }
}
