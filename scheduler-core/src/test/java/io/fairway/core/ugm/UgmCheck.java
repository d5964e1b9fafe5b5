package io.fairway.core.ugm;

import io.fairway.core.config.Limit;
import io.fairway.core.resources.ResourceCounter;
import io.fairway.core.resources.Resources;
import io.fairway.core.state.AppState;
import io.fairway.core.state.ClusterState;
import io.fairway.core.state.Gang;
import io.fairway.core.state.PodState;
import io.fairway.core.state.ReservedSlot;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Invariants of the user and group limits, for fuzz tests: recomputed from the pods, not from the counters. */
public final class UgmCheck {
    private UgmCheck() {
    }

    /** The queue an app's placed pods count in: its leaf, or the nearest queue of its path a reload left standing. */
    static String charged(ClusterState s, AppState app) {
        String name = app.queue().isEmpty() ? app.requestedQueue() : app.queue();
        while (name != null && s.queues().get(name) == null) {
            name = Limits.parent(name);
        }
        return name == null ? "root" : name;
    }

    /**
     * After an allocation of the app was applied: every limit on its path that it is over, in a resource {@code asked}
     * uses, or in running apps. Empty when apply kept every limit.
     */
    public static List<String> overLimits(ClusterState s, String appId, Resources asked) {
        List<String> out = new ArrayList<>();
        AppState app = s.app(appId);
        UserGroupManager m = s.userGroups();
        String queue = charged(s, app);
        Owner o = m.owner(appId, app.user(), queue);
        for (String q = queue; q != null; q = Limits.parent(q)) {
            for (LevelLimits level : m.limits().at(q)) {
                for (Subject who : new Subject[] {o.user(), o.group()}) {
                    Limit l = who == null ? null : level.limitFor(who);
                    if (l == null) {
                        continue;
                    }
                    long[] used = m.usage().allocated(q, who);
                    Resources max = l.maxResources();
                    for (int i = 0; i < max.size(); i++) {
                        int id = max.idAt(i);
                        long u = id < used.length ? used[id] : 0;
                        if (asked.get(id) > 0 && u > max.valueAt(i)) {
                            out.add(who + " over " + level.where() + " maxresources " + id + ": " + u + " > " + max.valueAt(i));
                        }
                    }
                    // A gang is let in when it reserves, and may start later: like a queue's maxapplications, the
                    // limit is checked then, not when its members bind.
                    if (l.maxApplications() > 0 && app.placedPods() == 1 && app.gang().status() == Gang.Status.NONE
                            && m.usage().runningApps(q, who) > l.maxApplications()) {
                        out.add(who + " over " + level.where() + " maxapplications: " + m.usage().runningApps(q, who));
                    }
                }
            }
        }
        return out;
    }

    private record Key(String queue, Subject who) {
    }

    /** Differences between the tracked usage and the usage recomputed from placed pods, running apps and free slots. */
    public static List<String> balance(ClusterState s) {
        UserGroupManager m = s.userGroups();
        Map<Key, ResourceCounter> alloc = new HashMap<>();
        Map<Key, Integer> running = new HashMap<>();
        for (PodState p : s.pods()) {
            if (p.isOurs() && (p.role() == PodState.Role.PLACED || p.holdsRoom())) {
                // placed pods, and preemptors for the room held for them
                AppState app = s.app(p.pod().appId());
                add(s, alloc, app, p.pod().requests());
            }
        }
        for (AppState app : s.apps().values()) {
            for (ReservedSlot slot : app.gang().slots()) {
                if (slot.isFree()) {
                    add(s, alloc, app, slot.resources());
                }
            }
            if (app.placedPods() > 0) {
                String queue = charged(s, app);
                Owner o = m.owner(app.appId(), app.user(), queue);
                for (String q = queue; q != null; q = Limits.parent(q)) {
                    for (Subject who : new Subject[] {o.user(), o.group()}) {
                        if (who != null && m.limits().applies(q, who)) {
                            running.merge(new Key(q, who), 1, Integer::sum);
                        }
                    }
                }
            }
        }
        List<String> out = new ArrayList<>();
        Set<Key> keys = new HashSet<>(alloc.keySet());
        keys.addAll(running.keySet());
        int nonEmpty = 0;
        for (Key k : keys) {
            ResourceCounter c = alloc.getOrDefault(k, new ResourceCounter());
            int apps = running.getOrDefault(k, 0);
            if (!c.isZero() || apps != 0) {
                nonEmpty++;
            }
            long[] tracked = m.usage().allocated(k.queue(), k.who());
            for (int id = 0; id < Math.max(tracked.length, c.raw().length); id++) {
                long t = id < tracked.length ? tracked[id] : 0;
                if (t != c.get(id)) {
                    out.add(k + " resource " + id + ": tracked " + t + ", from pods " + c.get(id));
                }
            }
            if (m.usage().runningApps(k.queue(), k.who()) != apps) {
                out.add(k + " running apps: tracked " + m.usage().runningApps(k.queue(), k.who()) + ", from pods " + apps);
            }
        }
        if (nonEmpty != m.usage().size()) {
            out.add("tracked " + m.usage().size() + " (queue, user/group) pairs, the pods make " + nonEmpty);
        }
        return out;
    }

    private static void add(ClusterState s, Map<Key, ResourceCounter> alloc, AppState app, Resources r) {
        UserGroupManager m = s.userGroups();
        String queue = charged(s, app);
        Owner o = m.owner(app.appId(), app.user(), queue);
        for (String q = queue; q != null; q = Limits.parent(q)) {
            for (Subject who : new Subject[] {o.user(), o.group()}) {
                if (who != null && m.limits().applies(q, who)) {
                    alloc.computeIfAbsent(new Key(q, who), k -> new ResourceCounter()).add(r);
                }
            }
        }
    }
}
