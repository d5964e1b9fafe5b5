package io.fairway.core.scheduler;

import static io.fairway.core.state.Fixtures.node;
import static io.fairway.core.state.Fixtures.pod;
import static org.assertj.core.api.Assertions.assertThat;

import io.fairway.core.events.Allocated;
import io.fairway.core.events.Decision;
import io.fairway.core.events.NodeObserved;
import io.fairway.core.events.PodObserved;
import io.fairway.core.events.QueueConfigObserved;
import io.fairway.core.events.Unschedulable;
import io.fairway.core.objects.Pod;
import io.fairway.core.state.ClusterState;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SchedulerEdgeCasesTest {
    private final ClusterState state = new ClusterState();
    private final Scheduler scheduler = new Scheduler(state, 0, 100);

    /** A failure cached per pod shape is reused after the cycle booked more room: the reason is stale. */
    @Test
    void aReasonReusedForTheSameShapeIsTheCurrentOne() {
        state.apply(new NodeObserved(0, node("node-0", "2", "1Gi")));
        state.apply(new PodObserved(1, withTime(pod("x", "app", "", "1", "2Gi"), 1)));
        state.apply(new PodObserved(1, withTime(pod("z", "app", "", "2", "512Mi"), 2)));
        state.apply(new PodObserved(1, withTime(pod("y", "app", "", "1", "2Gi"), 3)));
        CycleResult r = scheduler.cycle(10);
        Unschedulable forY = r.decisions().stream().filter(d -> d instanceof Unschedulable u && u.podUid().equals("y"))
                .map(Unschedulable.class::cast).findFirst().orElseThrow();
        assertThat(r.decisions()).anyMatch(d -> d instanceof Allocated a && a.podUid().equals("z"));
        // node-0 now has no cpu left: its first failing filter for y is cpu (as a fresh look says next cycle)
        assertThat(forY.message()).isEqualTo("0/1 nodes are available: 1 Insufficient cpu.");
    }

    private static Pod withTime(Pod p, long t) {
        return new Pod(p.uid(), p.namespace(), p.name(), p.appId(), p.queue(), p.user(), p.groups(), p.requests(),
                p.priority(), p.nodeSelector(), p.affinity(), p.tolerations(), p.schedulerName(), p.nodeName(), p.phase(),
                t, p.resourceVersion());
    }

    /** An app started by an allocation still in flight is not counted against maxapplications. */
    @Test
    void maxApplicationsHoldsWithAllocationsInFlight() {
        state.apply(new QueueConfigObserved(0, """
                partitions:
                  - name: default
                    queues:
                      - name: root
                        queues:
                          - name: a
                            maxapplications: 1
                """, "1"));
        state.apply(new NodeObserved(0, node("node-0", "16", "16Gi")));
        state.apply(new PodObserved(1, pod("a0", "app-a", "root.a", "1", "1Gi")));
        state.apply(new PodObserved(2, pod("b0", "app-b", "root.a", "1", "1Gi")));
        List<Decision> all = new ArrayList<>(scheduler.cycle(10).decisions());
        all.addAll(scheduler.cycle(11).decisions());   // the first cycle's decisions are not read back yet
        all.forEach(state::apply);
        scheduler.acknowledge(all);
        assertThat(all).filteredOn(Allocated.class::isInstance).hasSize(1);
        assertThat(state.queues().get("root.a").runningApps()).isLessThanOrEqualTo(1);
    }
}
