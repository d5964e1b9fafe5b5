package io.fairway.sandbox.kubelet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class NodeFleetTest {

    @Test
    void mixedFleetIsTheSameForTheSameSeed() {
        assertThat(NodeFleet.mixed(200, 7).nodes()).isEqualTo(NodeFleet.mixed(200, 7).nodes());
        assertThat(NodeFleet.mixed(200, 7).nodes()).isNotEqualTo(NodeFleet.mixed(200, 8).nodes());
    }

    @Test
    void mixedFleetIsMostlyCpuWithTenPercentGpuAndFivePercentFpga() {
        NodeFleet fleet = NodeFleet.mixed(200, 42);

        List<NodeSpec> gpu = fleet.nodes().stream().filter(NodeSpec::hasGpus).toList();
        List<NodeSpec> fpga = fleet.nodes().stream().filter(NodeSpec::hasFpgas).toList();
        assertThat(fleet.size()).isEqualTo(200);
        assertThat(gpu).hasSize(20);
        assertThat(fpga).hasSize(10);
        assertThat(fleet.names()).doesNotHaveDuplicates();
        assertThat(gpu).allSatisfy(n -> {
            assertThat(n.gpus()).isIn(4, 8);
            assertThat(n.taints()).containsExactly(new NodeSpec.Taint("nvidia.com/gpu", "present", "NoSchedule"));
            assertThat(n.labels()).containsKey("nvidia.com/gpu.product")
                    .containsEntry("nvidia.com/gpu.count", Integer.toString(n.gpus()));
            assertThat(n.name()).startsWith("gpu-");
        });
        assertThat(fpga).allSatisfy(n -> {
            // one interface per node, its regions, and 1..regions of them programmed with that interface's functions
            String region = n.fpgas().keySet().stream().filter(k -> k.startsWith("fpga.intel.com/region-")).findFirst()
                    .orElseThrow();
            String iface = region.substring("fpga.intel.com/region-".length());
            assertThat(iface).isIn(NodeFleet.FPGA_ARRIA10, NodeFleet.FPGA_STRATIX10).matches("[0-9a-f]{32}");
            assertThat(n.fpgaRegions()).isEqualTo(n.fpgas().get(region)).isIn(1, 2);
            assertThat(n.fpgaFunctions()).isNotEmpty();
            assertThat(n.fpgaFunctions().keySet()).allSatisfy(f -> assertThat(f).startsWith(iface + ".")
                    .isIn(NodeFleet.FPGA_FUNCTIONS));
            assertThat(n.fpgaProgrammed()).isBetween(1, n.fpgaRegions());
            assertThat(n.fpgas()).allSatisfy((k, v) -> assertThat(k).matches("fpga\\.intel\\.com/(region|af)-.*")
                    .satisfies(name -> assertThat(name.length() - "fpga.intel.com/".length()).isLessThanOrEqualTo(63)));
            assertThat(n.taints()).isEmpty();
            assertThat(n.gpus()).isZero();
        });
        assertThat(fleet.nodes()).allSatisfy(n -> {
            assertThat(n.labels()).containsKeys("topology.kubernetes.io/zone", "node.kubernetes.io/instance-type");
            assertThat(NodeFleet.ZONES).contains(n.labels().get("topology.kubernetes.io/zone"));
            assertThat(n.maxPods()).isEqualTo(110);
            assertThat(n.cpuMillis()).isGreaterThanOrEqualTo(16_000);
        });
        // the zones are all used in a fleet this size
        assertThat(fleet.nodes().stream().map(n -> n.labels().get("topology.kubernetes.io/zone")).distinct())
                .containsExactlyInAnyOrderElementsOf(NodeFleet.ZONES);
        assertThat(fleet.summary()).startsWith("200 nodes: 170 cpu, 20 gpu (")
                .contains("10 fpga (" + fpga.stream().mapToInt(NodeSpec::fpgaRegions).sum() + " regions, "
                        + fpga.stream().mapToInt(NodeSpec::fpgaProgrammed).sum() + " programmed)");
    }

    @Test
    void sxmGpuNodesFormNvlinkCliquesOfFourInOneZone() {
        NodeFleet fleet = NodeFleet.mixed(1000, 5);
        List<NodeSpec> gpu = fleet.nodes().stream().filter(NodeSpec::hasGpus).toList();
        assertThat(gpu).extracting(n -> n.labels().get("nvidia.com/gpu.product"))
                .contains("NVIDIA-A100-SXM4-80GB", "NVIDIA-H100-80GB-HBM3", "NVIDIA-A10G");

        Map<String, List<NodeSpec>> cliques = new TreeMap<>();
        for (NodeSpec n : gpu) {
            String clique = n.labels().get(NodeSpec.GPU_CLIQUE_LABEL);
            String product = n.labels().get("nvidia.com/gpu.product");
            if (product.contains("SXM") || product.contains("HBM3")) {
                assertThat(clique).as("clique of %s", n.name()).matches("[0-9a-f-]{36}\\.[0-9]+");
                assertThat(n.gpus()).isEqualTo(8);
                cliques.computeIfAbsent(clique, c -> new ArrayList<>()).add(n);
            } else {
                // PCIe GPUs share no NVLink with other nodes
                assertThat(clique).as("clique of %s", n.name()).isNull();
            }
        }
        assertThat(cliques).hasSizeGreaterThan(3);
        assertThat(cliques.values()).allSatisfy(members -> {
            assertThat(members).hasSizeBetween(1, NodeFleet.CLIQUE_SIZE);
            assertThat(members).extracting(n -> n.labels().get("nvidia.com/gpu.product")).containsOnly(
                    members.getFirst().labels().get("nvidia.com/gpu.product"));
            assertThat(members).extracting(n -> n.labels().get(NodeSpec.ZONE_LABEL)).containsOnly(
                    members.getFirst().labels().get(NodeSpec.ZONE_LABEL));
        });
        // of each model, every clique but the last is full
        Map<String, List<Integer>> sizes = new TreeMap<>();
        cliques.values().forEach(m -> sizes.computeIfAbsent(m.getFirst().labels().get("nvidia.com/gpu.product"),
                p -> new ArrayList<>()).add(m.size()));
        assertThat(sizes.values()).allSatisfy(s -> assertThat(s.stream().filter(n -> n < NodeFleet.CLIQUE_SIZE)).hasSizeLessThanOrEqualTo(1));
        assertThat(fleet.summary()).contains(cliques.size() + " NVLink cliques");
        // the same seed, the same cliques
        assertThat(NodeFleet.mixed(1000, 5).nodes()).isEqualTo(fleet.nodes());
    }

    @Test
    void everyFunctionOfTheCatalogueIsProgrammedSomewhereInALargeFleet() {
        NodeFleet fleet = NodeFleet.mixed(400, 11);
        assertThat(fleet.programmedFpgaFunctions()).containsExactlyInAnyOrderElementsOf(NodeFleet.FPGA_FUNCTIONS);
        // some regions are still blank: a job whose function is nowhere free reprograms one
        assertThat(fleet.nodes()).anySatisfy(n -> assertThat(n.fpgaProgrammed()).isLessThan(n.fpgaRegions()));
        assertThat(NodeFleet.mixed(5, 1).programmedFpgaFunctions()).isEmpty();
    }

    @Test
    void fpgaNodeOffersRegionsAndProgrammedFunctions() {
        String iface = NodeFleet.FPGA_ARRIA10;
        NodeSpec spec = NodeSpec.cpu("fpga-1", 16, 64).withFpga(iface, 2, Map.of(iface + ".d84", 1));
        Node node = NodeFleet.toNode(spec, 0);

        assertThat(node.getStatus().getAllocatable())
                .containsEntry("fpga.intel.com/region-" + iface, new Quantity("2"))
                .containsEntry("fpga.intel.com/af-" + iface + ".d84", new Quantity("1"));
        assertThat(spec.hasFpgas()).isTrue();
        assertThat(spec.fpgaFunctions()).isEqualTo(Map.of(iface + ".d84", 1));

        assertThatThrownBy(() -> NodeSpec.cpu("f", 1, 1).withFpga(iface, 1, Map.of(iface + ".d84", 1, iface + ".f7d", 1)))
                .hasMessageContaining("node f: 2 regions programmed").hasMessageContaining("has 1 of " + iface);
        assertThatThrownBy(() -> NodeSpec.cpu("f", 1, 1).withFpga(iface, 1, Map.of(NodeFleet.FPGA_STRATIX10 + ".331", 1)))
                .hasMessageContaining("'" + NodeFleet.FPGA_STRATIX10 + ".331' is not a function of interface " + iface);
        assertThatThrownBy(() -> NodeSpec.cpu("f", 1, 1).withFpga(iface, 0, Map.of()))
                .hasMessageContaining("must be >= 1, not 0");
    }

    @Test
    void smallFleetsRoundTheShares() {
        assertThat(NodeFleet.mixed(0, 1).size()).isZero();
        assertThat(NodeFleet.mixed(10, 1).nodes().stream().filter(NodeSpec::hasGpus)).hasSize(1);
        assertThat(NodeFleet.mixed(5000, 1).nodes().stream().filter(NodeSpec::hasGpus)).hasSize(500);
        assertThat(NodeFleet.mixed(5000, 1).nodes().stream().filter(NodeSpec::hasFpgas)).hasSize(250);
        assertThat(NodeFleet.mixed(5000, 1).names().getFirst()).isEqualTo("cpu-0001");
        assertThat(NodeFleet.mixed(12_000, 1).names().getFirst()).isEqualTo("cpu-00001");
    }

    @Test
    void nodeObjectIsWhatAKubeletRegisters() {
        NodeSpec spec = NodeSpec.cpu("gpu-1", 48, 192).withGpus(4, "NVIDIA-A10G")
                .withLabel("topology.kubernetes.io/zone", "zone-b");
        Node node = NodeFleet.toNode(spec, 300);

        assertThat(node.getMetadata().getName()).isEqualTo("gpu-1");
        assertThat(node.getMetadata().getLabels())
                .containsEntry("kubernetes.io/hostname", "gpu-1")
                .containsEntry("kubernetes.io/os", "linux")
                .containsEntry("topology.kubernetes.io/zone", "zone-b")
                .containsEntry("nvidia.com/gpu.product", "NVIDIA-A10G")
                .containsEntry(NodeFleet.SIMULATED_LABEL, "true");
        assertThat(node.getSpec().getTaints()).singleElement().satisfies(t -> {
            assertThat(t.getKey()).isEqualTo("nvidia.com/gpu");
            assertThat(t.getValue()).isEqualTo("present");
            assertThat(t.getEffect()).isEqualTo("NoSchedule");
        });
        assertThat(node.getSpec().getPodCIDR()).isEqualTo("10.1.44.0/24");
        Map<String, Quantity> capacity = node.getStatus().getCapacity();
        assertThat(capacity).containsEntry("cpu", new Quantity("48")).containsEntry("memory", new Quantity("192Gi"))
                .containsEntry("pods", new Quantity("110")).containsEntry("nvidia.com/gpu", new Quantity("4"));
        assertThat(node.getStatus().getAllocatable()).isEqualTo(capacity);
        assertThat(node.getStatus().getConditions()).anySatisfy(c -> {
            assertThat(c.getType()).isEqualTo("Ready");
            assertThat(c.getStatus()).isEqualTo("True");
        });
        assertThat(node.getStatus().getAddresses()).anySatisfy(a -> {
            assertThat(a.getType()).isEqualTo("InternalIP");
            assertThat(a.getAddress()).isEqualTo(NodeFleet.internalIp(300));
        });
        assertThat(node.getStatus().getNodeInfo().getKubeletVersion()).isEqualTo(NodeFleet.KUBELET_VERSION);
    }

    @Test
    void addressesAreDistinctPerIndex() {
        assertThat(NodeFleet.internalIp(0)).isEqualTo("172.16.0.1");
        assertThat(NodeFleet.internalIp(253)).isEqualTo("172.16.0.254");
        assertThat(NodeFleet.internalIp(254)).isEqualTo("172.16.1.1");
        assertThat(NodeFleet.internalIp(65_535)).isEqualTo("172.17.2.4");
        assertThat(IntStream.range(0, 70_000).mapToObj(NodeFleet::internalIp).distinct().count()).isEqualTo(70_000);
        assertThat(NodeFleet.podCidr(0)).isEqualTo("10.0.0.0/24");
        assertThat(NodeFleet.podCidr(65_535)).isEqualTo("10.255.255.0/24");
    }

    @Test
    void rejectsDuplicateNamesAndBadTaints() {
        assertThatThrownBy(() -> NodeFleet.of(NodeSpec.cpu("a", 1, 1), NodeSpec.cpu("a", 2, 2)))
                .hasMessageContaining("two nodes named a");
        assertThatThrownBy(() -> new NodeSpec.Taint("k", "v", "Sometimes")).isInstanceOf(IllegalArgumentException.class);
    }
}
