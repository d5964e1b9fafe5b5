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
import io.fairway.core.objects.Node;
import io.fairway.core.objects.Taint;
import io.fairway.core.state.ClusterState;
import io.fairway.core.state.Fixtures;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SchedulerTest {
    private final ClusterState state = new ClusterState();
    private final Scheduler scheduler = new Scheduler(state, 0, 100);

    private CycleResult cycleAndApply(long now) {
        CycleResult r = scheduler.cycle(now);
        r.decisions().forEach(state::apply);
        scheduler.acknowledge(r.decisions());
        return r;
    }

    @Test
    void anUnplaceableAskIsReportedOncePerDistinctReasonWithTheNumbers() {
        state.apply(new NodeObserved(0, node("node-0", "1", "1Gi")));
        state.apply(new NodeObserved(0, new Node("node-1", Fixtures.res("8", "8Gi"), Fixtures.res("8", "8Gi"), Map.of(),
                List.of(new Taint("dedicated", "gpu", "NoSchedule")), false, true, "1")));
        state.apply(new PodObserved(0, pod("p1", "app", "", "2", "1Gi")));

        CycleResult first = cycleAndApply(1);
        assertThat(first.decisions()).singleElement().isInstanceOfSatisfying(Unschedulable.class, u -> {
            assertThat(u.message()).isEqualTo("0/2 nodes are available: 1 Insufficient cpu, "
                    + "1 node(s) had untolerated taint {dedicated: gpu}.");
            assertThat(u.reasonKey()).doesNotContain("1 ");
        });
        assertThat(cycleAndApply(2).decisions()).as("same reason, no new decision").isEmpty();
        assertThat(cycleAndApply(3).decisions()).isEmpty();

        state.apply(new NodeObserved(4, node("node-2", "8", "8Gi")));
        CycleResult placed = cycleAndApply(5);
        assertThat(placed.decisions()).singleElement().isInstanceOfSatisfying(Allocated.class,
                a -> assertThat(a.nodeName()).isEqualTo("node-2"));
        assertThat(state.pod("p1").waitKey()).isEmpty();
    }

    @Test
    void inFlightAllocationsAreNotBookedTwice() {
        state.apply(new NodeObserved(0, node("node-0", "2", "2Gi")));
        for (int i = 0; i < 4; i++) {
            state.apply(new PodObserved(0, pod("p" + i, "app", "", "1", "1Gi")));
        }
        List<Decision> first = scheduler.cycle(1).decisions();
        List<Decision> second = scheduler.cycle(2).decisions();
        assertThat(first).filteredOn(Allocated.class::isInstance).hasSize(2);
        assertThat(second).filteredOn(Allocated.class::isInstance).as("the node is full with what is in flight").isEmpty();
        assertThat(second).as("reasons already in flight are not repeated").isEmpty();
        assertThat(scheduler.nodeUsage().get("node-0").get("cpu")).isEqualTo(2000);
    }

    @Test
    void maxIsEnforcedOnAParentAndTheReasonNamesIt() {
        state.apply(new QueueConfigObserved(0, """
                partitions:
                  - name: default
                    queues:
                      - name: root
                        queues:
                          - name: parent
                            resources: {max: {vcore: 3}}
                            queues:
                              - name: a
                              - name: b
                """, "1"));
        state.apply(new NodeObserved(0, node("node-0", "16", "16Gi")));
        for (int i = 0; i < 3; i++) {
            state.apply(new PodObserved(0, pod("a" + i, "app-a", "root.parent.a", "1", "1Gi")));
            state.apply(new PodObserved(0, pod("b" + i, "app-b", "root.parent.b", "1", "1Gi")));
        }
        CycleResult r = cycleAndApply(1);
        assertThat(r.allocations()).isEqualTo(3);
        assertThat(state.queues().get("root.parent").allocated().get(0)).isEqualTo(3000);
        assertThat(r.decisions()).filteredOn(Unschedulable.class::isInstance).map(d -> ((Unschedulable) d).message())
                .allMatch(m -> m.equals("queue root.parent is at its max cpu: 3 of 3 used, the pod asks 1"));
        // Both leaves got a share: fair between siblings, not all to the first.
        assertThat(state.queues().get("root.parent.a").allocated().get(0)).isBetween(1000L, 2000L);
    }

    @Test
    void cyclesAreCappedAndSayThereIsMore() {
        Scheduler small = new Scheduler(state, 0, 2);
        state.apply(new NodeObserved(0, node("node-0", "16", "16Gi")));
        for (int i = 0; i < 5; i++) {
            state.apply(new PodObserved(0, pod("p" + i, "app", "", "1", "1Gi")));
        }
        CycleResult r = small.cycle(1);
        assertThat(r.allocations()).isEqualTo(2);
        assertThat(r.capped()).isTrue();
        r.decisions().forEach(state::apply);
        small.acknowledge(r.decisions());
        assertThat(small.cycle(2).allocations()).isEqualTo(2);
    }

    @Test
    void podsOfARejectedAppAreToldWhyOnce() {
        state.apply(new NodeObserved(0, node("node-0", "4", "4Gi")));
        state.apply(new PodObserved(0, pod("p1", "app", "root.nosuch", "1", "1Gi")));
        CycleResult r = cycleAndApply(1);
        assertThat(r.decisions()).singleElement().isInstanceOfSatisfying(Unschedulable.class, u ->
                assertThat(u.message()).isEqualTo("application app is rejected: queue root.nosuch does not exist"));
        assertThat(cycleAndApply(2).decisions()).isEmpty();
    }
}
