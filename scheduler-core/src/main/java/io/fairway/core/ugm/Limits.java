package io.fairway.core.ugm;

import io.fairway.core.config.PartitionConfig;
import io.fairway.core.config.QueueConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;

/**
 * Every user and group limit of one partition, by the queue they apply at. A queue's limits cover its whole
 * subtree; the partition's limits apply at root, next to root's own (both are enforced, so the tighter bites).
 */
public final class Limits {
    private final HashMap<String, List<LevelLimits>> byQueue = new HashMap<>();

    private Limits() {
    }

    public static Limits of(PartitionConfig partition) {
        Limits l = new Limits();
        l.collect(partition.root(), partition.root().name());
        LevelLimits p = new LevelLimits(partition.root().name(), "partition " + partition.name(), partition.limits());
        if (!p.isEmpty()) {
            l.byQueue.computeIfAbsent(partition.root().name(), k -> new ArrayList<>()).add(p);
        }
        return l;
    }

    private void collect(QueueConfig q, String fullName) {
        LevelLimits level = new LevelLimits(fullName, "queue " + fullName, q.limits());
        if (!level.isEmpty()) {
            byQueue.computeIfAbsent(fullName, k -> new ArrayList<>()).add(level);
        }
        for (QueueConfig child : q.queues()) {
            collect(child, fullName + "." + child.name());
        }
    }

    public boolean isEmpty() {
        return byQueue.isEmpty();
    }

    /** The levels written at one queue (root's own first, then the partition's), empty when none. */
    List<LevelLimits> at(String queue) {
        return byQueue.getOrDefault(queue, List.of());
    }

    /** True when some limit at {@code queue} applies to the subject, so its usage there must be counted. */
    boolean applies(String queue, Subject s) {
        for (LevelLimits level : at(queue)) {
            if (level.limitFor(s) != null) {
                return true;
            }
        }
        return false;
    }

    /**
     * The one group an app in {@code queue} is tracked against, as YuniKorn picks it: from the queue up to root, the
     * first level with a group limit matching one of the user's groups (or a {@code *} group limit) decides. Null when
     * none does, and for a user in no group at all (YuniKorn tracks no group for such a user, not even {@code *}):
     * the app's usage then counts for its user only.
     */
    public String groupOf(List<String> userGroups, String queue) {
        if (userGroups.isEmpty()) {
            return null;
        }
        for (String q = queue; q != null; q = parent(q)) {
            for (LevelLimits level : at(q)) {
                String g = level.groupOf(userGroups);
                if (g != null) {
                    return g;
                }
            }
        }
        return null;
    }

    /** The parent's full name, null for root. Queue names hold no dots, so the path is the name. */
    static String parent(String queue) {
        int dot = queue.lastIndexOf('.');
        return dot < 0 ? null : queue.substring(0, dot);
    }
}
