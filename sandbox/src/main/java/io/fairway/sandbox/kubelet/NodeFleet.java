package io.fairway.sandbox.kubelet;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.NodeConditionBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.TaintBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fairway.testsupport.k8s.ReadyNodes;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ExecutionException;

/**
 * A set of simulated nodes and their registration with an API server.
 *
 * <p>Registering a node creates it as a kubelet would: labels ({@link NodeSpec#labels()} plus
 * {@code kubernetes.io/hostname}, {@code kubernetes.io/os=linux}, {@code kubernetes.io/arch=amd64} and
 * {@link #SIMULATED_LABEL}{@code =true}, which is how {@link SimulatedKubelets} recognises its nodes), taints,
 * {@code spec.podCIDR}, and a status with {@code capacity} = {@code allocatable}, {@code Ready=True} and the pressure
 * conditions {@code False}, an {@code InternalIP} and {@code Hostname} address, {@code nodeInfo} and the kubelet
 * endpoint. Node {@code i} of a fleet gets an internal IP in {@code 172.16.0.0/12} ({@link #internalIp}) and the pod CIDR
 * {@code 10.(i/256).(i%256).0/24} (so a fleet holds up to 65,536 nodes).
 */
public final class NodeFleet {
    /** The label every node registered by a fleet carries ({@code "true"}); {@link SimulatedKubelets} serves the nodes that have it. */
    public static final String SIMULATED_LABEL = "fairway.io/simulated";
    /**
     * Region interface of Intel's PAC with Arria 10 GX (OPAE's {@code dcp1.2} FIM), as its
     * {@code fpga.intel.com/region-<interface>} resource names it.
     */
    public static final String FPGA_ARRIA10 = "69528db6eb31577a8c3668f9faa081f6";
    /** Region interface of Intel's PAC D5005 (Stratix 10). */
    public static final String FPGA_STRATIX10 = "bfac4d851ee856fe8c95865ce1bbaa2d";
    /**
     * The accelerator functions built for those interfaces ({@code <interface>.<function>}, the function id cut to three
     * hex digits as the device plugin's {@code af-} names cut it, so that {@code fpga.intel.com/af-…} stays within
     * Kubernetes' 63 characters): NLB0 and NLB3 on the Arria 10, NLB3 and DMA on the Stratix 10. The mixed fleet
     * programs its FPGA nodes with these; FPGA jobs ask for one of them by default.
     */
    public static final List<String> FPGA_FUNCTIONS = List.of(
            FPGA_ARRIA10 + ".d84", FPGA_ARRIA10 + ".f7d", FPGA_STRATIX10 + ".f7d", FPGA_STRATIX10 + ".331");
    /** GPU nodes of one NVLink-capable model that share an {@value NodeSpec#GPU_CLIQUE_LABEL} value in the mixed fleet. */
    public static final int CLIQUE_SIZE = 4;
    /** Zones of the mixed fleet, in region {@value #REGION}. */
    public static final List<String> ZONES = List.of("zone-a", "zone-b", "zone-c");
    /** Region label of the mixed fleet. */
    public static final String REGION = "region-1";
    /** The kubelet version simulated nodes report. */
    public static final String KUBELET_VERSION = "v1.32.0-fairway-sim";

    /**
     * A machine shape of the mixed fleet.
     *
     * @param accelerators GPUs, or FPGA regions
     * @param product      the GPU model, or the FPGA region interface
     * @param nvlink       SXM GPUs on NVSwitch: nodes of this shape are grouped into NVLink cliques
     */
    private record Shape(String instanceType, int cores, int memoryGi, int accelerators, String product, boolean nvlink,
                         int weight) {
    }

