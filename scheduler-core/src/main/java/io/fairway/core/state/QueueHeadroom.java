package io.fairway.core.state;

import io.fairway.core.resources.Resources;
import java.util.function.ToLongFunction;

/**
 * The one answer to "does this fit its queues": whether an ask stays within the max of every queue from its leaf to the
 * root, and whether an app may start under every queue's {@code maxapplications}. The use it judges is a view the
 * caller chooses: committed ({@link #COMMITTED}, as apply judges a decision), or committed plus in flight plus booked
 * this cycle (the scheduler's), so that the cycle, apply, the preemption planner and {@code fitsSomewhere} cannot
 * disagree on what "over max" means.
 */
public final class QueueHeadroom {
    private QueueHeadroom() {
    }

    /** A queue's use by resource id under some view; the array may be shorter than the ids in use (missing is 0). */
    @FunctionalInterface
    public interface Usage {
        long[] of(QueueState q);
    }

    /** What the state has committed: its counters. */
    public static final Usage COMMITTED = q -> q.allocated().raw();

    private static final long[] NONE = new long[0];

    /** No use at all: whether an ask could ever fit its queues, however empty. */
    public static final Usage NOTHING = q -> NONE;

    /** The reason key of an ask that waits because {@code queue} is at its max of {@code resource}. */
    public static String atMaxKey(String queue, String resource) {
        return "queue " + queue + " at max " + resource;
    }

    /** The reason key of an app that waits to start because {@code queue} runs its {@code maxapplications}. */
    public static String atMaxApplicationsKey(String queue) {
        return "queue " + queue + " at maxapplications";
    }

    /** The first queue, from the leaf up, that the ask would take over its max, and in which resource. */
    public record Over(QueueState queue, int resourceId, long used) {
    }

    /**
     * The first queue from {@code leaf} to the root where use plus {@code ask} goes over the max, in a resource the
     * ask needs (of several, the one whose name sorts first: ids are JVM-local), or null when every queue has room.
     */
    public static Over overMax(QueueState leaf, Resources ask, Usage usage) {
        for (QueueState q = leaf; q != null; q = q.parent()) {
            long[] used = usage.of(q);
            int over = ask.overLimitFirstByName(used, q.max());
            if (over >= 0) {
                return new Over(q, over, over < used.length ? used[over] : 0L);
            }
        }
        return null;
    }

    /** The first queue, from the leaf up, whose {@code maxapplications} a new app would go over. */
    public record AtMaxApplications(QueueState queue, long running, long max) {
    }

    /**
     * The first queue from {@code leaf} to the root that already runs its {@code maxapplications}, counting
     * {@code running} apps in each, or null when a new app may start.
     */
    public static AtMaxApplications atMaxApplications(QueueState leaf, ToLongFunction<QueueState> running) {
        for (QueueState q = leaf; q != null; q = q.parent()) {
            long max = q.config().maxApplications();
            if (max > 0) {
                long now = running.applyAsLong(q);
                if (now >= max) {
                    return new AtMaxApplications(q, now, max);
                }
            }
        }
        return null;
    }
}
