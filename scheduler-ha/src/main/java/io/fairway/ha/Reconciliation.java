package io.fairway.ha;

import io.fairway.core.events.NodeGone;
import io.fairway.core.events.NodeObserved;
import io.fairway.core.events.Observation;
import io.fairway.core.events.PodGone;
import io.fairway.core.events.PodObserved;
import io.fairway.core.events.PriorityClassGone;
import io.fairway.core.events.PriorityClassObserved;
import io.fairway.core.events.QueueConfigObserved;
import io.fairway.core.state.ClusterState;
import io.fairway.core.state.NodeState;
import io.fairway.core.state.PodState;
import io.fairway.core.state.ResourceVersions;
import io.fairway.k8s.ClusterWatcher;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What a new leader must append so that the state matches the cluster: while nobody led (or the old leader was
 * dying), changes were seen by the standby's informers but not appended. Compares what the informers hold now with
 * the state: objects newer than (or missing from) the state are observed again, objects the state holds that the
 * cluster no longer has are gone.
 */
final class Reconciliation {
    private Reconciliation() {
    }

    /**
     * @param holdings what the informers hold, as {@code ClusterWatcher.observeAll} gives it
     * @param now      the time stamped on the deletions found
     */
    static List<Observation> missing(ClusterState state, ClusterWatcher.Holdings holdings, long now) {
        List<Observation> current = holdings.objects();
        List<Observation> out = new ArrayList<>();
        Set<String> podUids = new HashSet<>(holdings.podUids());
        Set<String> nodeNames = holdings.nodeNames() == null ? new HashSet<>() : new HashSet<>(holdings.nodeNames());
        Set<String> classNames = new HashSet<>();
        for (Observation o : current) {
            switch (o) {
                case PodObserved p -> {
                    podUids.add(p.pod().uid());
                    PodState held = state.pod(p.pod().uid());
                    if (held == null || !ResourceVersions.isStale(p.pod().resourceVersion(),
                            held.pod().resourceVersion())) {
                        out.add(p);
                    }
                }
                case NodeObserved n -> {
                    nodeNames.add(n.node().name());
                    NodeState held = state.nodes().get(n.node().name());
                    if (held == null || !ResourceVersions.isStale(n.node().resourceVersion(),
                            held.node().resourceVersion())) {
                        out.add(n);
                    }
                }
                case PriorityClassObserved c -> {
                    classNames.add(c.name());
                    Integer held = state.priorityClasses().get(c.name());
                    if (held == null || held != c.value()) {
                        out.add(c);
                    }
                }
                case QueueConfigObserved q -> {
                    if (!ResourceVersions.isStale(q.resourceVersion(), state.configSeenVersion())) {
                        out.add(q);
                    }
                }
                default -> out.add(o);
            }
        }
        // Absent from an informer is gone only when the informer has seen past the version the state holds: one
        // that lags (the old leader appended a pod this watch has not delivered yet) must not bury a live pod.
        for (PodState p : state.pods()) {
            if (!podUids.contains(p.uid()) && seenPast(holdings.podsVersion(), p.pod().resourceVersion())) {
                // the version of the deletion is unknown; the held one is what the state accepts as a real deletion
                out.add(new PodGone(now, p.uid(), p.pod().resourceVersion()));
            }
        }
        for (NodeState n : state.nodes().values()) {
            if (!nodeNames.contains(n.name()) && seenPast(holdings.nodesVersion(), n.node().resourceVersion())) {
                out.add(new NodeGone(now, n.name(), n.node().resourceVersion()));
            }
        }
        if (!holdings.priorityClassesVersion().isEmpty()) {
            for (String c : state.priorityClasses().keySet()) {
                if (!classNames.contains(c)) {
                    out.add(new PriorityClassGone(now, c, ""));
                }
            }
        }
        return out;
    }

    /** For {@code ClusterWatcher.observeAll}: the state holds this pod at this version (or a newer one). */
    static boolean held(ClusterState state, String uid, String version) {
        PodState p = state.pod(uid);
        return p != null && ResourceVersions.isStale(version, p.pod().resourceVersion());
    }

    /** For {@code ClusterWatcher.observeAll}: the state holds this node at this version (or a newer one). */
    static boolean nodeHeld(ClusterState state, String name, String version) {
        NodeState n = state.nodes().get(name);
        return n != null && ResourceVersions.isStale(version, n.node().resourceVersion());
    }

    private static boolean seenPast(String informerVersion, String held) {
        return !informerVersion.isEmpty() && !held.isEmpty() && ResourceVersions.isOlder(held, informerVersion);
    }
}
