package io.fairway.core.state;

import io.fairway.core.resources.ResourceCounter;
import io.fairway.core.resources.ResourceNames;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** Recomputes every counter of a state from its pods and lists the differences. */
public final class Balance {
    private Balance() {
    }

    static boolean eq(ResourceCounter a, ResourceCounter b) {
        int n = Math.max(a.raw().length, b.raw().length);
        for (int i = 0; i < n; i++) {
            if (a.get(i) != b.get(i)) {
                return false;
            }
        }
        return true;
    }

    /** Running pods count in the app's leaf, or in the nearest queue of its path that a reload left standing. */
    static QueueState charged(ClusterState s, AppState app) {
        String[] parts = (app.queue().isEmpty() ? app.requestedQueue() : app.queue()).split("\\.");
        for (int n = parts.length; n > 0; n--) {
            QueueState q = s.queues().get(String.join(".", Arrays.copyOf(parts, n)));
            if (q != null) {
                return q;
            }
        }
        return s.queues().root();
    }

    public static List<String> check(ClusterState s) {
        List<String> out = new ArrayList<>();
        Map<String, ResourceCounter> nodeUse = new HashMap<>();
        Map<String, Set<String>> nodePods = new HashMap<>();
        Map<String, ResourceCounter> appAlloc = new HashMap<>();
        Map<String, ResourceCounter> appPend = new HashMap<>();
        Map<String, Integer> appPlaced = new HashMap<>();
        Map<String, Integer> appDone = new HashMap<>();
        Map<String, Integer> appPods = new HashMap<>();
        Map<String, Set<String>> appPendingUids = new HashMap<>();
        Map<String, ResourceCounter> qAlloc = new HashMap<>();
        Map<String, ResourceCounter> qPend = new HashMap<>();
        for (PodState p : s.pods()) {
            if (p.role() == PodState.Role.PLACED && s.node(p.node()) != null) {
                nodeUse.computeIfAbsent(p.node(), k -> new ResourceCounter()).add(p.pod().requests());
                nodePods.computeIfAbsent(p.node(), k -> new HashSet<>()).add(p.uid());
            }
            if (!p.isOurs()) {
                continue;
            }
            String a = p.pod().appId();
            appPods.merge(a, 1, Integer::sum);
            AppState app = s.app(a);
            if (app == null) {
                out.add("pod " + p.uid() + " has no app " + a);
                continue;
            }
            String q = app.queue();
            switch (p.role()) {
                case PLACED -> {
                    appPlaced.merge(a, 1, Integer::sum);
                    appAlloc.computeIfAbsent(a, k -> new ResourceCounter()).add(p.pod().requests());
                    for (QueueState qs = charged(s, app); qs != null; qs = qs.parent()) {
                        qAlloc.computeIfAbsent(qs.fullName(), k -> new ResourceCounter()).add(p.pod().requests());
                    }
                }
                case PENDING -> {
                    appPendingUids.computeIfAbsent(a, k -> new HashSet<>()).add(p.uid());
                    appPend.computeIfAbsent(a, k -> new ResourceCounter()).add(p.pod().requests());
                    for (QueueState qs = s.queues().get(q); qs != null; qs = qs.parent()) {
                        qPend.computeIfAbsent(qs.fullName(), k -> new ResourceCounter()).add(p.pod().requests());
                    }
                }
                case TERMINAL -> appDone.merge(a, 1, Integer::sum);
                default -> out.add("our pod " + p.uid() + " is IGNORED");
            }
        }
        // Free gang slots hold room on their node and in the app's queues, as pods do.
        for (AppState app : s.apps().values()) {
            Gang g = app.gang();
            ResourceCounter free = new ResourceCounter();
            for (ReservedSlot slot : g.slots()) {
                if (!slot.isFree()) {
                    continue;
                }
                free.add(slot.resources());
                if (s.node(slot.node()) == null) {
                    out.add("app " + app.appId() + " holds slot " + slot.id() + " on missing node " + slot.node());
                } else {
                    nodeUse.computeIfAbsent(slot.node(), k -> new ResourceCounter()).add(slot.resources());
                }
                for (QueueState qs = charged(s, app); qs != null; qs = qs.parent()) {
                    qAlloc.computeIfAbsent(qs.fullName(), k -> new ResourceCounter()).add(slot.resources());
                }
            }
            if (!eq(free, g.reserved())) {
                out.add("app " + app.appId() + " gang reserved " + g.reserved() + " but free slots sum " + free);
            }
            if (!free.isZero() && g.status() != Gang.Status.RESERVED) {
                out.add("app " + app.appId() + " holds free slots while " + g.status());
            }
            if (!free.isZero() && app.pendingPods() == 0 && app.placedPods() == 0) {
                out.add("app " + app.appId() + " holds free slots with nothing left to run");
            }
        }
        // Room held for a preemptor counts on its node and in its app's queues, like a slot.
        for (PodState p : s.pods()) {
            if (!p.holdsRoom()) {
                continue;
            }
            if (p.role() != PodState.Role.PENDING || !p.isOurs()) {
                out.add("pod " + p.uid() + " holds room on " + p.holdNode() + " while " + p.role());
            }
            if (s.node(p.holdNode()) == null) {
                out.add("pod " + p.uid() + " holds room on missing node " + p.holdNode());
            } else {
                nodeUse.computeIfAbsent(p.holdNode(), k -> new ResourceCounter()).add(p.pod().requests());
            }
            for (QueueState qs = charged(s, s.app(p.pod().appId())); qs != null; qs = qs.parent()) {
                qAlloc.computeIfAbsent(qs.fullName(), k -> new ResourceCounter()).add(p.pod().requests());
            }
        }
        for (PodState p : s.pods()) {
            if (p.isPreempted() && p.role() == PodState.Role.PLACED && !s.victimsOf(p.preemptedBy()).contains(p.uid())) {
                out.add("victim " + p.uid() + " of " + p.preemptedBy() + " is not indexed");
            }
        }
        ResourceCounter zero = new ResourceCounter();
        ResourceCounter cap = new ResourceCounter();
        for (NodeState n : s.nodes().values()) {
            if (!eq(n.allocated(), nodeUse.getOrDefault(n.name(), zero))) {
                out.add("node " + n.name() + " allocated " + n.allocated() + " but pods sum " + nodeUse.get(n.name()));
            }
            if (!new TreeSet<>(n.pods()).equals(new TreeSet<>(nodePods.getOrDefault(n.name(), Set.of())))) {
                out.add("node " + n.name() + " pods " + n.pods() + " but " + nodePods.get(n.name()));
            }
            if (n.isSchedulable()) {
                cap.add(n.node().allocatable());
            }
        }
        if (!eq(cap, s.capacity())) {
            out.add("capacity " + s.capacity() + " but nodes sum " + cap);
        }
        for (AppState a : s.apps().values()) {
            String id = a.appId();
            if (!eq(a.allocated(), appAlloc.getOrDefault(id, zero))) {
                out.add("app " + id + " allocated " + a.allocated() + " but " + appAlloc.get(id));
            }
            if (!eq(a.pendingResources(), appPend.getOrDefault(id, zero))) {
                out.add("app " + id + " pending " + a.pendingResources() + " but " + appPend.get(id));
            }
            Set<String> uids = new HashSet<>();
            a.pendingAsks().forEach(p -> uids.add(p.uid()));
            if (!uids.equals(appPendingUids.getOrDefault(id, Set.of()))) {
                out.add("app " + id + " pending asks " + uids + " but " + appPendingUids.get(id));
            }
            if (a.placedPods() != appPlaced.getOrDefault(id, 0)) {
                out.add("app " + id + " placedPods " + a.placedPods() + " but " + appPlaced.get(id));
            }
            if (a.completedPods() != appDone.getOrDefault(id, 0)) {
                out.add("app " + id + " completed " + a.completedPods() + " but " + appDone.get(id));
            }
            if (a.podCount() != appPods.getOrDefault(id, 0)) {
                out.add("app " + id + " podCount " + a.podCount() + " but " + appPods.get(id));
            }
            QueueState q = s.queues().get(a.queue());
            if (q != null && q.apps().get(id) != a) {
                out.add("app " + id + " not listed in its queue " + a.queue());
            }
        }
        for (String a : appPods.keySet()) {
            if (s.app(a) == null) {
                out.add("missing app " + a);
            }
        }
        for (QueueState q : s.queues().all().values()) {
            if (!eq(q.allocated(), qAlloc.getOrDefault(q.fullName(), zero))) {
                out.add("queue " + q.fullName() + " allocated " + q.allocated() + " but " + qAlloc.get(q.fullName()));
            }
            if (!eq(q.pending(), qPend.getOrDefault(q.fullName(), zero))) {
                out.add("queue " + q.fullName() + " pending " + q.pending() + " but " + qPend.get(q.fullName()));
            }
            int running = 0;
            for (AppState a : s.apps().values()) {
                for (QueueState qs = charged(s, a); qs != null; qs = qs.parent()) {
                    if (qs == q && a.placedPods() > 0) {
                        running++;
                    }
                }
            }
            if (running != q.runningApps()) {
                out.add("queue " + q.fullName() + " runningApps " + q.runningApps() + " but " + running);
            }
            for (AppState a : q.apps().values()) {
                if (s.app(a.appId()) != a || !a.queue().equals(q.fullName())) {
                    out.add("queue " + q.fullName() + " lists stale app " + a.appId());
                }
            }
        }
        return out;
    }
}
