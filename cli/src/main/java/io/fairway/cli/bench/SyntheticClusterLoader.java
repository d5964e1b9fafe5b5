package io.fairway.cli.bench;

import io.fairway.core.events.Event;
import io.fairway.core.events.LeaderElected;
import io.fairway.core.events.NodeObserved;
import io.fairway.core.events.PodObserved;
import io.fairway.core.events.QueueConfigObserved;
import io.fairway.core.objects.GangSpec;
import io.fairway.core.objects.Node;
import io.fairway.core.objects.NodeAffinity;
import io.fairway.core.objects.Pod;
import io.fairway.core.objects.PodPhase;
import io.fairway.core.objects.SchedulingHints;
import io.fairway.core.objects.Taint;
import io.fairway.core.objects.TaskGroup;
import io.fairway.core.objects.Toleration;
import io.fairway.core.objects.Topology;
import io.fairway.core.resources.Resources;
import io.fairway.core.state.ApplyResult;
import io.fairway.core.state.ClusterState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * A synthetic shared cluster for the core benchmark, the same for the same seed: CPU nodes in three zones, tainted
 * GPU nodes, a three-level queue tree (departments, teams, leaves) with guaranteed and max, and a mix of pod sizes,
 * some with zone selectors and some asking for GPUs; a share of the apps can be gangs (YuniKorn task groups).
 */
public final class SyntheticClusterLoader {
    private static final long GI = 1L << 30;

    private SyntheticClusterLoader() {
    }

    /** The queue config: {@code departments × teams × leaves} leaves, sized on the cluster's capacity. */
    static String queuesYaml(int leaves, long clusterCpuMillis, long clusterMemory, String nodeSortPolicy) {
        int departments = Math.max(1, (int) Math.round(Math.cbrt(leaves)));
        int teams = Math.max(1, (int) Math.round(Math.sqrt((double) leaves / departments)));
        int perTeam = Math.max(1, (int) Math.ceil((double) leaves / (departments * teams)));
        StringBuilder y = new StringBuilder();
        y.append("partitions:\n  - name: default\n    nodesortpolicy: {type: ").append(nodeSortPolicy).append("}\n");
        y.append("    queues:\n      - name: root\n        queues:\n");
        long deptGuarCpu = clusterCpuMillis * 8 / 10 / departments;
        long deptGuarMem = clusterMemory * 8 / 10 / departments;
        int made = 0;
        for (int d = 0; d < departments && made < leaves; d++) {
            y.append("          - name: dept").append(d).append('\n');
            resources(y, "            ", deptGuarCpu, deptGuarMem, clusterCpuMillis * 6 / 10, clusterMemory * 6 / 10);
            y.append("            queues:\n");
            for (int t = 0; t < teams && made < leaves; t++) {
                y.append("              - name: team").append(t).append('\n');
                resources(y, "                ", deptGuarCpu / teams, deptGuarMem / teams,
                        clusterCpuMillis * 4 / 10, clusterMemory * 4 / 10);
                y.append("                queues:\n");
                for (int l = 0; l < perTeam && made < leaves; l++, made++) {
                    y.append("                  - name: leaf").append(l).append('\n');
                    y.append("                    properties: {application.sort.policy: ")
                            .append(l % 2 == 0 ? "fifo" : "fair").append("}\n");
                    resources(y, "                    ", deptGuarCpu / teams / perTeam, deptGuarMem / teams / perTeam,
                            clusterCpuMillis / 4, clusterMemory / 4);
                }
            }
        }
        return y.toString();
    }

    private static void resources(StringBuilder y, String indent, long gCpu, long gMem, long mCpu, long mMem) {
        y.append(indent).append("resources:\n");
        y.append(indent).append("  guaranteed: {vcore: ").append(gCpu).append("m, memory: ").append(gMem).append("}\n");
        y.append(indent).append("  max: {vcore: ").append(mCpu).append("m, memory: ").append(mMem).append("}\n");
    }

