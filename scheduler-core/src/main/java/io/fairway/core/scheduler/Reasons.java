package io.fairway.core.scheduler;

import io.fairway.core.config.GoDuration;
import io.fairway.core.objects.GangSpec;
import io.fairway.core.objects.TaskGroup;
import io.fairway.core.resources.Quantity;
import io.fairway.core.resources.ResourceNames;
import io.fairway.core.resources.Resources;
import io.fairway.core.state.AppState;
import io.fairway.core.state.Gang;
import io.fairway.core.state.QueueHeadroom;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;

/**
 * How the cycle words why an ask waits or a gang fails, in one place. A key is what the log compares (a reason is
 * told again only when its key changes) and stays free of numbers; a message is what a user reads in
 * {@code kubectl describe pod}, with the numbers and, where it helps, what to do.
 */
final class Reasons {
    /** Why: the key and the message of an {@code Unschedulable}. */
    record Reason(String key, String message) {
    }

    static final String GANG_FAILED = "gang failed";

    private Reasons() {
    }

    static Reason rejected(AppState app) {
        return new Reason(Scheduler.REJECTED_KEY + app.rejection(),
                "application " + app.appId() + " is rejected: " + app.rejection());
    }

    /** A pod that would take a queue on its path over its max. */
    static Reason queueAtMax(QueueHeadroom.Over over, Resources ask) {
        int id = over.resourceId();
        String q = over.queue().fullName();
        return new Reason(QueueHeadroom.atMaxKey(q, ResourceNames.name(id)), atMax(over) + " used, the pod asks "
                + Quantity.format(id, ask.get(id)));
    }

    /** A gang whose missing members would take a queue on its path over its max. */
    static Reason gangQueueAtMax(String appId, QueueHeadroom.Over over, Resources needed) {
        int id = over.resourceId();
        String q = over.queue().fullName();
        return new Reason("gang: " + QueueHeadroom.atMaxKey(q, ResourceNames.name(id)), "gang of app " + appId
                + " waits: " + atMax(over) + " used, the gang needs " + Quantity.format(id, needed.get(id)) + " more");
    }

    private static String atMax(QueueHeadroom.Over over) {
        int id = over.resourceId();
        return "queue " + over.queue().fullName() + " is at its max " + ResourceNames.name(id) + ": "
                + Quantity.format(id, over.used()) + " of " + Quantity.format(id, over.queue().max().get(id));
    }

    static Reason atMaxApplications(QueueHeadroom.AtMaxApplications full, String appId) {
        String q = full.queue().fullName();
        return new Reason(QueueHeadroom.atMaxApplicationsKey(q), "queue " + q + " runs " + full.running()
                + " of maxapplications " + full.max() + "; app " + appId + " waits to start");
    }

    /** kube-scheduler's wording: how many of the nodes each filter turned down. */
    static Reason noNode(Map<String, Integer> counts, int nodes) {
        TreeMap<String, Integer> sorted = new TreeMap<>(counts);
        StringJoiner key = new StringJoiner("; ", "no node: ", "");
        StringJoiner message = new StringJoiner(", ", "0/" + nodes + " nodes are available: ", ".");
        if (sorted.isEmpty()) {
            key.add("no nodes");
            message.add("the cluster has no nodes");
        }
        sorted.forEach((reason, n) -> {
            key.add(reason);
            message.add(n + " " + reason);
        });
        return new Reason(key.toString(), message.toString());
    }

    static Reason waitingForVictims(int left, String node) {
        return new Reason("preemption: waiting for victims to leave " + node, "waiting for " + left
                + " preempted pod(s) to leave node " + node + "; the room they free is held for this pod");
    }

    /** Why a preemptor gives up the room it holds: its victims are still on the node after {@code timeoutMillis}. */
    static String victimsTooSlow(int left, String node, long timeoutMillis) {
        return left + " preempted pod(s) still on node " + node + " after " + GoDuration.format(timeoutMillis)
                + "; the held room is given up";
    }

    /** Why a preemptor gives up the room it holds: its victims left, and it still does not fit (the node's reason). */
    static String stillNoFit(String node, String reject) {
        return "the preempted pods left node " + node + " but the pod still does not fit there (" + reject
                + "); the held room is given up";
    }

    static Reason gangFailed(String appId, String why) {
        return new Reason(GANG_FAILED, "application " + appId + " failed: " + why);
    }

    static String gangTimedOut(AppState a, long timeoutMillis, boolean hard) {
        return "gang of app " + a.appId() + " was not complete " + GoDuration.format(timeoutMillis)
                + " after it first waited (" + counts(a) + "); "
                + (hard ? "gangSchedulingStyle Hard: the app fails"
                : "gangSchedulingStyle Soft: its reservations are released and it is scheduled as a normal app");
    }

    private static String counts(AppState a) {
        StringJoiner j = new StringJoiner(", ");
        for (Gang.GroupCount c : a.gang().counts(a)) {
            j.add(c.group() + ": " + c.used() + " used, " + c.reserved() + " reserved of " + c.minMember());
        }
        return j.toString();
    }

    static String gangInvalid(Gang g, String appId) {
        return g.reason() + "; app " + appId + " is scheduled as a normal app";
    }

    static String gangLostPart(String appId, String why) {
        return "gang of app " + appId + " lost part of its reservation and cannot re-reserve it: " + why
                + "; it waits for a whole reservation again";
    }

    /** A gang whose whole size is above a max on its path: it can never run there. */
    static String gangLargerThanMax(String appId, GangSpec spec, QueueHeadroom.Over over) {
        int id = over.resourceId();
        Resources total = spec.total();
        StringJoiner groups = new StringJoiner(" + ");
        for (TaskGroup g : spec.groups()) {
            groups.add(g.minMember() + " × " + Quantity.format(id, g.minResource().get(id)) + " in " + g.name());
        }
        return "gang of app " + appId + " needs " + Quantity.format(id, total.get(id)) + " " + ResourceNames.name(id)
                + " in all (" + groups + ") but queue " + over.queue().fullName() + " has max "
                + Quantity.format(id, over.queue().max().get(id));
    }

    static Reason gangOverLimit(String appId, String limitKey, String limitMessage) {
        return new Reason("gang: " + limitKey, "gang of app " + appId + " waits: " + limitMessage);
    }

    /** No domain of the topology key holds the whole gang; the message names the closest. */
    static Reason gangNoDomainFits(String key, String domain, String closestMessage) {
        return new Reason("gang: no topology domain of " + key + " fits", closestMessage.replaceFirst(
                " cannot be reserved in full", " cannot be reserved in full in one domain of " + key + " (closest: "
                        + domain + ")"));
    }

    static Reason gangNoDomain(String key) {
        return new Reason("gang: no topology domain of " + key,
                "gang cannot be reserved: no node has the label " + key + " that its topology domain names");
    }

    static Reason gangNoRoomForGroup(String appId, TaskGroup group, int missing, int roomFor, Reason noNode) {
        return new Reason("gang: no room for group " + group.name() + "; " + noNode.key(), "gang of app " + appId
                + " cannot be reserved in full: task group " + group.name() + " needs " + missing + " × "
                + group.minResource() + ", room for " + roomFor + " (" + noNode.message().replaceAll("\\.$", "") + ")");
    }
}
