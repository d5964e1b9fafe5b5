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
import io.fairway.core.objects.GangSpec;
import io.fairway.core.objects.Node;
import io.fairway.core.objects.NodeAffinity;
import io.fairway.core.objects.Pod;
import io.fairway.core.objects.SchedulingHints;
import io.fairway.core.objects.TaskGroup;
import io.fairway.core.objects.Topology;
import io.fairway.core.resources.ResourceNames;
import io.fairway.core.resources.Resources;
import io.fairway.core.state.ClusterState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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

    /**
     * A gang member placed away from its slot gives the slot's room back in the cycle's view of the slot's node; when
     * apply refuses that allocation (its node went away meanwhile) the room is still the slot's, and the next cycle
     * must see it so. Found by the fuzz test's naive fit oracle: the slot's node kept the stale room and took a pod
     * over its capacity.
     */
    @Test
    void aRefusedAllocationAwayFromItsSlotLeavesTheSlotsNodeFull() {
        GangSpec gang = new GangSpec(List.of(
                new TaskGroup("g", 2,
                        Resources.builder().set("cpu", 500).build(),
                        Map.of(), List.of(), NodeAffinity.NONE)),
                GangSpec.Style.SOFT, 600_000, "");
        state.apply(new NodeObserved(0, node("n0", "1", "4Gi")));
        Pod member = pod("m0", "gang", "", "750m", "64Mi");
        member = new Pod(member.uid(), member.namespace(), member.name(), member.appId(), member.queue(), member.user(),
                member.groups(), member.requests(), 0, member.nodeSelector(), member.affinity(), member.tolerations(),
                member.schedulerName(), "", member.phase(), 1, "1",
                new SchedulingHints("g", gang, Topology.NONE, ""));
        state.apply(new PodObserved(1, member));
        // The gang's two slots fill n0; its member asks more than a slot and fits nowhere yet.
        cycleAndApply(10);
        assertThat(state.node("n0").allocated().get(ResourceNames.id("cpu"))).isEqualTo(1000);
        // n1 comes: the member goes there and gives its slot back in the overlay, but n1 is cordoned before the
        // allocation is read back, so apply refuses it.
        state.apply(new NodeObserved(11, node("n1", "4", "4Gi")));
        List<Decision> away = scheduler.cycle(12).decisions();
        assertThat(away).anyMatch(d -> d instanceof Allocated a && a.podUid().equals("m0") && a.nodeName().equals("n1"));
        Node n1 = node("n1", "4", "4Gi");
        state.apply(new NodeObserved(13, new Node("n1", n1.capacity(), n1.allocatable(),
                n1.labels(), n1.taints(), true, true, "2")));
        // A cycle runs before the allocation is read back (decisions are committed in batches).
        assertThat(scheduler.cycle(13).decisions()).isEmpty();
        away.forEach(state::apply);
        scheduler.acknowledge(away);
        assertThat(state.node("n0").allocated().get(ResourceNames.id("cpu"))).as("the slots still hold n0").isEqualTo(1000);
        // n0 is full of slots: neither the member (its slot plus 250m more) nor a plain pod has room there.
        state.apply(new PodObserved(14, pod("plain", "other", "", "500m", "64Mi")));
        List<Decision> next = scheduler.cycle(15).decisions();
        assertThat(next).as("n0 has 1 cpu, all of it in the gang's slots").noneMatch(d -> d instanceof Allocated a
                && a.nodeName().equals("n0"));
    }

    private void cycleAndApply(long now) {
        List<Decision> ds = scheduler.cycle(now).decisions();
        ds.forEach(state::apply);
        scheduler.acknowledge(ds);
    }
}
