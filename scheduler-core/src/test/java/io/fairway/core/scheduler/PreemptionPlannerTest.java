package io.fairway.core.scheduler;

import static io.fairway.core.scheduler.Fixtures.GI;
import static io.fairway.core.scheduler.Fixtures.cluster;
import static io.fairway.core.scheduler.Fixtures.node;
import static io.fairway.core.scheduler.Fixtures.observe;
import static io.fairway.core.scheduler.Fixtures.res;
import static org.assertj.core.api.Assertions.assertThat;

import io.fairway.core.events.PreemptionRequested.Kind;
import io.fairway.core.objects.GangSpec;
import io.fairway.core.objects.Pod;
import io.fairway.core.objects.SchedulingHints;
import io.fairway.core.objects.Topology;
import io.fairway.core.state.ClusterState;
import io.fairway.core.state.QueueHeadroom;
import io.fairway.core.state.PodState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link PreemptionPlanner} on its own: which victims it chooses, by the rules of docs/configuration.md "Preemption"
 * (guaranteed and priority, no queue below its guarantee, never its own queue, fence and disabled, opt-outs last,
 * victims on one node, the fewest, lowest priority then youngest first, a topology domain's nodes only).
 *
 * <p>Two nodes: n1 (rack r1) with 3 cpu, n2 (rack r2) with 2 cpu. Every row fills them with running pods of 1 or 2 cpu
 * and asks for a pending pod's victims.
 */
class PreemptionPlannerTest {
    static final String CONFIG = """
            partitions:
              - name: default
                queues:
                  - name: root
                    queues:
                      - {name: a, resources: {guaranteed: {vcore: 2}}}
                      - {name: b}
                      - {name: c, resources: {guaranteed: {vcore: 1}}}
                      - {name: d, properties: {preemption.policy: disabled}}
                      - {name: p}
                      - name: f
                        properties: {preemption.policy: fence}
                        queues:
                          - {name: f1}
                          - {name: f2}
            """;

    /** A running pod: its queue (its app is one per queue), priority, cpu, node and creation time. */
    record Run(String uid, String queue, int priority, long cpu, String node, long created, boolean optOut) {
        static Run of(String uid, String queue, int priority, long cpu, String node, long created) {
            return new Run(uid, queue, priority, cpu, node, created, false);
        }

        Pod pod() {
            return Fixtures.pod(uid, "app-" + queue, "root." + queue, priority, res("cpu", cpu, "memory", GI), node,
                    created, new SchedulingHints("", GangSpec.NONE, Topology.NONE, "", optOut));
        }
    }

    /** n2 full of pods no ask here may take (priority 1000, and b's guarantee is none, so guaranteed asks skip them). */
    static final Run FILLER = Run.of("z", "b", 1000, 2000, "n2", 0);

    static ClusterState cluster(List<Run> running) {
        ClusterState s = Fixtures.cluster(CONFIG,
                node("n1", res("cpu", 3000, "memory", 8 * GI), Map.of("rack", "r1"), List.of(), false, true),
                node("n2", res("cpu", 2000, "memory", 8 * GI), Map.of("rack", "r2"), List.of(), false, true));
        running.forEach(r -> observe(s, r.pod()));
        return s;
    }

    static PreemptionPlanner planner(ClusterState s, InFlight inFlight) {
        NodeIndex nodes = new NodeIndex(NodeFilters.DEFAULT);
        nodes.sync(s, inFlight);
        return new PreemptionPlanner(s, nodes, inFlight, QueueHeadroom.COMMITTED);
    }

    static PodState ask(ClusterState s, String queue, int priority, long cpu) {
        observe(s, Fixtures.pod("ask", "asking", "root." + queue, priority, res("cpu", cpu, "memory", GI), "", 0,
                SchedulingHints.NONE));
        return s.pod("ask");
    }

    static String describe(PreemptionPlanner.Plan plan) {
        if (plan == null) {
            return "none";
        }
        return plan.kind() + " on " + plan.node() + ": " + String.join(",", plan.victimUids());
    }

    static List<Run> n1(Run... runs) {
        List<Run> out = new ArrayList<>(List.of(runs));
        out.add(FILLER);
        return out;
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("priority: the youngest", "p", 10, 1000L, n1(
                        Run.of("b1", "b", 0, 1000, "n1", 1), Run.of("b2", "b", 0, 1000, "n1", 2),
                        Run.of("b3", "b", 0, 1000, "n1", 3)), "PRIORITY on n1: b3"),
                Arguments.of("priority: equal priority is no reason", "p", 0, 1000L, n1(
                        Run.of("b1", "b", 0, 1000, "n1", 1), Run.of("b2", "b", 0, 1000, "n1", 2),
                        Run.of("b3", "b", 0, 1000, "n1", 3)), "none"),
                Arguments.of("priority: lowest priority before youngest", "p", 10, 1000L, n1(
                        Run.of("b1", "b", 0, 1000, "n1", 1), Run.of("b2", "b", 5, 1000, "n1", 3),
                        Run.of("b3", "b", 5, 1000, "n1", 2)), "PRIORITY on n1: b1"),
                Arguments.of("only as many as needed: the young small one is dropped", "p", 10, 2000L, n1(
                        Run.of("b1", "b", 0, 2000, "n1", 1), Run.of("b2", "b", 0, 1000, "n1", 3)), "PRIORITY on n1: b1"),
                Arguments.of("the fewest victims, on whichever node", "p", 10, 2000L, List.of(
                        Run.of("b1", "b", 0, 1000, "n1", 5), Run.of("b2", "b", 0, 1000, "n1", 6),
                        Run.of("b3", "b", 0, 1000, "n1", 7), Run.of("b4", "b", 0, 2000, "n2", 1)), "PRIORITY on n2: b4"),
                Arguments.of("guaranteed: equal priority will do", "a", 0, 1000L, n1(
                        Run.of("b1", "b", 0, 1000, "n1", 1), Run.of("b2", "b", 0, 1000, "n1", 2),
                        Run.of("b3", "b", 0, 1000, "n1", 3)), "GUARANTEED on n1: b3"),
                Arguments.of("guaranteed: never a higher priority", "a", 0, 1000L, n1(
                        Run.of("b1", "b", 0, 1000, "n1", 1), Run.of("b2", "b", 0, 1000, "n1", 2),
                        Run.of("b3", "b", 5, 1000, "n1", 3)), "GUARANTEED on n1: b2"),
                Arguments.of("guaranteed: all higher", "a", 0, 1000L, n1(
                        Run.of("b1", "b", 5, 1000, "n1", 1), Run.of("b2", "b", 5, 1000, "n1", 2),
                        Run.of("b3", "b", 5, 1000, "n1", 3)), "none"),
                Arguments.of("beyond its guarantee it is priority (victims in the order chosen)", "a", 10, 3000L, n1(
                        Run.of("b1", "b", 0, 1000, "n1", 1), Run.of("b2", "b", 0, 1000, "n1", 2),
                        Run.of("b3", "b", 0, 1000, "n1", 3)), "PRIORITY on n1: b3,b2,b1"),
                Arguments.of("no victim queue below its guarantee", "p", 10, 1000L, n1(
                        Run.of("b1", "b", 0, 1000, "n1", 1), Run.of("c1", "c", 0, 2000, "n1", 3)), "PRIORITY on n1: b1"),
                Arguments.of("a queue above its guarantee gives down to it", "p", 10, 1000L, n1(
                        Run.of("c1", "c", 0, 1000, "n1", 1), Run.of("c2", "c", 0, 1000, "n1", 2),
                        Run.of("c3", "c", 0, 1000, "n1", 3)), "PRIORITY on n1: c3"),
                Arguments.of("never its own queue", "b", 10, 1000L, n1(
                        Run.of("b1", "b", 0, 1000, "n1", 1), Run.of("b2", "b", 0, 1000, "n1", 2),
                        Run.of("b3", "b", 0, 1000, "n1", 3)), "none"),
                Arguments.of("disabled: its pods are never victims", "p", 10, 1000L, n1(
                        Run.of("d1", "d", 0, 1000, "n1", 1), Run.of("d2", "d", 0, 1000, "n1", 2),
                        Run.of("d3", "d", 0, 1000, "n1", 3)), "none"),
                Arguments.of("fence: victims inside the fence only", "f/f1", 10, 1000L, n1(
                        Run.of("b1", "b", 0, 1000, "n1", 3), Run.of("f2a", "f/f2", 0, 1000, "n1", 1),
                        Run.of("b2", "b", 0, 1000, "n1", 2)), "PRIORITY on n1: f2a"),
                Arguments.of("opted out: last", "p", 10, 1000L, n1(
                        Run.of("b1", "b", 0, 1000, "n1", 1), Run.of("b2", "b", 0, 1000, "n1", 2),
                        new Run("b3", "b", 0, 1000, "n1", 3, true)), "PRIORITY on n1: b2"),
                Arguments.of("opted out: taken when none other will do", "p", 10, 1000L, n1(
                        new Run("b1", "b", 0, 1000, "n1", 1, true), new Run("b2", "b", 0, 1000, "n1", 2, true),
                        Run.of("d3", "d", 0, 1000, "n1", 3)), "PRIORITY on n1: b2"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void victims(String name, String queue, int priority, long cpu, List<Run> running, String expected) {
        List<Run> fixed = running.stream().map(r -> new Run(r.uid(), r.queue().replace('/', '.'), r.priority(), r.cpu(),
                r.node(), r.created(), r.optOut())).toList();
        ClusterState s = cluster(fixed);
        PodState ask = ask(s, queue.replace('/', '.'), priority, cpu);
        PreemptionPlanner.Plan plan = planner(s, new InFlight()).plan(ask, NodeAsk.of(ask.pod()), s.queues().get(ask.pod().queue()));
        assertThat(describe(plan)).isEqualTo(expected);
    }

    @Test
    void aRequiredTopologyDomainKeepsVictimsOnItsNodes() {
        List<Run> running = List.of(Run.of("b1", "b", 0, 1000, "n1", 1), Run.of("b2", "b", 0, 1000, "n1", 2),
                Run.of("b3", "b", 0, 1000, "n1", 3), Run.of("b4", "b", 0, 2000, "n2", 0));
        ClusterState s = cluster(running);
        PodState ask = ask(s, "p", 10, 1000);
        var leaf = s.queues().get("root.p");
        // One victim either way; of equals the first node by name.
        assertThat(describe(planner(s, new InFlight()).plan(ask, NodeAsk.of(ask.pod()), leaf))).isEqualTo("PRIORITY on n1: b3");
        NodeAsk inR2 = NodeAsk.of(ask.pod()).inDomain("rack", "r2");
        assertThat(describe(planner(s, new InFlight()).plan(ask, inR2, leaf))).isEqualTo("PRIORITY on n2: b4");
    }

    @Test
    void aVictimIsChosenOnceInACycle() {
        ClusterState s = cluster(n1(Run.of("b1", "b", 0, 1000, "n1", 1), Run.of("b2", "b", 0, 1000, "n1", 2),
                Run.of("b3", "b", 0, 1000, "n1", 3)));
        observe(s, Fixtures.pod("ask2", "asking2", "root.p", 10, res("cpu", 1000, "memory", GI), "", 0,
                SchedulingHints.NONE));
        PodState first = ask(s, "p", 10, 1000);
        PodState second = s.pod("ask2");
        PreemptionPlanner planner = planner(s, new InFlight());
        var leaf = s.queues().get("root.p");
        assertThat(describe(planner.plan(first, NodeAsk.of(first.pod()), leaf))).isEqualTo("PRIORITY on n1: b3");
        assertThat(describe(planner.plan(second, NodeAsk.of(second.pod()), leaf))).isEqualTo("PRIORITY on n1: b2");
    }

    static Stream<Arguments> mayPreemptCases() {
        return Stream.of(
                Arguments.of("before preemption.delay (30s by default)", "b", 29_999L, false),
                Arguments.of("once preemption.delay has passed", "b", 30_000L, true),
                Arguments.of("disabled: its pods do not preempt", "d", 60_000L, false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("mayPreemptCases")
    void mayPreempt(String name, String queue, long now, boolean expected) {
        ClusterState s = cluster(List.of());
        PodState ask = ask(s, queue, 10, 1000);
        var leaf = s.queues().get("root." + queue);
        assertThat(planner(s, new InFlight()).mayPreempt(ask, s.app(ask.pod().appId()), leaf, now)).isEqualTo(expected);
    }
}
