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
import io.fairway.core.resources.Resources;
import io.fairway.core.state.ClusterState;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The storm guard: a pod whose app just lost pods to preemption does not at once preempt others, even when it has
 * waited long enough and has victims to take; once its app's cool-down (the queue's preemption.delay) has passed, it
 * does. Without the guard two apps can evict each other in turns.
 */
class PreemptionGuardTest {
    static final String CONFIG = """
            partitions:
              - name: default
                queues:
                  - name: root
                    properties: {preemption.delay: 10s}
                    queues:
                      - {name: a, resources: {guaranteed: {vcore: 2}}}
                      - {name: b}
                      - {name: c}
            """;

    static Pod pod(String uid, String app, String queue, int priority, String node, long created) {
        return new Pod(uid, "ns", uid, app, queue, "u", List.of(), Resources.builder().set("cpu", 1000).set("memory", 1L << 30)
                .build(), priority, Map.of(), NodeAffinity.NONE, List.of(), ClusterState.DEFAULT_SCHEDULER_NAME, node,
                node.isEmpty() ? PodPhase.Pending : PodPhase.Running, created, "1");
    }

    @Test
    void anAppThatJustLostPodsDoesNotPreemptAtOnce() {
        ClusterState s = new ClusterState();
        s.apply(new LeaderElected(0, 1, "r0"));
        s.apply(new QueueConfigObserved(0, CONFIG, "1"));
        Resources cap = Resources.builder().set("cpu", 3000).set("memory", 8L << 30).build();
        s.apply(new NodeObserved(0, new Node("n", cap, cap, Map.of(), List.of(), false, true, "1")));
        // b fills the node with three pods of priority 50 and has an old pending pod of priority 50.
        s.apply(new PodObserved(0, pod("b1", "bapp", "root.b", 50, "n", 0)));
        s.apply(new PodObserved(0, pod("b2", "bapp", "root.b", 50, "n", 0)));
        s.apply(new PodObserved(0, pod("b4", "bapp", "root.b", 50, "n", 0)));
        s.apply(new PodObserved(0, pod("b3", "bapp", "root.b", 50, "", 0)));
        Scheduler sched = new Scheduler(s, 1);
        List<Decision> waits = sched.cycle(1_000).decisions();
        waits.forEach(s::apply);
        sched.acknowledge(waits);
        // At 20s a (within its guarantee) takes one of b's pods; b's pending b3 could take c's pod as soon as c runs.
        s.apply(new PodObserved(20_000, pod("a1", "aapp", "root.a", 50, "", 0)));
        PreemptionRequested first = only(sched.cycle(20_000).decisions());
        assertThat(first.preemptorUid()).isEqualTo("a1");
        assertThat(first.victims()).hasSize(1);
        s.apply(first);
        sched.acknowledge(List.of(first));
        s.apply(new PodGone(20_500, first.victims().getFirst(), "5"));
        List<Decision> placed = sched.cycle(20_500).decisions();
        s.apply(placed.getFirst());
        assertThat(placed.getFirst()).isInstanceOf(Allocated.class);
        sched.acknowledge(placed);
        // A node with one cpu comes, with c's pod of priority 0 on it.
        Resources one = Resources.builder().set("cpu", 1000).set("memory", 8L << 30).build();
        s.apply(new NodeObserved(21_000, new Node("m", one, one, Map.of(), List.of(), false, true, "2")));
        s.apply(new PodObserved(21_000, pod("c1", "capp", "root.c", 0, "m", 21_000)));

        // b3 has waited far longer than b's 10s delay, and c1 is a lower-priority victim; but b lost a pod at 20s.
        List<Decision> during = sched.cycle(25_000).decisions();
        assertThat(during).noneMatch(PreemptionRequested.class::isInstance);
        during.forEach(s::apply);
        sched.acknowledge(during);
        // The moment the guard lifts is a moment to cycle at.
        assertThat(sched.nextDeadline(25_000)).isEqualTo(30_000);
        // 10s after b lost its pod, b3 may preempt again: it takes c1 (priority 0 below its 50, c has no guarantee).
        PreemptionRequested later = only(sched.cycle(30_000).decisions());
        assertThat(later.preemptorUid()).isEqualTo("b3");
        assertThat(later.victims()).containsExactly("c1");
        assertThat(later.kind()).isEqualTo(PreemptionRequested.Kind.PRIORITY);
    }

    private static PreemptionRequested only(List<Decision> decisions) {
        List<PreemptionRequested> p = decisions.stream().filter(PreemptionRequested.class::isInstance)
                .map(PreemptionRequested.class::cast).toList();
        assertThat(p).as("preemptions in %s", decisions).hasSize(1);
        return p.getFirst();
    }
}
