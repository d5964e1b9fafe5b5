package io.fairway.core.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.fairway.core.events.NodeObserved;
import io.fairway.core.events.PodObserved;
import io.fairway.core.events.QueueConfigObserved;
import io.fairway.core.objects.Pod;
import io.fairway.core.objects.PodPhase;
import io.fairway.core.resources.ResourceNames;
import io.fairway.core.resources.Resources;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The shared "does it fit its queues" answer, table-driven over one tree and hand-made usage views. */
class QueueHeadroomTest {
    private static final String CONFIG = """
            partitions:
              - name: default
                queues:
                  - name: root
                    queues:
                      - name: top
                        resources: {max: {vcore: 10}}
                        queues:
                          - name: p
                            maxapplications: 2
                            resources: {max: {memory: 4Gi, vcore: 8}}
                            queues:
                              - name: leaf
                                maxapplications: 1
            """;

    private static ClusterState state() {
        ClusterState s = new ClusterState();
        var r = s.apply(new QueueConfigObserved(0, CONFIG, "1"));
        assertThat(r.applied()).as(r.reason()).isTrue();
        return s;
    }

    static Stream<Arguments> asks() {
        // ask (cpu millis, memory GiB); use of root.top, root.top.p and root.top.p.leaf in cpu millis and memory GiB;
        // the queue over and the resource, or none
        return Stream.of(
                Arguments.of(1000, 1, Map.of(), null, null),
                Arguments.of(8000, 4, Map.of(), null, null),
                Arguments.of(8001, 0, Map.of(), "root.top.p", "cpu"),
                Arguments.of(1000, 1, Map.of("root.top.p", new long[] {7500, 0}), "root.top.p", "cpu"),
                Arguments.of(1000, 1, Map.of("root.top", new long[] {9500, 0}), "root.top", "cpu"),
                // the leaf has no max; its parent's memory and cpu both go over: the name first by order wins
                Arguments.of(9000, 5, Map.of(), "root.top.p", "cpu"),
                Arguments.of(1000, 5, Map.of(), "root.top.p", "memory"),
                // a resource the ask does not need is not judged, even where the queue is over it already
                Arguments.of(0, 1, Map.of("root.top", new long[] {12000, 0}), null, null));
    }

    @ParameterizedTest
    @MethodSource("asks")
    void theFirstQueueOverItsMaxFromTheLeafUp(int cpu, int memGi, Map<String, long[]> use, String queue, String res) {
        ClusterState s = state();
        Resources ask = Resources.builder().set("cpu", cpu).set("memory", (long) memGi << 30).build();
        int cpuId = ResourceNames.id("cpu");
        int memId = ResourceNames.id("memory");
        QueueHeadroom.Usage view = q -> {
            long[] u = use.get(q.fullName());
            long[] out = new long[Math.max(cpuId, memId) + 1];
            if (u != null) {
                out[cpuId] = u[0];
                out[memId] = u[1] << 30;
            }
            return out;
        };
        QueueHeadroom.Over over = QueueHeadroom.overMax(s.queues().get("root.top.p.leaf"), ask, view);
        if (queue == null) {
            assertThat(over).isNull();
        } else {
            assertThat(over).isNotNull();
            assertThat(over.queue().fullName()).isEqualTo(queue);
            assertThat(ResourceNames.name(over.resourceId())).isEqualTo(res);
        }
    }

    static Stream<Arguments> running() {
        // running apps in root.top.p.leaf and root.top.p; the queue at its maxapplications, or none
        return Stream.of(
                Arguments.of(0, 0, null),
                Arguments.of(1, 1, "root.top.p.leaf"),
                Arguments.of(0, 2, "root.top.p"),
                Arguments.of(0, 1, null));
    }

    @ParameterizedTest
    @MethodSource("running")
    void theFirstQueueAtItsMaxApplications(int leaf, int parent, String queue) {
        ClusterState s = state();
        QueueHeadroom.AtMaxApplications full = QueueHeadroom.atMaxApplications(s.queues().get("root.top.p.leaf"),
                q -> switch (q.fullName()) {
                    case "root.top.p.leaf" -> leaf;
                    case "root.top.p" -> parent;
                    default -> 0;
                });
        assertThat(full == null ? null : full.queue().fullName()).isEqualTo(queue);
    }

    /** The committed view reads the state's counters: a running pod counts up the path. */
    @ParameterizedTest
    @MethodSource("committed")
    void theCommittedViewIsTheStatesUse(int runningCpu, boolean over) {
        ClusterState s = state();
        s.apply(new NodeObserved(0, Fixtures.node("n", "16", "16Gi")));
        Pod p = Fixtures.pod("r", "app", "root.top.p.leaf", runningCpu + "m", "1Gi");
        s.apply(new PodObserved(1, p.withNodeName("n").withPhase(PodPhase.Running, "2")));
        Resources ask = Resources.builder().set("cpu", 2000).build();
        assertThat(QueueHeadroom.overMax(s.queues().get("root.top.p.leaf"), ask, QueueHeadroom.COMMITTED) != null)
                .isEqualTo(over);
    }

    static Stream<Arguments> committed() {
        return Stream.of(Arguments.of(6000, false), Arguments.of(6001, true));
    }
}