    private static final List<Shape> CPU_SHAPES = List.of(
            new Shape("m6i.4xlarge", 16, 64, 0, null, false, 4),
            new Shape("m6i.8xlarge", 32, 128, 0, null, false, 3),
            new Shape("c6i.8xlarge", 32, 64, 0, null, false, 2),
            new Shape("r6i.4xlarge", 16, 128, 0, null, false, 1));
    private static final List<Shape> GPU_SHAPES = List.of(
            new Shape("g5.12xlarge", 48, 192, 4, "NVIDIA-A10G", false, 3),
            new Shape("g6.12xlarge", 48, 192, 4, "NVIDIA-L4", false, 2),
            new Shape("p4d.24xlarge", 96, 1152, 8, "NVIDIA-A100-SXM4-40GB", true, 1),
            new Shape("p4de.24xlarge", 96, 1152, 8, "NVIDIA-A100-SXM4-80GB", true, 1),
            new Shape("p5.48xlarge", 192, 2048, 8, "NVIDIA-H100-80GB-HBM3", true, 1));
    private static final List<Shape> FPGA_SHAPES = List.of(
            new Shape("fpga-a10.4xlarge", 16, 64, 1, FPGA_ARRIA10, false, 2),
            new Shape("fpga-a10.8xlarge", 32, 128, 2, FPGA_ARRIA10, false, 1),
            new Shape("fpga-s10.8xlarge", 32, 128, 2, FPGA_STRATIX10, false, 1));

    private final List<NodeSpec> nodes;

    private NodeFleet(List<NodeSpec> nodes) {
        this.nodes = List.copyOf(nodes);
        Set<String> names = new HashSet<>();
        for (NodeSpec n : this.nodes) {
            if (!names.add(n.name())) {
                throw new IllegalArgumentException("two nodes named " + n.name());
            }
        }
        if (this.nodes.size() > 65_536) {
            throw new IllegalArgumentException("a fleet holds at most 65536 nodes");
        }
    }

    /** A fleet of exactly these nodes. */
    public static NodeFleet of(List<NodeSpec> nodes) {
        return new NodeFleet(nodes);
    }

    /** A fleet of exactly these nodes. */
    public static NodeFleet of(NodeSpec... nodes) {
        return new NodeFleet(List.of(nodes));
    }

