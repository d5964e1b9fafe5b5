package io.fairway.core.state;

import io.fairway.core.objects.GangSpec;
import io.fairway.core.objects.Node;
import io.fairway.core.objects.Pod;
import io.fairway.core.objects.Topology;
import io.fairway.core.placement.Submission;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A {@link ClusterState} as plain data, for stores and snapshots: everything {@code apply} needs to carry on from
 * where the state was, and nothing derived (usage counters, queue trees and indexes are rebuilt by
 * {@link ClusterState#restore}). {@code restore(s.snapshot())} has the same {@link ClusterState#hash()} as {@code s}.
 *
 * @param podTombstones  deleted pods, oldest first (the order decides which are forgotten first)
 * @param nodeTombstones deleted nodes, oldest first
 */
public record StateSnapshot(
        String schedulerName,
        String configText,
        String configVersion,
        String configSeenVersion,
        long leaderEpoch,
        String leader,
        long appliedCount,
        long ignoredCount,
        long fpgaReprograms,
        long configAppliedAt,
        long preemptions,
        long decisionsApplied,
        List<ConfigChange> configHistory,
        List<LeaderTerm> leaderTerms,
        List<Node> nodes,
        List<AppEntry> apps,
        List<PodEntry> pods,
        Map<String, Integer> priorityClasses,
        List<Tombstone> podTombstones,
        List<Tombstone> nodeTombstones) {

    public StateSnapshot {
        configHistory = configHistory == null ? List.of() : List.copyOf(configHistory);
        leaderTerms = leaderTerms == null ? List.of() : List.copyOf(leaderTerms);
        nodes = List.copyOf(nodes);
        apps = List.copyOf(apps);
        pods = List.copyOf(pods);
        priorityClasses = Map.copyOf(priorityClasses);
        podTombstones = List.copyOf(podTombstones);
        nodeTombstones = List.copyOf(nodeTombstones);
    }

    /** A pod and what the scheduler made of it. */
    public record PodEntry(Pod pod, PodState.Role role, String node, boolean bound, long allocationEpoch,
                           String waitKey, String waitMessage, long waitingSince, Preemption preemption) {
    }

    /**
     * A pod's part in a preemption, null when it has none (so rows written before preemption read the same).
     *
     * @param preemptedBy as {@link PodState#preemptedBy()}
     * @param holdNode    as {@link PodState#holdNode()}
     */
    public record Preemption(String preemptedBy, long preemptedAt, String holdNode, long holdSince) {
        static Preemption of(PodState p) {
            return p.isPreempted() || p.holdsRoom()
                    ? new Preemption(p.preemptedBy(), p.preemptedAt(), p.holdNode(), p.holdSince()) : null;
        }
    }

    /**
     * An app's identity and its gang, null when it has none; its pods and usage come from the pods.
     *
     * @param submission what placement reads; null in rows written before placement rules
     * @param queue      the queue placement chose, kept because a dynamic queue another app created may have decided
     *                   it; null in older rows, which are placed again
     * @param rejection  why it has no queue, empty when it has one
     * @param lastPreemptedAt when a pod of the app was last a preemption victim, 0 when never
     */
    public record AppEntry(String appId, String requestedQueue, String user, long submissionTime, GangEntry gang,
                           Submission submission, String queue, String rejection,
                           long lastPreemptedAt) {
        public AppEntry(String appId, String requestedQueue, String user, long submissionTime, GangEntry gang) {
            this(appId, requestedQueue, user, submissionTime, gang, null, null, null, 0);
        }
    }

    /** A gang as apply left it: its spec, where it stands, and its slots (free and used). */
    public record GangEntry(GangSpec spec, Topology topology,
                            Gang.Status status, long since, String reason, List<ReservedSlot> slots, int nextSlotId) {
        public GangEntry {
            slots = List.copyOf(slots);
        }
    }

    public record Tombstone(String key, String version) {
    }

    public static StateSnapshot of(ClusterState s) {
        List<PodEntry> pods = new ArrayList<>();
        List<String> uids = new ArrayList<>();
        s.pods().forEach(p -> uids.add(p.uid()));
        uids.sort(null);
        for (String uid : uids) {
            pods.add(podEntry(s, uid));
        }
        List<AppEntry> apps = new ArrayList<>();
        for (AppState a : s.apps().values()) {
            apps.add(appEntry(a));
        }
        return new StateSnapshot(s.schedulerName(), s.configText(), s.configVersion(), s.configSeenVersion(),
                s.leaderEpoch(), s.leader(), s.appliedCount(), s.ignoredCount(), s.fpgaReprograms(),
                s.configAppliedAt(), s.preemptions(), s.decisionsApplied(), s.configHistory(), s.leaderTerms(), s.nodes().values().stream().map(NodeState::node).toList(), apps, pods,
                new TreeMap<>(s.priorityClasses()), tombstones(s.tombstones()), tombstones(s.nodeTombstones()));
    }

    /** One pod as stored, or null when the state has no such pod. */
    public static PodEntry podEntry(ClusterState s, String uid) {
        PodState p = s.pod(uid);
        return p == null ? null : new PodEntry(p.pod(), p.role(), p.node(), p.isBound(), p.allocationEpoch(),
                p.waitKey(), p.waitMessage(), p.waitingSince(), Preemption.of(p));
    }

    /** One app as stored, or null when the state has no such app. */
    public static AppEntry appEntry(ClusterState s, String appId) {
        AppState a = s.app(appId);
        return a == null ? null : appEntry(a);
    }

    /** One node as stored, or null when the state has no such node. */
    public static Node node(ClusterState s, String name) {
        NodeState n = s.node(name);
        return n == null ? null : n.node();
    }

    private static AppEntry appEntry(AppState a) {
        Gang g = a.gang();
        GangEntry gang = g.status() == Gang.Status.NONE ? null
                : new GangEntry(g.spec(), g.topology(), g.status(), g.since(), g.reason(), List.copyOf(g.slots()),
                g.nextSlotId());
        return new AppEntry(a.appId(), a.requestedQueue(), a.user(), a.submissionTime(), gang, a.submission(),
                a.queue(), a.rejection(), a.lastPreemptedAt());
    }

    private static List<Tombstone> tombstones(Map<String, String> m) {
        return m.entrySet().stream().map(e -> new Tombstone(e.getKey(), e.getValue())).toList();
    }
}
