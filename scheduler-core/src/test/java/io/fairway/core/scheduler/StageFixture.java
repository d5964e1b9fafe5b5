package io.fairway.core.scheduler;

import io.fairway.core.events.Allocated;
import io.fairway.core.events.Decision;
import io.fairway.core.events.GangReleased;
import io.fairway.core.events.GangReserved;
import io.fairway.core.events.LeaderElected;
import io.fairway.core.events.NodeObserved;
import io.fairway.core.events.PodObserved;
import io.fairway.core.events.QueueConfigObserved;
import io.fairway.core.events.Released;
import io.fairway.core.events.Unschedulable;
import io.fairway.core.objects.Node;
import io.fairway.core.objects.NodeAffinity;
import io.fairway.core.objects.Pod;
import io.fairway.core.objects.PodPhase;
import io.fairway.core.objects.SchedulingHints;
import io.fairway.core.resources.ResourceNames;
import io.fairway.core.resources.Resources;
import io.fairway.core.scheduler.FairTree.ANode;
import io.fairway.core.scheduler.FairTree.QNode;
import io.fairway.core.state.ApplyResult;
import io.fairway.core.state.ClusterState;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A cycle's stages on their own: a {@link ClusterState} fed with events, a {@link CycleContext} over it built as the
 * cycle builds it (node index synced, fair tree built), and decisions written as short literal lines for the oracles.
 */
final class StageFixture {
    static final long EPOCH = 1;
    static final int CPU = ResourceNames.CPU;

    private StageFixture() {
    }

    /** A state with a leader of {@link #EPOCH}, the config (when not null) and the nodes. */
    static ClusterState state(String config, Node... nodes) {
        ClusterState s = new ClusterState();
        s.apply(new LeaderElected(0, EPOCH, "r0"));
        if (config != null) {
            must(s.apply(new QueueConfigObserved(0, config, "1")));
        }
        for (Node n : nodes) {
            must(s.apply(new NodeObserved(0, n)));
        }
        return s;
    }

    /** Applies an event that the setup needs: one the state refuses is a broken test, not a result. */
    static void must(ApplyResult r) {
        if (!r.applied()) {
            throw new IllegalStateException("setup event refused: " + r.reason());
        }
    }

    /** A node of {@code cpu} cores, 64Gi and 110 pods, with labels. */
    static Node node(String name, int cpu, Map<String, String> labels) {
        Resources r = Resources.parse(Map.of("cpu", cpu + "", "memory", "64Gi", "pods", "110"));
        return new Node(name, r, r, labels, List.of(), false, true, "1");
    }

    static Node node(String name, int cpu) {
        return node(name, cpu, Map.of());
    }

    /** A pod of {@code cpu} millicores (and 1Mi), pending when {@code node} is empty, else running there. */
    static Pod pod(String uid, String app, String queue, String user, List<String> groups, long cpuMillis,
                   String node, long created, SchedulingHints hints) {
        Resources r = Resources.builder().set("cpu", cpuMillis).set("memory", 1L << 20).build();
        return new Pod(uid, "ns", uid, app, queue, user, groups, r, 0, Map.of(), NodeAffinity.NONE, List.of(),
                ClusterState.DEFAULT_SCHEDULER_NAME, node, node.isEmpty() ? PodPhase.Pending : PodPhase.Running,
                created, "1", hints);
    }

    static void observe(ClusterState s, long time, Pod p) {
        must(s.apply(new PodObserved(time, p)));
    }

    /** The cycle's context at {@code now}, as {@code Scheduler.Cycle} makes it before its first ask. */
    static CycleContext context(ClusterState s, InFlight inFlight, long now) {
        NodeIndex nodes = new NodeIndex(NodeFilters.DEFAULT);
        nodes.sync(s, inFlight);
        CycleContext c = new CycleContext(now, EPOCH, s, inFlight, nodes);
        c.tree.build(app -> GangStage.needsReservation(app, inFlight), c.limits::book);
        return c;
    }

    static CycleContext context(ClusterState s, long now) {
        return context(s, new InFlight(), now);
    }

    /** The leaf's node in the cycle's tree (it must have asks). */
    static QNode leaf(CycleContext c, String queue) {
        QNode n = c.tree.of(c.state.queues().get(queue));
        if (n == null) {
            throw new IllegalStateException("queue " + queue + " is not in the cycle's tree");
        }
        return n;
    }

    /** The app's node in the leaf's order. */
    static ANode app(QNode leaf, String appId) {
        return leaf.apps.stream().filter(a -> a.app.appId().equals(appId)).findFirst()
                .orElseThrow(() -> new IllegalStateException("app " + appId + " is not in " + leaf.queue.fullName()));
    }

    /** The cpu (millicores) the cycle sees used in a queue: committed, in flight and booked in the cycle. */
    static long queueCpu(CycleContext c, String queue) {
        long[] used = c.use.of(c.state.queues().get(queue));
        return CPU < used.length ? used[CPU] : 0;
    }

    /** The cpu (millicores) the cycle's node index sees used on a node. */
    static long nodeCpu(CycleContext c, String node) {
        return c.nodes.entry(node).used[CPU];
    }

    /** A decision as a short line: what it is, whom it is for, and where or why. */
    static String line(Decision d) {
        return switch (d) {
            case Allocated a -> "Allocated " + a.podUid() + " on " + a.nodeName();
            case Unschedulable u -> "Unschedulable " + u.podUid() + ": " + u.reasonKey();
            case GangReserved g -> "GangReserved " + g.appId() + " " + g.slots().stream()
                    .map(sl -> sl.group() + "@" + sl.node()).collect(Collectors.joining(", ", "[", "]"));
            case GangReleased r -> "GangReleased " + r.appId() + " " + r.next();
            case Released r -> "Released " + r.podUid() + " on " + r.nodeName();
            default -> d.toString();
        };
    }

    static List<String> lines(CycleContext c) {
        return c.decisions.stream().map(StageFixture::line).toList();
    }
}
