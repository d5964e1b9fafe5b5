package io.fairway.core.scheduler;

import static io.fairway.core.scheduler.Fixtures.GI;
import static io.fairway.core.scheduler.Fixtures.cluster;
import static io.fairway.core.scheduler.Fixtures.node;
import static io.fairway.core.scheduler.Fixtures.observe;
import static io.fairway.core.scheduler.Fixtures.pod;
import static io.fairway.core.scheduler.Fixtures.res;
import static org.assertj.core.api.Assertions.assertThat;

import io.fairway.core.events.Allocated;
import io.fairway.core.events.NodeGone;
import io.fairway.core.objects.GangSpec;
import io.fairway.core.objects.NodeAffinity;
import io.fairway.core.objects.Pod;
import io.fairway.core.objects.SchedulingHints;
import io.fairway.core.objects.Taint;
import io.fairway.core.objects.Topology;
import io.fairway.core.resources.ResourceNames;
import io.fairway.core.resources.Resources;
import io.fairway.core.state.ClusterState;
import io.fairway.core.state.NodeState;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link NodeIndex} on its own: grouping of alike nodes, choice by policy, the in-flight overlay, dirty marking. */
class NodeIndexTest {
    static final Resources CAP = res("cpu", 4000, "memory", 8 * GI);
    static final Taint GPU_TAINT = new Taint("gpu", "true", "NoSchedule");

    static String config(String policy, String rootProperties) {
        return """
                partitions:
                  - name: default
                    nodesortpolicy:
                      type: %s
                    queues:
                      - name: root
                        properties: {%s}
                        queues:
                          - name: default
                """.formatted(policy, rootProperties);
    }

    static NodeIndex synced(ClusterState s, InFlight inFlight) {
        NodeIndex idx = new NodeIndex(NodeFilters.DEFAULT);
        idx.sync(s, inFlight);
        return idx;
    }

    static Pod running(String uid, String node, Resources r) {
        return pod(uid, "app-" + uid, "root.default", 0, r, node, 0, SchedulingHints.NONE);
    }

    static String chosen(NodeIndex idx, Pod p) {
        NodeIndex.Entry e = idx.firstFit(p);
        return e == null ? null : e.name;
    }

    // ------------------------------------------------------------------ groups

    @Test
    void alikeNodesShareAGroupUntilAPodSelectsOnWhatTellsThemApart() {
        ClusterState s = cluster(null,
                node("a", CAP, Map.of("zone", "1"), List.of(), false, true),
                node("b", CAP, Map.of("zone", "2"), List.of(), false, true),
                node("t", CAP, Map.of("zone", "1"), List.of(GPU_TAINT), false, true),
                node("u", CAP, Map.of("zone", "1"), List.of(), true, true),
                node("r", CAP, Map.of("zone", "1"), List.of(), false, false));
        NodeIndex idx = synced(s, new InFlight());
        assertThat(idx.entry("a").group).isSameAs(idx.entry("b").group);
        assertThat(idx.entry("t").group).isNotSameAs(idx.entry("a").group);
        assertThat(idx.entry("u").group).isNotSameAs(idx.entry("a").group);
        assertThat(idx.entry("r").group).isNotSameAs(idx.entry("a").group).isNotSameAs(idx.entry("u").group);

        idx.include(NodeAsk.of(pod("p", res("cpu", 1000), Map.of("zone", "1"), NodeAffinity.NONE, List.of(), SchedulingHints.NONE)));
        assertThat(idx.entry("a").group).isNotSameAs(idx.entry("b").group);
        assertThat(chosen(idx, pod("q", res("cpu", 1000), Map.of("zone", "2"), NodeAffinity.NONE, List.of(),
                SchedulingHints.NONE))).isEqualTo("b");
    }

    @Test
    void failuresCountEachNodeByItsFirstFailingFilter() {
        ClusterState s = cluster(null,
                node("nr", CAP, Map.of(), List.of(GPU_TAINT), false, false),
                node("t1", CAP, Map.of(), List.of(GPU_TAINT), false, true),
                node("t2", CAP, Map.of(), List.of(GPU_TAINT), false, true),
                node("small", res("cpu", 1000, "memory", 8 * GI)),
                node("full", CAP));
        observe(s, running("x", "full", res("cpu", 3000)));
        NodeIndex idx = synced(s, new InFlight());
        Pod p = pod("p", res("cpu", 2000));
        assertThat(idx.firstFit(p)).isNull();
        assertThat(idx.failures(p)).isEqualTo(Map.of(
                "node(s) were not ready", 1,
                "node(s) had untolerated taint {gpu: true}", 2,
                "Insufficient cpu", 2));
        assertThat(idx.rejectOn(p, idx.entry("t1"))).isEqualTo("node(s) had untolerated taint {gpu: true}");
        assertThat(idx.rejectOn(p, idx.entry("full"))).isEqualTo("Insufficient cpu");
        assertThat(idx.staticRejectOn(NodeAsk.of(p), idx.entry("full"))).isNull();
    }

