package io.fairway.core.scheduler;

import io.fairway.core.resources.Resources;
import io.fairway.core.state.AppState;
import io.fairway.core.ugm.LimitBreach;
import io.fairway.core.ugm.Owner;
import io.fairway.core.ugm.Usage;
import io.fairway.core.ugm.UserGroupManager;
import java.util.HashMap;

/**
 * The cycle's admission check for user and group limits: what an app's user and groups use, committed, in flight and
 * booked in this cycle, against the limits on its queue path. Costs nothing when no limit is configured.
 */
final class UserGroupLimits {
    private final UserGroupManager userGroups;
    /** Use in flight and booked in this cycle, on top of the committed use the manager keeps. */
    private final Usage booked;
    /** Whose use each app is, worked out once per cycle. */
    private final HashMap<String, Owner> owners = new HashMap<>();

    UserGroupLimits(UserGroupManager userGroups) {
        this.userGroups = userGroups;
        this.booked = userGroups.bookings();
    }

    /** Why the app's ask must wait for a user or group limit on {@code queue}'s path; or null. */
    LimitBreach breach(AppState app, String queue, Resources req, boolean starts, boolean gang) {
        if (userGroups.limits().isEmpty()) {
            return null;
        }
        return userGroups.check(owner(app), queue, req, starts, booked, gang);
    }

    /** Room in flight or booked in this cycle counted for the app's user and group (and its start, if it starts). */
    void book(AppState app, String queue, Resources r, int sign, boolean starts) {
        if (userGroups.limits().isEmpty()) {
            return;
        }
        Owner o = owner(app);
        booked.add(queue, o.user(), r, sign);
        booked.add(queue, o.group(), r, sign);
        if (starts) {
            booked.running(queue, o.user(), 1);
            booked.running(queue, o.group(), 1);
        }
    }

    private Owner owner(AppState app) {
        return owners.computeIfAbsent(app.appId(), id -> userGroups.owner(id, app.user(), app.queue()));
    }
}
