package io.fairway.sandbox.kubelet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.List;
import java.util.Map;
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
            assertThat(n.fpgas()).containsOnlyKeys("fpga.intel.com/arria10");
            assertThat(n.fpgas().get("fpga.intel.com/arria10")).isIn(1, 2);
            assertThat(n.labels().get("fairway.io/fpga-bitstream")).isIn(NodeFleet.FPGA_BITSTREAMS);
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
        assertThat(fleet.summary()).startsWith("200 nodes: 170 cpu, 20 gpu (");
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
        assertThat(java.util.stream.IntStream.range(0, 70_000).mapToObj(NodeFleet::internalIp).distinct().count()).isEqualTo(70_000);
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
