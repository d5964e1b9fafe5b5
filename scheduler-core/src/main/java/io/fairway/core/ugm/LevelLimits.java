package io.fairway.core.ugm;

import io.fairway.core.config.Limit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The limits written at one level of the tree: a queue's {@code limits}, or a partition's (which apply at root).
 * Within a level the most specific entry wins: a user's own entry over the {@code *} user entry; a named group's
 * entry over the {@code *} group entry.
 */
final class LevelLimits {
    private final String queue;
    private final String where;
    private final Map<String, Limit> users = new HashMap<>();
    private Limit anyUser;
    /** Named groups in the order the config lists them: YuniKorn tracks an app against the first that matches. */
    private final List<String> groupOrder = new ArrayList<>();
    private final Map<String, Limit> groups = new HashMap<>();
    private Limit anyGroup;

    /**
     * @param queue the queue the limits apply at (full name)
     * @param where how messages name the level: {@code queue root.a}, {@code partition default}
     */
    LevelLimits(String queue, String where, List<Limit> limits) {
        this.queue = queue;
        this.where = where;
        // The validator refuses a name twice in one level; should one slip through, the first entry wins.
        for (Limit l : limits) {
            for (String u : l.users()) {
                if (Subject.WILDCARD.equals(u)) {
                    anyUser = anyUser == null ? l : anyUser;
                } else {
                    users.putIfAbsent(u, l);
                }
            }
            for (String g : l.groups()) {
                if (Subject.WILDCARD.equals(g)) {
                    anyGroup = anyGroup == null ? l : anyGroup;
                } else if (groups.putIfAbsent(g, l) == null) {
                    groupOrder.add(g);
                }
            }
        }
    }

    String queue() {
        return queue;
    }

    String where() {
        return where;
    }

    boolean isEmpty() {
        return users.isEmpty() && anyUser == null && groups.isEmpty() && anyGroup == null;
    }

    /** The limit that applies to a subject here, or null. */
    Limit limitFor(Subject s) {
        if (s.kind() == Subject.Kind.USER) {
            Limit own = users.get(s.name());
            return own != null ? own : anyUser;
        }
        return Subject.WILDCARD.equals(s.name()) ? anyGroup : groups.get(s.name());
    }

    /** True when the subject's limit here is the {@code *} entry rather than one naming it. */
    boolean isWildcardFor(Subject s) {
        return s.kind() == Subject.Kind.USER ? !users.containsKey(s.name()) : Subject.WILDCARD.equals(s.name());
    }

    /**
     * The group an app of a user in {@code userGroups} is tracked against if this level decides it: the first group
     * with a limit here (config order) that the user is in; else {@code *} when this level has a {@code *} group
     * limit; else null (the level above decides).
     */
    String groupOf(List<String> userGroups) {
        for (String g : groupOrder) {
            if (userGroups.contains(g)) {
                return g;
            }
        }
        return anyGroup != null ? Subject.WILDCARD : null;
    }
}