    /**
     * The shape of the synthetic cluster beyond its size.
     *
     * @param gpuNodes     how many of the nodes are tainted GPU nodes with 8 {@code nvidia.com/gpu} each, spread evenly
     *                     over the fleet; with none, no pod asks for a GPU
     * @param gangFraction the share of apps (0..1, spread evenly over them) that are gangs
     */
    public record Shape(int gpuNodes, double gangFraction) {
        public Shape {
            if (gpuNodes < 0) {
                throw new IllegalArgumentException("gpuNodes must be 0 or more, was " + gpuNodes);
            }
            if (!(gangFraction >= 0 && gangFraction <= 1)) {
                throw new IllegalArgumentException("gangFraction must be within 0..1, was " + gangFraction);
            }
        }

        /** What {@code bench core} measured before it had these options: one node in ten for GPUs, no gang. */
        public static Shape classic(int nodes) {
            return new Shape(nodes / 10, 0);
        }
    }

    /** Builds the state with {@link Shape#classic}: config, nodes, and every pod pending at time 0. */
    public static List<String> load(ClusterState state, int nodes, int pods, int leaves, int apps, long seed, String policy) {
        return load(state, nodes, pods, leaves, apps, seed, policy, Shape.classic(nodes));
    }

    /** Builds the state: config, nodes, and every pod pending at time 0. Returns the leaf queue names. */
    public static List<String> load(ClusterState state, int nodes, int pods, int leaves, int apps, long seed, String policy,
                                    Shape shape) {
        return load(state, state::apply, nodes, pods, leaves, apps, seed, policy, shape);
    }

    /**
     * The same, each event handed to {@code apply}, which must apply it to {@code state} (and may log it, as a
     * benchmark that builds a log does).
     */
    public static List<String> load(ClusterState state, Function<Event, ApplyResult> apply, int nodes, int pods,
                                    int leaves, int apps, long seed, String policy, Shape shape) {
        if (shape.gpuNodes() > nodes) {
            throw new IllegalArgumentException("gpuNodes " + shape.gpuNodes() + " is more than the " + nodes + " nodes");
        }
        SplittableRandom rnd = new SplittableRandom(seed);
        List<Node> nodeList = new ArrayList<>(nodes);
        long cpu = 0;
        long mem = 0;
        String[] zones = {"a", "b", "c"};
        long gpuNodes = shape.gpuNodes();
        for (int i = 0; i < nodes; i++) {
            // Evenly spread, and for one in ten exactly the nodes 9, 19, 29… that the benchmark always had.
            boolean gpu = (i + 1) * gpuNodes / nodes > i * gpuNodes / nodes;
            long cores = gpu ? 48 : 32 + 16L * rnd.nextInt(5);
            long memory = (gpu ? 384 : cores * 4) * GI;
            Resources.Builder cap = Resources.builder().set("cpu", cores * 1000).set("memory", memory).set("pods", 110);
            if (gpu) {
                cap.set("nvidia.com/gpu", 8);
            }
            Resources r = cap.build();
            nodeList.add(new Node(String.format("node-%05d", i), r, r,
                    gpu ? Map.of("zone", zones[i % 3], "accelerator", "nvidia") : Map.of("zone", zones[i % 3]),
                    gpu ? List.of(new Taint("nvidia.com/gpu", "present", "NoSchedule")) : List.of(),
                    false, true, "1"));
            cpu += cores * 1000;
            mem += memory;
        }
        ApplyResult config = apply.apply(new QueueConfigObserved(0, queuesYaml(leaves, cpu, mem, policy), "1"));
        if (!config.applied()) {
            throw new IllegalStateException("synthetic queue config rejected: " + config.reason());
        }
        apply.apply(new LeaderElected(0, 1, "bench"));
        for (Node n : nodeList) {
            apply.apply(new NodeObserved(0, n));
        }
        List<String> leafNames = state.queues().all().values().stream().filter(q -> q.isLeaf())
                .map(q -> q.fullName()).toList();
        String[] appQueue = new String[apps];
        for (int a = 0; a < apps; a++) {
            appQueue[a] = leafNames.get(rnd.nextInt(leafNames.size()));
        }
        List<Toleration> gpuToleration = List.of(new Toleration("nvidia.com/gpu", "Exists", "", "NoSchedule"));
        GangSpec[] gangs = gangs(pods, apps, seed, shape, gpuToleration);
        for (int p = 0; p < pods; p++) {
            int app = p % apps;
            // Every draw is made for every pod, so that gangs and GPU nodes leave the other apps' pods as they were.
            int size = rnd.nextInt(100);
            int gpus = size >= 95 ? 1 + rnd.nextInt(2) : 0;
            boolean zoned = rnd.nextInt(10) == 0;
            String zone = zoned ? zones[rnd.nextInt(3)] : "";
            int priority = rnd.nextInt(10) == 0 ? 100 : 0;
            Resources req;
            List<Toleration> tolerations = List.of();
            Map<String, String> selector = zoned ? Map.of("zone", zone) : Map.of();
            SchedulingHints hints = SchedulingHints.NONE;
            if (gangs[app] != null) {
                // A member asks exactly its group's minResource, and takes its constraints from the group.
                TaskGroup group = gangs[app].groups().get(gangs[app].groups().size() == 1 || p < apps ? 0 : 1);
                req = group.minResource();
                tolerations = group.tolerations();
                selector = group.nodeSelector();
                hints = new SchedulingHints(group.name(), gangs[app], Topology.NONE, "");
            } else if (size >= 95 && shape.gpuNodes() > 0) {
                req = podShape(size, gpus);
                tolerations = gpuToleration;
            } else {
                req = podShape(size, 0);
            }
            String uid = String.format("pod-%07d", p);
            apply.apply(new PodObserved(0, new Pod(uid, "team-" + (app % 50), uid, "app-" + app, appQueue[app], "user-" + (app % 200),
                    List.of(), req, priority, selector, NodeAffinity.NONE, tolerations,
                    ClusterState.DEFAULT_SCHEDULER_NAME, "", PodPhase.Pending, p, "1", hints)));
        }
        return leafNames;
    }

