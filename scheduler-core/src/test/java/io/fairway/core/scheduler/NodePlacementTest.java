package io.fairway.core.scheduler;

import static io.fairway.core.scheduler.StageFixture.app;
import static io.fairway.core.scheduler.StageFixture.context;
import static io.fairway.core.scheduler.StageFixture.leaf;
import static io.fairway.core.scheduler.StageFixture.lines;
import static io.fairway.core.scheduler.StageFixture.node;
import static io.fairway.core.scheduler.StageFixture.nodeCpu;
import static io.fairway.core.scheduler.StageFixture.observe;
import static io.fairway.core.scheduler.StageFixture.pod;
import static io.fairway.core.scheduler.StageFixture.queueCpu;
import static io.fairway.core.scheduler.StageFixture.state;
import static org.assertj.core.api.Assertions.assertThat;

import io.fairway.core.objects.GangAnnotations;
import io.fairway.core.objects.Node;
import io.fairway.core.objects.NodeSelectorRequirement;
import io.fairway.core.objects.Pod;
import io.fairway.core.objects.SchedulingHints;
import io.fairway.core.scheduler.FairTree.ANode;
import io.fairway.core.scheduler.FairTree.QNode;
import io.fairway.core.state.ClusterState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link NodePlacement} on its own: admission, then the first node that passes every filter, inside the app's topology
 * domain when it has one (falling back to any node when the domain is only preferred); an ask that finds no room is
 * told why and, unless a check of its own leaf or app bars it, handed on to preemption; shapes that found no node are
 * not searched again in the cycle. Queues root.p with leaves root.p.a and root.p.b; the ask is pod {@code ask} of app
 * new (alice) in root.p.a.
 */
class NodePlacementTest {
    private static final String CONFIG = """
            partitions:
              - name: default
                queues:
                  - name: root
                    queues:
                      - {name: p%s, queues: [{name: a%s}, {name: b}]}
            """;

    static SchedulingHints topology(String mode) {
        return mode.isEmpty() ? SchedulingHints.NONE : GangAnnotations.hints(Map.of(GangAnnotations.TOPOLOGY_DOMAIN,
                "rack", GangAnnotations.TOPOLOGY_MODE, mode));
    }

    static Stream<Arguments> asks() {
        String bySelector = "Insufficient cpu; node(s) didn't match Pod's node affinity/selector";
        // parent p's and leaf a's settings; nodes ("name:cores[:rack]"); what runs ("leaf:app:cores:node"); the ask's
        // cores and topology mode on key rack -> the decision, how it was handed to preemption (null: not), the
        // app's topology domain after
        return Stream.of(
                row("room on n1", "", "", List.of("n1:4"), List.of(), 1, "",
                        "Allocated ask on n1", null, null),
                row("the least used node first", "", "", List.of("n1:4", "n2:4"), List.of("b:x:1:n1"), 1, "",
                        "Allocated ask on n2", null, null),
                row("no node has room: told, and handed to preemption as it is", "", "", List.of("n1:1"), List.of(),
                        2, "", "Unschedulable ask: no node: Insufficient cpu", "as is", null),
                row("no node at all", "", "", List.of(), List.of(), 1, "",
                        "Unschedulable ask: no node: no nodes", "as is", null),
                row("its leaf at max: told, not handed to preemption", "", "resources: {max: {vcore: 1}}",
                        List.of("n1:4"), List.of("a:x:1:n1"), 1, "",
                        "Unschedulable ask: queue root.p.a at max cpu", null, null),
                row("its parent at max: told, and handed to preemption", "resources: {max: {vcore: 2}}", "",
                        List.of("n1:4"), List.of("b:y:2:n1"), 1, "",
                        "Unschedulable ask: queue root.p at max cpu", "as is", null),
                row("its leaf runs its maxapplications: told, not handed to preemption", "", "maxapplications: 1",
                        List.of("n1:4"), List.of("a:x:1:n1"), 1, "",
                        "Unschedulable ask: queue root.p.a at maxapplications", null, null),
                // topology: the app already runs in rack r1
                row("required domain r1 has room", "", "", List.of("n1:4:r1", "n2:4:r2"), List.of("a:new:3:n1"), 1,
                        "required", "Allocated ask on n1", null, "r1"),
                row("required domain r1 is full: waits, and preemption must free room in r1", "", "",
                        List.of("n1:4:r1", "n2:4:r2"), List.of("a:new:4:n1"), 1, "required",
                        "Unschedulable ask: no node: " + bySelector, "in rack=r1", "r1"),
                row("preferred domain r1 is full: another rack will do", "", "", List.of("n1:4:r1", "n2:4:r2"),
                        List.of("a:new:4:n1"), 1, "preferred", "Allocated ask on n2", null, "r1"),
                row("preferred domain r1 is full and so is every node: the reason is any node's", "", "",
                        List.of("n1:4:r1", "n2:4:r2"), List.of("a:new:4:n1", "b:y:4:n2"), 1, "preferred",
                        "Unschedulable ask: no node: Insufficient cpu", "as is", "r1"),
                // nothing placed yet: a required domain means a node that has the label; the first placed sets it
                row("required, nothing placed yet: a node with the label, though n0 comes first", "", "",
                        List.of("n0:8", "n1:4:r1"), List.of(), 1, "required", "Allocated ask on n1", null, "r1"),
                row("required, nothing placed yet, no labelled node has room", "", "", List.of("n0:8", "n1:1:r1"),
                        List.of(), 2, "required", "Unschedulable ask: no node: " + bySelector, "where rack exists",
                        null),
                row("preferred, nothing placed yet, no labelled node has room: any node", "", "",
                        List.of("n0:8", "n1:1:r1"), List.of(), 2, "preferred", "Allocated ask on n0", null, null));
    }

