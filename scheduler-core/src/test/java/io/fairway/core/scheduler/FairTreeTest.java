package io.fairway.core.scheduler;

import static io.fairway.core.state.Fixtures.node;
import static io.fairway.core.state.Fixtures.pod;
import static org.assertj.core.api.Assertions.assertThat;

import io.fairway.core.events.NodeObserved;
import io.fairway.core.events.PodObserved;
import io.fairway.core.events.QueueConfigObserved;
import io.fairway.core.objects.Pod;
import io.fairway.core.objects.PodPhase;
import io.fairway.core.state.ClusterState;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The fair tree on its own: which leaf it offers first, given what each queue already runs. Leaves a (guaranteed 4
 * cpu), b (guaranteed 2 cpu) and c (no guarantee, max 8 cpu) each have one waiting pod.
 */
class FairTreeTest {
    private static final String CONFIG = """
            partitions:
              - name: default
                queues:
                  - name: root
                    queues:
                      - name: a
                        resources: {guaranteed: {vcore: 4}}
                      - name: b
                        resources: {guaranteed: {vcore: 2}}
                      - name: c
                        resources: {max: {vcore: 8}}
            """;

    static Stream<Arguments> running() {
        // cpu already running in a, b and c; the order the tree offers the leaves in
        return Stream.of(
                // nothing runs: a and b are below their guarantee (share 0 each), by name; c has none and comes last
                Arguments.of(0, 0, 0, List.of("root.a", "root.b", "root.c")),
                // a at half its guarantee, b at none: b's share is lower
                Arguments.of(2, 0, 0, List.of("root.b", "root.a", "root.c")),
                // a reached its guarantee: it falls behind c, which has no guarantee (c's share 1/8 over its max)
                Arguments.of(4, 1, 1, List.of("root.b", "root.c", "root.a")),
                // both at their guarantee: by share (a 4/4 = 1, b 3/2 = 1.5, c 1/8)
                Arguments.of(4, 3, 1, List.of("root.c", "root.a", "root.b")));
    }

    @ParameterizedTest
    @MethodSource("running")
    void offersLeavesBelowTheirGuaranteeFirstThenByShare(int a, int b, int c, List<String> order) {
        ClusterState state = new ClusterState();
        state.apply(new QueueConfigObserved(0, CONFIG, "1"));
        state.apply(new NodeObserved(0, node("n", "64", "64Gi")));
        int seq = 0;
        for (String q : List.of("root.a", "root.b", "root.c")) {
            int cpu = switch (q) {
                case "root.a" -> a;
                case "root.b" -> b;
                default -> c;
            };
            if (cpu > 0) {
                Pod running = pod("r-" + q, "run-" + q, q, cpu + "", "1Gi");
                state.apply(new PodObserved(1, running.withNodeName("n").withPhase(PodPhase.Running, "" + (++seq))));
            }
            state.apply(new PodObserved(2, pod("w-" + q, "wait-" + q, q, "100m", "64Mi")));
        }
        FairTree tree = new FairTree(state, new InFlight());
        tree.build(app -> false, (app, queue, r, sign, starts) -> { });
        List<String> offered = new ArrayList<>();
        for (FairTree.QNode leaf = tree.pickLeaf(); leaf != null; leaf = tree.pickLeaf()) {
            offered.add(leaf.queue.fullName());
            // the leaf's one app is taken out of its order, as the cycle does once it has tried its asks
            leaf.apps.pollFirst();
            tree.settle(leaf);
        }
        assertThat(offered).isEqualTo(order);
    }
}
