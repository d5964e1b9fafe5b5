package io.fairway.core.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import io.fairway.core.events.Allocated;
import io.fairway.core.events.Decision;
import io.fairway.core.events.LeaderElected;
import io.fairway.core.events.NodeObserved;
import io.fairway.core.events.PodGone;
import io.fairway.core.events.PodObserved;
import io.fairway.core.events.PreemptionRequested;
import io.fairway.core.events.QueueConfigObserved;
import io.fairway.core.objects.Node;
import io.fairway.core.objects.NodeAffinity;
import io.fairway.core.objects.Pod;
import io.fairway.core.objects.PodPhase;
import io.fairway.core.resources.ResourceNames;
import io.fairway.core.resources.Resources;
import io.fairway.core.state.ClusterState;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Two preemptions decided in one cycle on one node must not count the same room twice. Found by
 * {@link PreemptionProperties}: the first preemptor's held room was not booked on the node for the rest of the cycle, so
 * the second counted the node's free room that the first had already taken, chose too few victims, and the two held
 * rooms over-committed the node once the victims were gone.
 */
class PreemptionSameCycleTest {
    static final String CONFIG = """
            partitions:
              - name: default
                queues:
                  - name: root
                    properties: {preemption.delay: 1s}
                    queues:
                      - {name: low}
                      - {name: high}
            """;

    static Pod pod(String uid, String app, String queue, int cpuMillis, int priority, String node) {
        return new Pod(uid, "ns", uid, app, queue, "u", List.of(), Resources.builder().set("cpu", cpuMillis)
                .set("memory", 256L << 20).build(), priority, Map.of(), NodeAffinity.NONE, List.of(),
                ClusterState.DEFAULT_SCHEDULER_NAME, node, node.isEmpty() ? PodPhase.Pending : PodPhase.Running, 0, "1");
    }

    @Test
    void twoPreemptionsOfOneCycleDoNotShareTheFreeRoomOfTheirNode() {
        ClusterState s = new ClusterState();
        s.apply(new LeaderElected(0, 1, "r0"));
        s.apply(new QueueConfigObserved(0, CONFIG, "1"));
        Resources cap = Resources.builder().set("cpu", 2000).set("memory", 4L << 30).build();
        s.apply(new NodeObserved(0, new Node("n", cap, cap, Map.of(), List.of(), false, true, "1")));
        // 1750m of 2000m used by low-priority pods: 250m free.
        s.apply(new PodObserved(0, pod("r0", "lowapp", "root.low", 250, 0, "n")));
        s.apply(new PodObserved(0, pod("r1", "lowapp", "root.low", 250, 0, "n")));
        s.apply(new PodObserved(0, pod("r2", "lowapp", "root.low", 1250, 0, "n")));
        // Two 500m pods of higher priority: the first needs 250m more than is free, the second 500m.
        s.apply(new PodObserved(0, pod("w0", "highapp", "root.high", 500, 1, "")));
        s.apply(new PodObserved(0, pod("w1", "highapp", "root.high", 500, 1, "")));
        Scheduler sched = new Scheduler(s, 1);

        List<Decision> first = sched.cycle(2_000).decisions();
        List<PreemptionRequested> preemptions = first.stream().filter(PreemptionRequested.class::isInstance)
                .map(PreemptionRequested.class::cast).toList();
        assertThat(preemptions).isNotEmpty();
        first.forEach(s::apply);
        sched.acknowledge(first);
        for (PreemptionRequested p : preemptions) {
            p.victims().forEach(v -> s.apply(new PodGone(2_000, v, "2")));
        }
        // Once the victims are gone, the rooms held for the preemptors fit on the node.
        long held = s.node("n").allocated().get(ResourceNames.CPU);
        assertThat(held).as("cpu counted on n (running pods and held rooms) after %s", preemptions)
                .isLessThanOrEqualTo(2000);
        // And each preemptor runs in its room.
        List<Decision> second = sched.cycle(4_000).decisions();
        second.forEach(s::apply);
        sched.acknowledge(second);
        for (PreemptionRequested p : preemptions) {
            assertThat(second).as("preemptor %s placed", p.preemptorUid())
                    .anyMatch(d -> d instanceof Allocated a && a.podUid().equals(p.preemptorUid()) && a.nodeName().equals("n"));
        }
    }
}
