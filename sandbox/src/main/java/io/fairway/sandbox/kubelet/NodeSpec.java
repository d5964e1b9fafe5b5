package io.fairway.sandbox.kubelet;

import io.fairway.core.objects.Fpga;
import io.fairway.sandbox.Quantities;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One simulated node: its name, what it offers and how it is labelled and tainted.
 *
 * <p>Capacity and allocatable are the same (a simulated kubelet reserves nothing). Extended resources are
 * {@code nvidia.com/gpu} ({@link #gpus()}) and the FPGA resources of Intel's device plugin ({@link #fpgas()}):
 * {@code fpga.intel.com/region-<interface> → n} for the node's regions of an interface and
 * {@code fpga.intel.com/af-<interface>.<function> → k} for those already programmed with a function (see
 * {@link #withFpga(String, int, Map)}). {@link #labels()} are the node's own labels; the well-known labels
 * ({@code kubernetes.io/hostname}, {@code kubernetes.io/os}, {@code kubernetes.io/arch}) and
 * {@link NodeFleet#SIMULATED_LABEL} are added when the node is registered.
 *
 * @param name      the node's name (a DNS-1123 subdomain)
 * @param cpuMillis cpu in millicores ({@code 16000} is 16 cores)
 * @param memoryBytes memory in bytes
 * @param gpus      {@code nvidia.com/gpu} count, 0 for none
 * @param fpgas     FPGA resources by name, e.g. {@code fpga.intel.com/region-69528db6eb31577a8c3668f9faa081f6 → 2};
 *                  empty for none
 * @param labels    node labels (zone, instance type, GPU product and NVLink clique, …)
 * @param taints    node taints
 * @param maxPods   the {@code pods} capacity; Kubernetes' default is 110
 */
public record NodeSpec(String name, long cpuMillis, long memoryBytes, int gpus, Map<String, Integer> fpgas,
                       Map<String, String> labels, List<Taint> taints, int maxPods) {

    /** {@code nvidia.com/gpu}, the resource NVIDIA's device plugin advertises. */
    public static final String GPU_RESOURCE = "nvidia.com/gpu";
    /** The label NVIDIA's GPU feature discovery sets to the GPU model. */
    public static final String GPU_PRODUCT_LABEL = "nvidia.com/gpu.product";
    /** The label GPU feature discovery sets to the number of GPUs. */
    public static final String GPU_COUNT_LABEL = "nvidia.com/gpu.count";
    /** The taint GPU nodes carry so that only pods tolerating it land there: {@code nvidia.com/gpu=present:NoSchedule}. */
    public static final Taint GPU_TAINT = new Taint(GPU_RESOURCE, "present", "NoSchedule");
    /**
     * The label GPU feature discovery sets to the node's NVLink domain ({@code <cluster uuid>.<clique id>}): nodes
     * sharing a value reach each other's GPUs over NVLink, the topology domain a training gang wants to stay in.
     */
    public static final String GPU_CLIQUE_LABEL = "nvidia.com/gpu.clique";
    /** {@code topology.kubernetes.io/zone}. */
    public static final String ZONE_LABEL = "topology.kubernetes.io/zone";
    /** {@code topology.kubernetes.io/region}. */
    public static final String REGION_LABEL = "topology.kubernetes.io/region";
    /** {@code node.kubernetes.io/instance-type}. */
    public static final String INSTANCE_TYPE_LABEL = "node.kubernetes.io/instance-type";
    /** Kubernetes' default pod capacity of a node. */
    public static final int DEFAULT_MAX_PODS = 110;

    /** A node taint: {@code key=value:effect}; effect is {@code NoSchedule}, {@code PreferNoSchedule} or {@code NoExecute}. */
    public record Taint(String key, String value, String effect) {
        public Taint {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(effect, "effect");
            if (!List.of("NoSchedule", "PreferNoSchedule", "NoExecute").contains(effect)) {
                throw new IllegalArgumentException("taint effect must be NoSchedule, PreferNoSchedule or NoExecute: " + effect);
            }
        }

        @Override
        public String toString() {
            return key + (value == null || value.isEmpty() ? "" : "=" + value) + ":" + effect;
        }
    }

    public NodeSpec {
        Objects.requireNonNull(name, "name");
        if (cpuMillis <= 0 || memoryBytes <= 0) {
            throw new IllegalArgumentException("node " + name + " needs cpu and memory");
        }
        if (gpus < 0 || maxPods <= 0) {
            throw new IllegalArgumentException("node " + name + ": gpus must be >= 0 and maxPods > 0");
        }
        fpgas = Map.copyOf(fpgas);
        fpgas.forEach((k, v) -> {
            if (v < 0) {
                throw new IllegalArgumentException("node " + name + ": negative " + k);
            }
        });
        labels = Map.copyOf(labels);
        taints = List.copyOf(taints);
    }

    /** A CPU-only node with {@code cores} cores and {@code memoryGi} GiB, no labels, no taints, 110 pods. */
    public static NodeSpec cpu(String name, int cores, int memoryGi) {
        return new NodeSpec(name, cores * 1000L, memoryGi * (1L << 30), 0, Map.of(), Map.of(), List.of(), DEFAULT_MAX_PODS);
    }

    /** This node with {@code count} GPUs of model {@code product} (labels {@code nvidia.com/gpu.product}/{@code .count}) and the GPU taint. */
    public NodeSpec withGpus(int count, String product) {
        Map<String, String> l = new LinkedHashMap<>(labels);
        l.put(GPU_PRODUCT_LABEL, product);
        l.put(GPU_COUNT_LABEL, Integer.toString(count));
        List<Taint> t = new ArrayList<>(taints);
        if (!t.contains(GPU_TAINT)) {
            t.add(GPU_TAINT);
        }
        return new NodeSpec(name, cpuMillis, memoryBytes, count, fpgas, l, t, maxPods);
    }

    /**
     * This node with {@code regions} FPGA regions of interface {@code iface} ({@code fpga.intel.com/region-<iface>}), of
     * which {@code programmed} says how many already hold each function ({@code <iface>.<function> → regions}, offered
     * as {@code fpga.intel.com/af-<iface>.<function>}); the other regions are blank and get programmed on demand.
     *
     * @throws IllegalArgumentException a function of another interface, a count below 1, or more programmed regions
     *                                  than the node has
     */
    public NodeSpec withFpga(String iface, int regions, Map<String, Integer> programmed) {
        if (iface == null || iface.isBlank() || iface.contains(".")) {
            throw new IllegalArgumentException("node " + name + ": FPGA interface '" + iface + "' must be a non-empty id without '.'");
        }
        if (regions < 1) {
            throw new IllegalArgumentException("node " + name + ": FPGA regions of " + iface + " must be >= 1, not " + regions);
        }
        int total = 0;
        for (Map.Entry<String, Integer> e : programmed.entrySet()) {
            if (!e.getKey().startsWith(iface + ".") || e.getKey().length() == iface.length() + 1) {
                throw new IllegalArgumentException("node " + name + ": FPGA function '" + e.getKey()
                        + "' is not a function of interface " + iface + " (<interface>.<function>)");
            }
            if (e.getValue() < 1) {
                throw new IllegalArgumentException("node " + name + ": FPGA function " + e.getKey() + " programmed on "
                        + e.getValue() + " regions; say 1 or more, or leave it out");
            }
            total += e.getValue();
        }
        if (total > regions) {
            throw new IllegalArgumentException("node " + name + ": " + total + " regions programmed " + programmed
                    + " but the node has " + regions + " of " + iface);
        }
        Map<String, Integer> f = new LinkedHashMap<>(fpgas);
        f.put(Fpga.region(iface), regions);
        new TreeMap<>(programmed).forEach((fn, k) -> f.put(Fpga.function(fn), k));
        return new NodeSpec(name, cpuMillis, memoryBytes, gpus, f, labels, taints, maxPods);
    }

    /** This node with one more label. */
    public NodeSpec withLabel(String key, String value) {
        Map<String, String> l = new LinkedHashMap<>(labels);
        l.put(key, value);
        return new NodeSpec(name, cpuMillis, memoryBytes, gpus, fpgas, l, taints, maxPods);
    }

    /** This node with one more taint. */
    public NodeSpec withTaint(Taint taint) {
        List<Taint> t = new ArrayList<>(taints);
        t.add(taint);
        return new NodeSpec(name, cpuMillis, memoryBytes, gpus, fpgas, labels, t, maxPods);
    }

    /** This node with another pod capacity. */
    public NodeSpec withMaxPods(int pods) {
        return new NodeSpec(name, cpuMillis, memoryBytes, gpus, fpgas, labels, taints, pods);
    }

    /** True when the node has GPUs. */
    public boolean hasGpus() {
        return gpus > 0;
    }

    /** True when the node has FPGA regions. */
    public boolean hasFpgas() {
        return fpgaRegions() > 0;
    }

    /** FPGA regions of every interface together. */
    public int fpgaRegions() {
        return sum(Fpga.PREFIX + "region-");
    }

    /** FPGA regions already programmed with some function. */
    public int fpgaProgrammed() {
        return sum(Fpga.PREFIX + "af-");
    }

    /** The functions programmed on the node ({@code <interface>.<function>}) and on how many regions, sorted. */
    public Map<String, Integer> fpgaFunctions() {
        String prefix = Fpga.PREFIX + "af-";
        Map<String, Integer> out = new TreeMap<>();
        fpgas.forEach((k, v) -> {
            if (k.startsWith(prefix) && v > 0) {
                out.put(k.substring(prefix.length()), v);
            }
        });
        return out;
    }

    private int sum(String prefix) {
        return fpgas.entrySet().stream().filter(e -> e.getKey().startsWith(prefix)).mapToInt(Map.Entry::getValue).sum();
    }

    /**
     * The node's capacity as Kubernetes quantities, in a stable order: {@code cpu}, {@code memory}, {@code pods},
     * then {@code nvidia.com/gpu} and FPGA resources when present.
     */
    public Map<String, String> capacity() {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("cpu", Quantities.cpu(cpuMillis));
        c.put("memory", Quantities.memory(memoryBytes));
        c.put("pods", Integer.toString(maxPods));
        c.put("ephemeral-storage", "100Gi");
        if (gpus > 0) {
            c.put(GPU_RESOURCE, Integer.toString(gpus));
        }
        // sorted: Map.copyOf iterates in an order that changes from one JVM to the next
        new TreeMap<>(fpgas).forEach((k, v) -> c.put(k, Integer.toString(v)));
        return c;
    }
}
