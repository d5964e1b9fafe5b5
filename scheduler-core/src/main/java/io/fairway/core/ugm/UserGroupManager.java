package io.fairway.core.ugm;

import io.fairway.core.config.Limit;
import io.fairway.core.config.PartitionConfig;
import io.fairway.core.resources.Quantity;
import io.fairway.core.resources.ResourceNames;
import io.fairway.core.resources.Resources;
import java.util.HashMap;
import java.util.List;

/**
 * YuniKorn's user group manager: the {@code limits} of the queue config, the committed usage per user and group,
 * and the check whether an allocation fits every limit from its leaf to root.
 *
 * <p>Owned by the state and changed only from {@code apply}, so every replica holds the same; a scheduling cycle
 * reads it and passes what it has in flight and booked as a second {@link Usage}. A user's limit at a level is the
 * entry naming the user, else the {@code *} user entry (each user on their own). An app is tracked against one
 * group, picked from the groups of its first pod (see {@link Limits#groupOf}); its user's limits and its group's
 * limits are both enforced, so the tighter one bites.
 */
public final class UserGroupManager {
    private final Limits limits;
    private final Usage committed;
    /** The groups of each app, from its first pod: like its user, they stay what they were when it was first seen. */
    private final HashMap<String, List<String>> appGroups;

    public UserGroupManager(PartitionConfig partition) {
        this(Limits.of(partition), new HashMap<>());
    }

    private UserGroupManager(Limits limits, HashMap<String, List<String>> appGroups) {
        this.limits = limits;
        this.committed = new Usage(limits);
        this.appGroups = appGroups;
    }

    /**
     * The same apps under a new config, with no usage counted: the state counts its pods again, since which levels
     * track what, and which group an app is tracked against, depend on the limits.
     */
    public UserGroupManager reconfigured(PartitionConfig partition) {
        return new UserGroupManager(Limits.of(partition), new HashMap<>(appGroups));
    }

    public Limits limits() {
        return limits;
    }

    /** Committed usage: placed pods and free gang slots. */
    public Usage usage() {
        return committed;
    }

    /** An empty usage for a scheduling cycle's in-flight and booked room, read on top of the committed one. */
    public Usage bookings() {
        return new Usage(limits);
    }

    /** Only the first pod's groups count, as for the app's user. */
    public void appAdded(String appId, List<String> groups) {
        appGroups.putIfAbsent(appId, List.copyOf(groups));
    }

    public void appRemoved(String appId) {
        appGroups.remove(appId);
    }

    /** The groups the app's usage is tracked by, empty when it is unknown. */
    public List<String> groupsOf(String appId) {
        return appGroups.getOrDefault(appId, List.of());
    }

    /** Whose usage an app in {@code queue} is. */
    public Owner owner(String appId, String user, String queue) {
        if (limits.isEmpty()) {
            return new Owner(appId, Subject.user(user), null);
        }
        String group = limits.groupOf(groupsOf(appId), queue);
        return new Owner(appId, Subject.user(user), group == null ? null : Subject.group(group));
    }

    /** A placed pod or a free gang slot of the owner in {@code queue} starts (1) or stops (-1) counting. */
    public void allocated(Owner o, String queue, Resources r, int sign) {
        committed.add(queue, o.user(), r, sign);
        committed.add(queue, o.group(), r, sign);
    }

    /** The owner's app started (1) or stopped (-1) running in {@code queue}. */
    public void running(Owner o, String queue, int delta) {
        committed.running(queue, o.user(), delta);
        committed.running(queue, o.group(), delta);
    }

    /**
     * Why {@code req} of the owner's app in {@code queue} must wait for a user or group limit, or null when it fits
     * every one from the queue up to root.
     *
     * @param starts the allocation would start the app (its first), so {@code maxapplications} applies
     * @param booked in flight and booked in this cycle, on top of the committed usage; null in apply
     * @param gang   the ask is a gang's whole reservation rather than one pod, for the message
     */
    public LimitBreach check(Owner o, String queue, Resources req, boolean starts, Usage booked, boolean gang) {
        if (limits.isEmpty()) {
            return null;
        }
        for (String q = queue; q != null; q = Limits.parent(q)) {
            for (LevelLimits level : limits.at(q)) {
                LimitBreach b = check(level, o.user(), o, req, starts, booked, gang);
                if (b == null && o.group() != null) {
                    b = check(level, o.group(), o, req, starts, booked, gang);
                }
                if (b != null) {
                    return b;
                }
            }
        }
        return null;
    }

    private LimitBreach check(LevelLimits level, Subject who, Owner o, Resources req, boolean starts, Usage booked,
                              boolean gang) {
        Limit limit = level.limitFor(who);
        if (limit == null) {
            return null;
        }
        String q = level.queue();
        String at = who + " in " + level.where();
        if (!limit.maxResources().isEmpty()) {
            long[] used = sum(committed.allocated(q, who), booked == null ? null : booked.allocated(q, who));
            int over = req.overLimitFirstByName(used, limit.maxResources());
            if (over >= 0) {
                String res = ResourceNames.name(over);
                long u = over < used.length ? used[over] : 0;
                return new LimitBreach(at + " at maxresources " + res,
                        at + " at maxresources " + res + ": " + Quantity.format(over, u) + " of "
                                + Quantity.format(over, limit.maxResources().get(over)) + " used, "
                                + (gang ? "the gang needs " + Quantity.format(over, req.get(over)) + " more"
                                : "the pod asks " + Quantity.format(over, req.get(over)))
                                + " (" + label(limit, level, who) + ")");
            }
        }
        if (starts && limit.maxApplications() > 0) {
            int running = committed.runningApps(q, who) + (booked == null ? 0 : booked.runningApps(q, who));
            if (running >= limit.maxApplications()) {
                return new LimitBreach(at + " at maxapplications",
                        at + " runs " + running + " of maxapplications " + limit.maxApplications() + " ("
                                + label(limit, level, who) + "); app " + o.appId() + " waits to start");
            }
        }
        return null;
    }

    /** How a message names the limit: its description when it has one, and whether it is the {@code *} user entry. */
    private static String label(Limit limit, LevelLimits level, Subject who) {
        String any = who.kind() == Subject.Kind.USER && level.isWildcardFor(who) ? " for user *" : "";
        boolean described = limit.description() != null && !limit.description().isBlank();
        if (described) {
            return "limit \"" + limit.description() + "\"" + any;
        }
        return any.isEmpty() ? "limit for " + who : "limit" + any;
    }

    private static long[] sum(long[] a, long[] b) {
        if (b == null || b.length == 0) {
            return a;
        }
        long[] out = new long[Math.max(a.length, b.length)];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i];
        }
        for (int i = 0; i < b.length; i++) {
            out[i] += b[i];
        }
        return out;
    }
}
