package io.fairway.core.ugm;

import io.fairway.core.resources.ResourceCounter;
import io.fairway.core.resources.Resources;
import java.util.HashMap;

/**
 * Allocated resources and running apps per user or group per queue, each queue counting its subtree. Only kept
 * where a limit applies to the subject, since nothing else reads it. Sums are commutative, so the hash map's order
 * never matters. The state keeps one of these for what is committed; a scheduling cycle keeps another for what it
 * has in flight and books, read on top of the first.
 */
public final class Usage {
    private static final long[] NONE = new long[0];

    private record Key(String queue, Subject who) {
    }

    private static final class Counts {
        final ResourceCounter allocated = new ResourceCounter();
        int runningApps;

        boolean isEmpty() {
            return runningApps == 0 && allocated.isZero();
        }
    }

    private final Limits limits;
    private final HashMap<Key, Counts> counts = new HashMap<>();

    Usage(Limits limits) {
        this.limits = limits;
    }

    /** Adds (sign 1) or takes away (-1) resources used in {@code queue} at that queue and every ancestor. */
    public void add(String queue, Subject who, Resources r, int sign) {
        if (who == null || limits.isEmpty()) {
            return;
        }
        for (String q = queue; q != null; q = Limits.parent(q)) {
            if (!limits.applies(q, who)) {
                continue;
            }
            Key k = new Key(q, who);
            Counts c = counts.computeIfAbsent(k, x -> new Counts());
            if (sign > 0) {
                c.allocated.add(r);
            } else {
                c.allocated.subtract(r);
            }
            if (c.isEmpty()) {
                counts.remove(k);
            }
        }
    }

    /** An app of the subject started (1) or stopped (-1) running in {@code queue}. */
    public void running(String queue, Subject who, int delta) {
        if (who == null || limits.isEmpty()) {
            return;
        }
        for (String q = queue; q != null; q = Limits.parent(q)) {
            if (!limits.applies(q, who)) {
                continue;
            }
            Key k = new Key(q, who);
            Counts c = counts.computeIfAbsent(k, x -> new Counts());
            c.runningApps += delta;
            if (c.isEmpty()) {
                counts.remove(k);
            }
        }
    }

    /** Resources the subject uses in the queue's subtree (raw, by resource id); counted only where a limit applies. */
    public long[] allocated(String queue, Subject who) {
        Counts c = counts.get(new Key(queue, who));
        return c == null ? NONE : c.allocated.raw();
    }

    /** Apps of the subject running in the queue's subtree; counted only where a limit applies. */
    public int runningApps(String queue, Subject who) {
        Counts c = counts.get(new Key(queue, who));
        return c == null ? 0 : c.runningApps;
    }

    /** How many (queue, subject) pairs hold usage: zero once everything counted was taken away again. */
    public int size() {
        return counts.size();
    }
}
