package io.fairway.core.scheduler;

import io.fairway.core.events.LeaderElected;
import io.fairway.core.events.NodeObserved;
import io.fairway.core.events.PodObserved;
import io.fairway.core.events.QueueConfigObserved;
import io.fairway.core.objects.Node;
import io.fairway.core.objects.NodeAffinity;
import io.fairway.core.objects.Pod;
import io.fairway.core.objects.PodPhase;
import io.fairway.core.objects.SchedulingHints;
import io.fairway.core.objects.Taint;
import io.fairway.core.objects.Toleration;
import io.fairway.core.resources.ResourceNames;
import io.fairway.core.resources.Resources;
import io.fairway.core.state.ClusterState;
import io.fairway.core.state.NodeState;
import java.util.List;
import java.util.Map;

/** Small builders for the unit tests of the node filters, {@link NodeIndex} and {@link PreemptionPlanner}. */
final class Fixtures {
    static final long GI = 1L << 30;

    private Fixtures() {
    }

    /** Resources from name/value pairs: {@code res("cpu", 1000, "memory", GI)}; cpu in millis. */
    static Resources res(Object... nameValue) {
        Resources.Builder b = Resources.builder();
        for (int i = 0; i < nameValue.length; i += 2) {
            b.set((String) nameValue[i], ((Number) nameValue[i + 1]).longValue());
        }
        return b.build();
    }

    /** A usage array as the filters read it, indexed by resource id. */
    static long[] used(Object... nameValue) {
        long[] u = new long[ResourceNames.count() + 8];
        for (int i = 0; i < nameValue.length; i += 2) {
            u[ResourceNames.id((String) nameValue[i])] = ((Number) nameValue[i + 1]).longValue();
        }
        return u;
    }

    static Node node(String name, Resources allocatable, Map<String, String> labels, List<Taint> taints,
                     boolean unschedulable, boolean ready) {
        return new Node(name, allocatable, allocatable, labels, taints, unschedulable, ready, "1");
    }

    static Node node(String name, Resources allocatable) {
        return node(name, allocatable, Map.of(), List.of(), false, true);
    }

    /** The node as the state holds it (NodeState is only made by the state). */
    static NodeState state(Node n) {
        ClusterState s = new ClusterState();
        s.apply(new NodeObserved(0, n));
        return s.node(n.name());
    }

    static Pod pod(String uid, Resources requests) {
        return pod(uid, requests, Map.of(), NodeAffinity.NONE, List.of(), SchedulingHints.NONE);
    }

    static Pod pod(String uid, Resources requests, Map<String, String> selector, NodeAffinity affinity,
                   List<Toleration> tolerations, SchedulingHints hints) {
        return new Pod(uid, "ns", uid, "app-" + uid, "root.default", "u", List.of(), requests, 0, selector, affinity,
                tolerations, ClusterState.DEFAULT_SCHEDULER_NAME, "", PodPhase.Pending, 0, "1", hints);
    }

    /** A pod of an app in a queue, running on {@code node} (or pending when it is empty). */
    static Pod pod(String uid, String app, String queue, int priority, Resources requests, String node, long created,
                   SchedulingHints hints) {
        return new Pod(uid, "ns", uid, app, queue, "u", List.of(), requests, priority, Map.of(), NodeAffinity.NONE,
                List.of(), ClusterState.DEFAULT_SCHEDULER_NAME, node, node.isEmpty() ? PodPhase.Pending : PodPhase.Running,
                created, "1", hints);
    }

    /** A state with a leader, a queue config and nodes. */
    static ClusterState cluster(String config, Node... nodes) {
        ClusterState s = new ClusterState();
        s.apply(new LeaderElected(0, 1, "r0"));
        if (config != null) {
            s.apply(new QueueConfigObserved(0, config, "1"));
        }
        for (Node n : nodes) {
            s.apply(new NodeObserved(0, n));
        }
        return s;
    }

    static void observe(ClusterState s, Pod... pods) {
        for (Pod p : pods) {
            s.apply(new PodObserved(0, p));
        }
    }
}