    /**
     * {@code count} alike CPU nodes ({@code node-00000}, …; 96 cores, 768 GiB) spread over {@link #ZONES} in turn:
     * room for every pod of a benchmark, so that its figure is the scheduler's rate, not the cluster running full.
     */
    public static NodeFleet uniformCpu(int count) {
        List<NodeSpec> specs = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            specs.add(NodeSpec.cpu(String.format("node-%05d", i), 96, 768)
                    .withLabel(NodeSpec.ZONE_LABEL, ZONES.get(i % ZONES.size())));
        }
        return of(specs);
    }

    /**
     * A realistic mixed fleet of {@code count} nodes, the same for the same seed: {@code round(10%)} GPU nodes
     * (4 or 8 GPUs of one model each, labelled {@value NodeSpec#GPU_PRODUCT_LABEL} and {@value NodeSpec#GPU_COUNT_LABEL},
     * tainted {@code nvidia.com/gpu=present:NoSchedule}), {@code round(5%)} FPGA nodes (1 or 2 regions of one interface,
     * one or more of them programmed with a function of {@link #FPGA_FUNCTIONS}, the rest blank) and CPU nodes for the
     * rest (16–32 cores, 64–128 GiB), named {@code cpu-0001}, {@code gpu-0001}, {@code fpga-0001}, …, spread over
     * {@link #ZONES} and labelled with their instance type. The 8-GPU SXM nodes of each model form NVLink cliques of
     * {@value #CLIQUE_SIZE} in fleet order (label {@value NodeSpec#GPU_CLIQUE_LABEL}, {@code <uuid>.<n>}); a clique's
     * nodes share the zone of its first node, as one rack would.
     */
    public static NodeFleet mixed(int count, long seed) {
        if (count < 0) {
            throw new IllegalArgumentException("node count must be >= 0, not " + count);
        }
        Random random = new Random(seed);
        int gpus = (int) Math.round(count * 0.10);
        int fpgas = (int) Math.round(count * 0.05);
        int cpus = count - gpus - fpgas;
        int width = Math.max(4, Integer.toString(count).length());
        List<NodeSpec> specs = new ArrayList<>(count);
        for (int i = 1; i <= cpus; i++) {
            Shape s = pick(CPU_SHAPES, random);
            specs.add(base("cpu", i, width, s, random));
        }
        Map<String, Integer> inClique = new HashMap<>();
        Map<String, String> cliqueZone = new HashMap<>();
        for (int i = 1; i <= gpus; i++) {
            Shape s = pick(GPU_SHAPES, random);
            NodeSpec n = base("gpu", i, width, s, random).withGpus(s.accelerators(), s.product());
            if (s.nvlink()) {
                int k = inClique.merge(s.product(), 1, Integer::sum) - 1;
                String clique = cliqueId(seed, s.product(), k / CLIQUE_SIZE);
                String zone = cliqueZone.computeIfAbsent(clique, c -> n.labels().get(NodeSpec.ZONE_LABEL));
                specs.add(n.withLabel(NodeSpec.GPU_CLIQUE_LABEL, clique).withLabel(NodeSpec.ZONE_LABEL, zone));
            } else {
                specs.add(n);
            }
        }
        for (int i = 1; i <= fpgas; i++) {
            Shape s = pick(FPGA_SHAPES, random);
            specs.add(base("fpga", i, width, s, random).withFpga(s.product(), s.accelerators(), programmed(s, random)));
        }
        return new NodeFleet(specs);
    }

    /** GPU feature discovery's clique value: the NVLink fabric's cluster UUID and the clique within it. */
    private static String cliqueId(long seed, String product, int group) {
        UUID fabric = UUID.nameUUIDFromBytes(("fairway-sim/" + seed + "/" + product + "/" + group)
                .getBytes(StandardCharsets.UTF_8));
        return fabric + "." + group;
    }

    /** 1 to all of the shape's regions, each programmed with one of its interface's functions. */
    private static Map<String, Integer> programmed(Shape s, Random random) {
        List<String> functions = FPGA_FUNCTIONS.stream().filter(f -> f.startsWith(s.product() + ".")).toList();
        int regions = 1 + random.nextInt(s.accelerators());
        Map<String, Integer> out = new TreeMap<>();
        for (int r = 0; r < regions; r++) {
            out.merge(functions.get(random.nextInt(functions.size())), 1, Integer::sum);
        }
        return out;
    }

    private static NodeSpec base(String kind, int i, int width, Shape s, Random random) {
        String name = kind + "-" + String.format("%0" + width + "d", i);
        return NodeSpec.cpu(name, s.cores(), s.memoryGi())
                .withLabel(NodeSpec.INSTANCE_TYPE_LABEL, s.instanceType())
                .withLabel(NodeSpec.ZONE_LABEL, ZONES.get(random.nextInt(ZONES.size())))
                .withLabel(NodeSpec.REGION_LABEL, REGION);
    }

    private static Shape pick(List<Shape> shapes, Random random) {
        int total = shapes.stream().mapToInt(Shape::weight).sum();
        int r = random.nextInt(total);
        for (Shape s : shapes) {
            r -= s.weight();
            if (r < 0) {
                return s;
            }
        }
        throw new AssertionError();
    }

    /** The nodes, in registration order. */
    public List<NodeSpec> nodes() {
        return nodes;
    }

    /** Number of nodes. */
    public int size() {
        return nodes.size();
    }

    /** The node names. */
    public List<String> names() {
        return nodes.stream().map(NodeSpec::name).toList();
    }

    /**
     * One line for a summary:
     * {@code "200 nodes: 170 cpu, 20 gpu (112 nvidia.com/gpu, 3 NVLink cliques), 10 fpga (14 regions, 11 programmed)"}.
     */
    public String summary() {
        long gpuNodes = nodes.stream().filter(NodeSpec::hasGpus).count();
        long fpgaNodes = nodes.stream().filter(NodeSpec::hasFpgas).count();
        long gpus = nodes.stream().mapToLong(NodeSpec::gpus).sum();
        long cliques = nodes.stream().map(n -> n.labels().get(NodeSpec.GPU_CLIQUE_LABEL)).filter(Objects::nonNull)
                .distinct().count();
        int regions = nodes.stream().mapToInt(NodeSpec::fpgaRegions).sum();
        int programmed = nodes.stream().mapToInt(NodeSpec::fpgaProgrammed).sum();
        return nodes.size() + " nodes: " + (nodes.size() - gpuNodes - fpgaNodes) + " cpu, " + gpuNodes + " gpu (" + gpus + " "
                + NodeSpec.GPU_RESOURCE + (cliques == 0 ? "" : ", " + cliques + " NVLink clique" + (cliques == 1 ? "" : "s"))
                + "), " + fpgaNodes + " fpga" + (regions == 0 ? "" : " (" + regions + " regions, " + programmed + " programmed)");
    }

    /** The FPGA functions some node of the fleet has programmed ({@code <interface>.<function>}), sorted. */
    public List<String> programmedFpgaFunctions() {
        return nodes.stream().flatMap(n -> n.fpgaFunctions().keySet().stream()).distinct().sorted().toList();
    }

    /** Node {@code index} of this fleet as the Kubernetes object a kubelet would register. */
    public Node toNode(int index) {
        return toNode(nodes.get(index), index);
    }

    /** {@code spec} as the Kubernetes object a kubelet would register, with the addresses of position {@code index}. */
    public static Node toNode(NodeSpec spec, int index) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("kubernetes.io/hostname", spec.name());
        labels.put("kubernetes.io/os", "linux");
        labels.put("kubernetes.io/arch", "amd64");
        labels.put("beta.kubernetes.io/os", "linux");
        labels.put("beta.kubernetes.io/arch", "amd64");
        labels.putAll(spec.labels());
        labels.put(SIMULATED_LABEL, "true");
        Map<String, Quantity> capacity = new LinkedHashMap<>();
        spec.capacity().forEach((k, v) -> capacity.put(k, new Quantity(v)));
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        String podCidr = podCidr(index);
        UUID id = UUID.nameUUIDFromBytes(spec.name().getBytes(StandardCharsets.UTF_8));
        return new NodeBuilder()
                .withNewMetadata()
                    .withName(spec.name())
                    .withLabels(labels)
                    .addToAnnotations("node.alpha.kubernetes.io/ttl", "0")
                .endMetadata()
                .withNewSpec()
                    .withPodCIDR(podCidr)
                    .withPodCIDRs(podCidr)
                    .withProviderID("fairway-sim://" + spec.name())
                    .withTaints(spec.taints().stream()
                            .map(t -> new TaintBuilder().withKey(t.key()).withValue(t.value()).withEffect(t.effect()).build())
                            .toList())
                .endSpec()
                .withNewStatus()
                    .withCapacity(capacity)
                    .withAllocatable(new LinkedHashMap<>(capacity))
                    .withConditions(conditions(now))
                    .addNewAddress().withType("InternalIP").withAddress(internalIp(index)).endAddress()
                    .addNewAddress().withType("Hostname").withAddress(spec.name()).endAddress()
                    .withNewDaemonEndpoints().withNewKubeletEndpoint().withPort(10250).endKubeletEndpoint().endDaemonEndpoints()
                    .withNewNodeInfo()
                        .withArchitecture("amd64")
                        .withOperatingSystem("linux")
                        .withOsImage("Fairway simulated node")
                        .withKernelVersion("6.8.0-fairway-sim")
                        .withKubeletVersion(KUBELET_VERSION)
                        .withKubeProxyVersion(KUBELET_VERSION)
                        .withContainerRuntimeVersion("fairway-sim://1.0.0")
                        .withMachineID(id.toString().replace("-", ""))
                        .withSystemUUID(id.toString())
                        .withBootID(id.toString())
                    .endNodeInfo()
                .endStatus()
                .build();
    }

    private static List<NodeCondition> conditions(String now) {
        List<NodeCondition> c = new ArrayList<>();
        c.add(condition("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available", now));
        c.add(condition("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure", now));
        c.add(condition("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available", now));
        c.add(condition("Ready", "True", "KubeletReady", "kubelet is posting ready status (simulated)", now));
        return c;
    }

    private static NodeCondition condition(String type, String status, String reason, String message, String now) {
        return new NodeConditionBuilder().withType(type).withStatus(status).withReason(reason).withMessage(message)
                .withLastHeartbeatTime(now).withLastTransitionTime(now).build();
    }

    /** The internal IP of node {@code index}: {@code 172.16.0.1} for 0, then up through {@code 172.16.0.0/12}, skipping .0 and .255. */
    public static String internalIp(int index) {
        int subnet = index / 254;
        return "172." + (16 + subnet / 256) + "." + (subnet % 256) + "." + (index % 254 + 1);
    }

    /** The pod CIDR of node {@code index}: {@code 10.(index/256).(index%256).0/24}. */
    public static String podCidr(int index) {
        return "10." + ((index >> 8) & 255) + "." + (index & 255) + ".0/24";
    }

    /** Registers every node (see {@link #register(KubernetesClient, int)}) with 16 requests in flight. */
    public int register(KubernetesClient client) {
        return register(client, 16);
    }

    /**
     * Registers every node with the API server, {@code parallelism} requests in flight: creates it (status included,
     * as a kubelet does), then writes the status through the {@code status} subresource when the server did not keep
     * it. A node that exists already is updated to this spec (labels, taints, status). Returns the number of nodes.
     *
     * @throws KubernetesClientException the first failure, after every node was tried
     */
    public int register(KubernetesClient client, int parallelism) {
        Semaphore slots = new Semaphore(Math.max(1, parallelism));
        List<Future<?>> results = new ArrayList<>(nodes.size());
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < nodes.size(); i++) {
                Node node = toNode(i);
                results.add(pool.submit(() -> {
                    slots.acquire();
                    try {
                        registerNode(client, node);
                    } finally {
                        slots.release();
                    }
                    return null;
                }));
            }
        }
        RuntimeException first = null;
        for (Future<?> f : results) {
            try {
                f.get();
            } catch (ExecutionException e) {
                if (first == null) {
                    first = e.getCause() instanceof RuntimeException re ? re : new KubernetesClientException(e.getCause().toString(), e.getCause());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new KubernetesClientException("interrupted while registering nodes", e);
            }
        }
        if (first != null) {
            throw first;
        }
        return nodes.size();
    }

    /** Creates (or brings up to date) one node and its status. */
    public static void registerNode(KubernetesClient client, Node node) {
        String name = node.getMetadata().getName();
        Node stored;
        try {
            stored = client.nodes().resource(node).create();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                throw e;
            }
            Map<String, Object> patch = Map.of(
                    "metadata", Map.of("labels", node.getMetadata().getLabels()),
                    "spec", Map.of("taints", node.getSpec().getTaints()));
            client.nodes().resource(ref(name)).patch(PatchContext.of(PatchType.JSON_MERGE), Serialization.asJson(patch));
            stored = null; // an existing node's status is always rewritten
        }
        if (stored != null) {
            // a real kube-apiserver's TaintNodesByCondition added not-ready; no node lifecycle controller here takes
            // it off once the node is Ready, which its status says it is
            ReadyNodes.untaint(client, stored, node.getSpec() == null || node.getSpec().getTaints() == null
                    ? List.of() : node.getSpec().getTaints());
        }
        if (stored == null || stored.getStatus() == null || stored.getStatus().getAllocatable() == null
                || !stored.getStatus().getAllocatable().equals(node.getStatus().getAllocatable())) {
            client.nodes().resource(ref(name)).subresource("status")
                    .patch(PatchContext.of(PatchType.JSON_MERGE), Serialization.asJson(Map.of("status", node.getStatus())));
        }
    }

    /** A node naming {@code name} only: patches through {@code resource(ref)} do not GET the node first, as {@code withName} would. */
    private static Node ref(String name) {
        return new NodeBuilder().withNewMetadata().withName(name).endMetadata().build();
    }

    /** Deletes one node; its kubelet stops. Returns false when there was no such node. */
    public static boolean remove(KubernetesClient client, String name) {
        return !client.nodes().withName(name).delete().isEmpty();
    }
}
