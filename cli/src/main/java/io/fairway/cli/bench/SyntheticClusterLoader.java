package io.fairway.cli.bench;

import io.fairway.core.events.LeaderElected;
import io.fairway.core.events.NodeObserved;
import io.fairway.core.events.PodObserved;
import io.fairway.core.events.QueueConfigObserved;
import io.fairway.core.objects.Node;
import io.fairway.core.objects.NodeAffinity;
import io.fairway.core.objects.Pod;
import io.fairway.core.objects.PodPhase;
import io.fairway.core.objects.Taint;
import io.fairway.core.objects.Toleration;
import io.fairway.core.resources.Resources;
import io.fairway.core.state.ApplyResult;
import io.fairway.core.state.ClusterState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A synthetic shared cluster for the core benchmark, the same for the same seed: CPU nodes in three zones, tainted
 * GPU nodes, a three-level queue tree (departments, teams, leaves) with guaranteed and max, and a mix of pod sizes,
 * some with zone selectors and some asking for GPUs.
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

    /** Builds the state: config, nodes, and every pod pending at time 0. Returns the leaf queue names. */
    public static List<String> load(ClusterState state, int nodes, int pods, int leaves, int apps, long seed, String policy) {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<Node> nodeList = new ArrayList<>(nodes);
        long cpu = 0;
        long mem = 0;
        String[] zones = {"a", "b", "c"};
        for (int i = 0; i < nodes; i++) {
            boolean gpu = i % 10 == 9;
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
        ApplyResult config = state.apply(new QueueConfigObserved(0, queuesYaml(leaves, cpu, mem, policy), "1"));
        if (!config.applied()) {
            throw new IllegalStateException("synthetic queue config rejected: " + config.reason());
        }
        state.apply(new LeaderElected(0, 1, "bench"));
        for (Node n : nodeList) {
            state.apply(new NodeObserved(0, n));
        }
        List<String> leafNames = state.queues().all().values().stream().filter(q -> q.isLeaf())
                .map(q -> q.fullName()).toList();
        String[] appQueue = new String[apps];
        for (int a = 0; a < apps; a++) {
            appQueue[a] = leafNames.get(rnd.nextInt(leafNames.size()));
        }
        List<Toleration> gpuToleration = List.of(new Toleration("nvidia.com/gpu", "Exists", "", "NoSchedule"));
        for (int p = 0; p < pods; p++) {
            int app = p % apps;
            int shape = rnd.nextInt(100);
            Resources.Builder req = Resources.builder();
            List<Toleration> tolerations = List.of();
            Map<String, String> selector = Map.of();
            if (shape < 50) {
                req.set("cpu", 500).set("memory", GI);
            } else if (shape < 80) {
                req.set("cpu", 2000).set("memory", 8 * GI);
            } else if (shape < 95) {
                req.set("cpu", 8000).set("memory", 32 * GI);
            } else {
                req.set("cpu", 4000).set("memory", 32 * GI).set("nvidia.com/gpu", 1 + rnd.nextInt(2));
                tolerations = gpuToleration;
            }
            if (rnd.nextInt(10) == 0) {
                selector = Map.of("zone", zones[rnd.nextInt(3)]);
            }
            String uid = String.format("pod-%07d", p);
            state.apply(new PodObserved(0, new Pod(uid, "team-" + (app % 50), uid, "app-" + app, appQueue[app], "user-" + (app % 200),
                    List.of(), req.build(), rnd.nextInt(10) == 0 ? 100 : 0, selector, NodeAffinity.NONE, tolerations,
                    ClusterState.DEFAULT_SCHEDULER_NAME, "", PodPhase.Pending, p, "1")));
        }
        return leafNames;
    }
}
