package io.fairway.core.scheduler;

import io.fairway.core.resources.ResourceCounter;
import io.fairway.core.resources.Resources;
import io.fairway.core.state.QueueState;

/**
 * The fair order of sibling queues: dominant resource share (DRF) of usage.
 *
 * <p>Queues still below their guaranteed resources come first, by their share of guaranteed. The others follow,
 * by share: of guaranteed for queues that have one, else of their max, else of the cluster. Ties: queues with a
 * guarantee before those without, then by name.
 */
public final class QueueOrder {
    private QueueOrder() {
    }

    /**
     * The share the scheduler orders {@code q} among its siblings by, from what it has allocated: of its guaranteed
     * resources when it has some, else of its max, else of the cluster's capacity. Below 1 with a guarantee: the
     * queue is owed resources.
     */
    public static double share(QueueState q, ResourceCounter cluster) {
        long[] used = q.allocated().raw();
        if (!q.guaranteed().isEmpty()) {
            return dominantShare(used, q.guaranteed());
        }
        return q.max().isEmpty() ? dominantShare(used, cluster) : dominantShare(used, q.max());
    }

    /** Dominant share of {@code used} over {@code base}, over the resources base defines with a positive value. */
    static double dominantShare(long[] used, Resources base) {
        double share = 0;
        for (int i = 0, n = base.size(); i < n; i++) {
            long b = base.valueAt(i);
            if (b <= 0) {
                continue;
            }
            int id = base.idAt(i);
            long u = id < used.length ? used[id] : 0L;
            share = Math.max(share, (double) u / b);
        }
        return share;
    }

    static double dominantShare(long[] used, ResourceCounter cluster) {
        double share = 0;
        long[] cap = cluster.raw();
        for (int id = 0; id < cap.length; id++) {
            if (cap[id] <= 0) {
                continue;
            }
            long u = id < used.length ? used[id] : 0L;
            share = Math.max(share, (double) u / cap[id]);
        }
        return share;
    }
}