    /** The mix of pod sizes: {@code size} 0..99, half small, a few large, the last 5 with {@code gpus} GPUs. */
    private static Resources podShape(int size, int gpus) {
        Resources.Builder b = Resources.builder();
        if (size < 50) {
            b.set("cpu", 500).set("memory", GI);
        } else if (size < 80) {
            b.set("cpu", 2000).set("memory", 8 * GI);
        } else if (size < 95) {
            b.set("cpu", 8000).set("memory", 32 * GI);
        } else {
            b.set("cpu", 4000).set("memory", 32 * GI);
            if (gpus > 0) {
                b.set("nvidia.com/gpu", gpus);
            }
        }
        return b.build();
    }

    /**
     * Per app, its gang or null: every member it has in one task group, or for every other gang a Spark-like driver
     * group of one plus an executor group. Drawn from their own random stream, so that the rest stays the same.
     */
    private static GangSpec[] gangs(int pods, int apps, long seed, Shape shape, List<Toleration> gpuToleration) {
        GangSpec[] out = new GangSpec[apps];
        SplittableRandom rnd = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + 1);
        int gangs = 0;
        for (int a = 0; a < apps; a++) {
            int members = pods / apps + (a < pods % apps ? 1 : 0);
            // Spread evenly over the apps, as the apps are over the queues: floor(apps × fraction) gangs in all.
            if (members == 0 || (long) Math.floor((a + 1) * shape.gangFraction()) == (long) Math.floor(a * shape.gangFraction())) {
                continue;
            }
            int size = rnd.nextInt(100);
            int gpus = size >= 95 && shape.gpuNodes() > 0 ? 1 + rnd.nextInt(2) : 0;
            Resources req = podShape(size, gpus);
            List<Toleration> tolerations = gpus > 0 ? gpuToleration : List.of();
            List<TaskGroup> groups = gangs++ % 2 == 1 && members > 1
                    ? List.of(new TaskGroup("driver", 1, Resources.builder().set("cpu", 1000).set("memory", 4 * GI).build(),
                            Map.of(), List.of(), NodeAffinity.NONE),
                            new TaskGroup("executor", members - 1, req, Map.of(), tolerations, NodeAffinity.NONE))
                    : List.of(new TaskGroup("workers", members, req, Map.of(), tolerations, NodeAffinity.NONE));
            out[a] = new GangSpec(groups, GangSpec.Style.SOFT, GangSpec.DEFAULT_TIMEOUT_MILLIS, "");
        }
        return out;
    }
}