    @Test
    void aRegistryOfOtherFiltersIsWhatTheIndexAsks() {
        NodeFilter anyTaint = new NodeFilter() {
            @Override
            public String name() {
                return "NoTaints";
            }

            @Override
            public String reject(NodeAsk ask, NodeState node, long[] used) {
                return node.node().taints().isEmpty() ? null : "node(s) had taints";
            }
        };
        ClusterState s = cluster(null,
                node("t1", CAP, Map.of(), List.of(GPU_TAINT), false, true),
                node("t2", CAP, Map.of(), List.of(new Taint("x", "", "PreferNoSchedule")), false, true),
                node("plain", CAP));
        NodeIndex idx = new NodeIndex(new NodeFilters(List.of(anyTaint), ResourcesFilter.INSTANCE, List.of()));
        idx.sync(s, new InFlight());
        // Not ready, untolerated or not: only the registry's filters count.
        assertThat(idx.failures(pod("p", res("cpu", 5000))))
                .isEqualTo(Map.of("node(s) had taints", 2, "Insufficient cpu", 1));
        assertThat(chosen(idx, pod("p", res("cpu", 1000)))).isEqualTo("plain");
    }

    // ------------------------------------------------------------------ policy

    static Stream<Arguments> policyCases() {
        return Stream.of(
                // a is 1/4 used, b 3/4, c 1/2 (cpu and memory alike)
                Arguments.of("fair: most free first", "fair", 500L, "a"),
                Arguments.of("binpacking: least free first", "binpacking", 500L, "b"),
                Arguments.of("binpacking: the fullest that fits", "binpacking", 1500L, "c"),
                Arguments.of("fair: only a has the room", "fair", 3000L, "a"),
                Arguments.of("binpacking: only a has the room", "binpacking", 3000L, "a"),
                Arguments.of("no node has the room", "fair", 3001L, null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("policyCases")
    void choiceByPolicy(String name, String policy, long cpu, String expected) {
        ClusterState s = cluster(config(policy, ""), node("a", CAP), node("b", CAP), node("c", CAP));
        observe(s, running("xa", "a", res("cpu", 1000, "memory", 2 * GI)),
                running("xb", "b", res("cpu", 3000, "memory", 6 * GI)),
                running("xc", "c", res("cpu", 2000, "memory", 4 * GI)));
        assertThat(chosen(synced(s, new InFlight()), pod("p", res("cpu", cpu)))).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.fairway.core.scheduler.NodeIndexTest#policies")
    void tiesGoByName(String policy) {
        ClusterState s = cluster(config(policy, ""), node("y", CAP), node("x", CAP), node("z", CAP));
        assertThat(chosen(synced(s, new InFlight()), pod("p", res("cpu", 1000)))).isEqualTo("x");
    }

    static Stream<String> policies() {
        return Stream.of("fair", "binpacking");
    }

    @Test
    void aBookingMovesTheNodeInTheOrderAndMarksItDirty() {
        ClusterState s = cluster(null, node("a", CAP), node("b", CAP));
        NodeIndex idx = synced(s, new InFlight());
        Pod p = pod("p", res("cpu", 1000));
        assertThat(chosen(idx, p)).isEqualTo("a");
        assertThat(idx.entry("a").dirty).isFalse();
        idx.reserve(idx.entry("a"), res("cpu", 2000));
        assertThat(idx.entry("a").dirty).isTrue();
        assertThat(idx.entry("a").used[ResourceNames.CPU]).isEqualTo(2000);
        assertThat(chosen(idx, p)).isEqualTo("b");
        idx.unreserve(idx.entry("a"), res("cpu", 2000));
        assertThat(chosen(idx, p)).isEqualTo("a");
    }

    // ------------------------------------------------------------------ in flight, dirty

    @Test
    void inFlightAllocationsCountOnTheirNode() {
        ClusterState s = cluster(null, node("a", CAP), node("b", CAP));
        InFlight inFlight = new InFlight();
        inFlight.add(new Allocated(0, 1, "x", "a", "root.default"), res("cpu", 3500));
        NodeIndex idx = synced(s, inFlight);
        assertThat(idx.entry("a").used[ResourceNames.CPU]).isEqualTo(3500);
        assertThat(chosen(idx, pod("p", res("cpu", 1000)))).isEqualTo("b");
        assertThat(idx.rejectOn(pod("p", res("cpu", 1000)), idx.entry("a"))).isEqualTo("Insufficient cpu");
    }

    @Test
    void aNodeIsRecomputedWhenTheStateMovesOrWhenMarkedDirty() {
        ClusterState s = cluster(null, node("a", CAP), node("b", CAP));
        InFlight inFlight = new InFlight();
        NodeIndex idx = synced(s, inFlight);
        inFlight.add(new Allocated(0, 1, "x", "a", "root.default"), res("cpu", 3000));
        // The state shows no change on a: its usage is not looked at again...
        idx.sync(s, inFlight);
        assertThat(idx.entry("a").used[ResourceNames.CPU]).isZero();
        // ...until it is marked dirty.
        idx.markDirty("a");
        idx.markDirty("no-such-node");
        assertThat(idx.entry("a").dirty).isTrue();
        idx.sync(s, inFlight);
        assertThat(idx.entry("a").used[ResourceNames.CPU]).isEqualTo(3000);
        assertThat(idx.entry("a").dirty).isFalse();
        // A change the state shows needs no mark.
        observe(s, running("y", "b", res("cpu", 1000)));
        idx.sync(s, inFlight);
        assertThat(idx.entry("b").used[ResourceNames.CPU]).isEqualTo(1000);
        assertThat(chosen(idx, pod("p", res("cpu", 500)))).isEqualTo("b");
    }

    @Test
    void aNodeGoneFromTheStateLeavesTheIndex() {
        ClusterState s = cluster(null, node("a", CAP), node("b", CAP));
        NodeIndex idx = synced(s, new InFlight());
        s.apply(new NodeGone(1, "a", "2"));
        idx.sync(s, new InFlight());
        assertThat(idx.size()).isEqualTo(1);
        assertThat(idx.entry("a")).isNull();
        assertThat(chosen(idx, pod("p", res("cpu", 1000)))).isEqualTo("b");
    }

    // ------------------------------------------------------------------ accelerators, preferences

    static final String GPU = "nvidia.com/gpu";

    static ClusterState gpuCluster(String rootProperties) {
        Resources gpuCap = res("cpu", 4000, "memory", 8 * GI, GPU, 8);
        ClusterState s = cluster(config("fair", rootProperties),
                node("gpu1", gpuCap), node("gpu2", gpuCap), node("z-cpu", CAP));
        observe(s, running("g", "gpu2", res("cpu", 500, GPU, 6)), running("c", "z-cpu", res("cpu", 2000)));
        return s;
    }

    static Stream<Arguments> acceleratorCases() {
        return Stream.of(
                Arguments.of("a cpu pod keeps off gpu nodes while another fits", "", res("cpu", 1000), "z-cpu"),
                Arguments.of("a cpu pod takes a gpu node when no other fits", "", res("cpu", 3000), "gpu1"),
                Arguments.of("shared: a cpu pod goes by the order alone", "fairway.accelerator.nodes: shared",
                        res("cpu", 1000), "gpu1"),
                Arguments.of("a gpu pod takes the node it leaves the fewest free on", "", res("cpu", 1000, GPU, 1), "gpu2"),
                Arguments.of("a gpu pod the tightest node cannot take", "", res("cpu", 1000, GPU, 3), "gpu1"),
                Arguments.of("more gpus than any node has free", "", res("cpu", 1000, GPU, 9), null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("acceleratorCases")
    void accelerators(String name, String rootProperties, Resources requests, String expected) {
        assertThat(chosen(synced(gpuCluster(rootProperties), new InFlight()), pod("p", requests))).isEqualTo(expected);
    }

    @Test
    void preferencesComeBeforeTightness() {
        String region = "fpga.intel.com/region-695";
        String af = "fpga.intel.com/af-695.d84";
        ClusterState s = cluster(null,
                node("f1", res("cpu", 4000, "memory", 8 * GI, region, 2)),
                node("f2", res("cpu", 4000, "memory", 8 * GI, region, 4, af, 2)));
        Pod p = pod("p", res("cpu", 1000, region, 1), Map.of(), NodeAffinity.NONE, List.of(),
                new SchedulingHints("", GangSpec.NONE, Topology.NONE, "695.d84"));
        NodeIndex without = new NodeIndex(new NodeFilters(NodeFilters.DEFAULT.perGroup(), ResourcesFilter.INSTANCE, List.of()));
        without.sync(s, new InFlight());
        assertThat(chosen(without, p)).isEqualTo("f1");
        NodeIndex with = synced(s, new InFlight());
        assertThat(chosen(with, p)).isEqualTo("f2");
        // Its programmed regions taken this cycle, the function is no longer free there.
        with.reserveFpga(with.entry("f2"), "695.d84", 2);
        assertThat(chosen(with, p)).isEqualTo("f1");
    }

}
