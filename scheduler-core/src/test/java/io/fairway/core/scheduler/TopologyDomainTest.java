package io.fairway.core.scheduler;

import static io.fairway.core.scheduler.Fixtures.GI;
import static io.fairway.core.scheduler.Fixtures.cluster;
import static io.fairway.core.scheduler.Fixtures.node;
import static io.fairway.core.scheduler.Fixtures.pod;
import static io.fairway.core.scheduler.Fixtures.res;
import static org.assertj.core.api.Assertions.assertThat;

import io.fairway.core.objects.NodeAffinity;
import io.fairway.core.objects.NodeSelectorRequirement;
import io.fairway.core.objects.NodeSelectorRequirement.Operator;
import io.fairway.core.objects.Pod;
import io.fairway.core.objects.SchedulingHints;
import io.fairway.core.resources.ResourceNames;
import io.fairway.core.state.ClusterState;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TopologyDomainTest {
    static final NodeSelectorRequirement HAS_RACK = new NodeSelectorRequirement("rack", Operator.Exists, List.of());

    @Test
    void aKnownDomainIsASelectorOnItsLabel() {
        Pod p = pod("p", res("cpu", 1000), Map.of("disk", "ssd"), NodeAffinity.NONE, List.of(), SchedulingHints.NONE);
        NodeAsk in = NodeAsk.of(p).inDomain("rack", "r2");
        assertThat(in.nodeSelector()).isEqualTo(Map.of("disk", "ssd", "rack", "r2"));
        assertThat(in.affinity()).isEqualTo(NodeAffinity.NONE);
        assertThat(in.requests()).isEqualTo(p.requests());
    }

    @Test
    void anUnknownDomainAsksForTheLabel() {
        Pod p = pod("p", res("cpu", 1000));
        assertThat(NodeAsk.of(p).inDomain("rack", null).affinity()).isEqualTo(new NodeAffinity(List.of(List.of(HAS_RACK))));
    }

    @Test
    void anUnknownDomainAsksForTheLabelInEveryTerm() {
        var zoneA = new NodeSelectorRequirement("zone", Operator.In, List.of("a"));
        var zoneB = new NodeSelectorRequirement("zone", Operator.In, List.of("b"));
        Pod p = pod("p", res("cpu", 1000), Map.of(), new NodeAffinity(List.of(List.of(zoneA), List.of(zoneB))), List.of(),
                SchedulingHints.NONE);
        assertThat(NodeAsk.of(p).inDomain("rack", null).affinity())
                .isEqualTo(new NodeAffinity(List.of(List.of(zoneA, HAS_RACK), List.of(zoneB, HAS_RACK))));
        assertThat(NodeAsk.of(p).inDomain("rack", null).nodeSelector()).isEmpty();
    }

    @Test
    void domainsAndTheirFreeRoom() {
        var cap = res("cpu", 4000, "memory", 8 * GI);
        ClusterState s = cluster(null,
                node("a1", cap, Map.of("rack", "r1"), List.of(), false, true),
                node("a2", cap, Map.of("rack", "r1"), List.of(), false, true),
                node("b1", cap, Map.of("rack", "r2"), List.of(), false, true),
                node("b2", cap, Map.of("rack", "r2"), List.of(), true, true),
                node("c", cap));
        Fixtures.observe(s, Fixtures.pod("x", "app", "root.default", 0, res("cpu", 1500), "a1", 0, SchedulingHints.NONE));
        NodeIndex idx = new NodeIndex(NodeFilters.DEFAULT);
        idx.sync(s, new InFlight());
        assertThat(TopologyDomain.domains(idx, "rack")).containsExactly("r1", "r2");
        assertThat(TopologyDomain.domains(idx, "zone")).isEmpty();
        // r1: 4000 + 2500 left; r2: b1 only, b2 is cordoned.
        assertThat(TopologyDomain.freeIn(idx, "rack", "r1", ResourceNames.CPU)).isEqualTo(6500);
        assertThat(TopologyDomain.freeIn(idx, "rack", "r2", ResourceNames.CPU)).isEqualTo(4000);
    }
}