    private static Arguments row(String what, String parent, String leaf, List<String> nodes, List<String> running,
                                 int askCores, String topology, String decision, String handedOn, String domain) {
        return Arguments.of(what, parent, leaf, nodes, running, askCores, topology, decision, handedOn, domain);
    }

    static Node[] nodes(List<String> specs) {
        return specs.stream().map(spec -> {
            String[] f = spec.split(":");
            return node(f[0], Integer.parseInt(f[1]), f.length > 2 ? Map.of("rack", f[2]) : Map.of());
        }).toArray(Node[]::new);
    }

    static ClusterState world(String parent, String leaf, List<String> nodes, List<String> running) {
        ClusterState s = state(CONFIG.formatted(parent.isEmpty() ? "" : ", " + parent,
                leaf.isEmpty() ? "" : ", " + leaf), nodes(nodes));
        int seq = 0;
        for (String r : running) {
            String[] f = r.split(":");
            seq++;
            observe(s, seq, pod("run" + seq, f[1], "root.p." + f[0], f[1].equals("new") ? "alice" : "bob",
                    List.of(), Long.parseLong(f[2]) * 1000, f[3], seq, SchedulingHints.NONE));
        }
        return s;
    }

    /** How the ask was handed to preemption: as it is, held to its domain, or to a node with the label. */
    static String handedOn(NodeAsk target) {
        if (target.nodeSelector().containsKey("rack")) {
            return "in rack=" + target.nodeSelector().get("rack");
        }
        boolean exists = target.affinity().terms().stream().flatMap(List::stream).anyMatch(r -> r.key().equals("rack")
                && r.operator() == NodeSelectorRequirement.Operator.Exists);
        return exists ? "where rack exists" : "as is";
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("asks")
    void anAskIsPlacedOrToldWhyAndHandedToPreemption(String what, String parent, String leafSettings,
                                                     List<String> nodes, List<String> running, int askCores,
                                                     String topology, String decision, String handedOn, String domain) {
        ClusterState s = world(parent, leafSettings, nodes, running);
        observe(s, 50, pod("ask", "new", "root.p.a", "alice", List.of(), askCores * 1000L, "", 50, topology(topology)));
        CycleContext c = context(s, 100);
        QNode a = leaf(c, "root.p.a");
        ANode app = app(a, "new");
        long before = queueCpu(c, "root.p.a");

        boolean placed = new NodePlacement(c, Admission.DEFAULT).place(a, app, s.pod("ask"), false);

        assertThat(lines(c)).containsExactly(decision);
        assertThat(placed).isEqualTo(decision.startsWith("Allocated"));
        assertThat(c.wanting.stream().map(w -> handedOn(w.target())).toList()).as("handed to preemption")
                .isEqualTo(handedOn == null ? List.of() : List.of(handedOn));
        c.wanting.forEach(w -> assertThat(w.ask().uid()).isEqualTo("ask"));
        assertThat(app.domain).as("the app's topology domain").isEqualTo(domain);
        assertThat(queueCpu(c, "root.p.a") - before).as("booked in root.p.a").isEqualTo(placed ? askCores * 1000L : 0);
    }

    @Test
    void aShapeThatFoundNoNodeIsNotSearchedAgainInTheCycleUnlessRoomWasFreed() {
        // n1 is full; three asks of one shape and one of another
        ClusterState s = world("", "", List.of("n1:2"), List.of("b:x:2:n1"));
        for (String uid : List.of("ask1", "ask2", "ask3")) {
            observe(s, 50, pod(uid, "new", "root.p.a", "alice", List.of(), 1000, "", 50, SchedulingHints.NONE));
        }
        observe(s, 50, pod("other", "new", "root.p.a", "alice", List.of(), 500, "", 51, SchedulingHints.NONE));
        CycleContext c = context(s, 100);
        QNode a = leaf(c, "root.p.a");
        ANode app = app(a, "new");
        NodePlacement placement = new NodePlacement(c, Admission.DEFAULT);

        assertThat(placement.place(a, app, s.pod("ask1"), false)).isFalse();
        // room is given back on n1 within the cycle (as a gang member giving its slot back does)
        c.nodes.unreserve(c.nodes.entry("n1"), s.pod("run1").pod().requests());
        assertThat(nodeCpu(c, "n1")).isZero();
        // the shape that found no node is not searched again...
        assertThat(placement.place(a, app, s.pod("ask2"), false)).isFalse();
        // ...unless the caller says room was freed; and another shape is searched anyway
        assertThat(placement.place(a, app, s.pod("ask3"), true)).isTrue();
        assertThat(placement.place(a, app, s.pod("other"), false)).isTrue();

        List<String> expected = new ArrayList<>(List.of("Unschedulable ask1: no node: Insufficient cpu",
                "Unschedulable ask2: no node: Insufficient cpu", "Allocated ask3 on n1", "Allocated other on n1"));
        assertThat(lines(c)).isEqualTo(expected);
        assertThat(c.wanting.stream().map(w -> w.ask().uid()).toList()).containsExactly("ask1", "ask2");
    }
}
