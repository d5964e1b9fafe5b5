package io.fairway.log;

import io.fairway.core.events.Allocated;
import io.fairway.core.events.GangReleased;
import io.fairway.core.events.GangReserved;
import io.fairway.core.objects.GangSpec;
import io.fairway.core.objects.SchedulingHints;
import io.fairway.core.objects.TaskGroup;
import io.fairway.core.objects.Topology;
import io.fairway.core.events.Event;
import io.fairway.core.events.LeaderElected;
import io.fairway.core.events.NodeGone;
import io.fairway.core.events.NodeObserved;
import io.fairway.core.events.PodGone;
import io.fairway.core.events.PodObserved;
import io.fairway.core.events.PreemptionRequested;
import io.fairway.core.events.PriorityClassGone;
import io.fairway.core.events.AdminAction;
import io.fairway.core.events.PriorityClassObserved;
import io.fairway.core.events.QueueConfigObserved;
import io.fairway.core.events.Released;
import io.fairway.core.events.Unschedulable;
import io.fairway.core.objects.Node;
import io.fairway.core.objects.NodeAffinity;
import io.fairway.core.objects.NodeSelectorRequirement;
import io.fairway.core.objects.Pod;
import io.fairway.core.objects.PodPhase;
import io.fairway.core.objects.Taint;
import io.fairway.core.objects.Toleration;
import io.fairway.core.resources.Resources;
import java.util.List;
import java.util.Map;

/**
 * The events whose schema-version-1 encodings are kept in {@code golden/v1-events.jsonl}, one per line in this
 * order. Those bytes were written once by version 1 of the codec and must never change: every later version has to
 * decode them to these events.
 */
final class GoldenEvents {
    private GoldenEvents() {
    }

    static List<Event> v1() {
        Resources node = Resources.builder().set("cpu", 48_000).set("memory", 384L << 30).set("nvidia.com/gpu", 8)
                .set("pods", 110).build();
        Pod pod = new Pod("6f1c2a9e-0001", "team-a", "train-0", "spark-001", "root.ml", "alice", List.of("ml", "gpu"),
                Resources.builder().set("cpu", 4000).set("memory", 32L << 30).set("nvidia.com/gpu", 1).build(), 100,
                Map.of("accelerator", "nvidia"),
                new NodeAffinity(List.of(List.of(new NodeSelectorRequirement("zone", NodeSelectorRequirement.Operator.In,
                        List.of("a", "b"))))),
                List.of(new Toleration("nvidia.com/gpu", "Exists", "", "NoSchedule")), "fairway", "", PodPhase.Pending,
                1_763_700_000_000L, "1001");
        return List.of(
                new NodeObserved(1_763_700_000_000L, new Node("gpu-0", node, node, Map.of("zone", "a", "accelerator", "nvidia"),
                        List.of(new Taint("nvidia.com/gpu", "present", "NoSchedule")), false, true, "1000")),
                new PodObserved(1_763_700_000_100L, pod),
                new QueueConfigObserved(1_763_700_000_200L, "partitions:\n  - name: default\n    queues:\n      - name: root\n", "7"),
                new PriorityClassObserved(1_763_700_000_300L, "high", 1000, false, "8"),
                new LeaderElected(1_763_700_001_000L, 3, "fairway-0"),
                new Allocated(1_763_700_001_100L, 3, "6f1c2a9e-0001", "gpu-0", "root.ml"),
                new Unschedulable(1_763_700_001_200L, 3, "6f1c2a9e-0002", "no node: Insufficient cpu",
                        "0/1 nodes are available: 1 Insufficient cpu."),
                new Released(1_763_700_001_300L, 3, "6f1c2a9e-0001", "gpu-0", "bind failed: 404 pod not found"),
                new PodGone(1_763_700_002_000L, "6f1c2a9e-0001", "1002"),
                new NodeGone(1_763_700_003_000L, "gpu-0", "1003"),
                new PriorityClassGone(1_763_700_004_000L, "high", "9"),
                // Added with gangs and accelerators: still version 1, the new fields are additions.
                new PodObserved(1_763_700_005_000L, new Pod("6f1c2a9e-0003", "team-a", "spark-pi-driver", "spark-002",
                        "root.spark", "bob", List.of(), Resources.builder().set("cpu", 1000).set("memory", 1L << 30).build(),
                        0, Map.of(), NodeAffinity.NONE, List.of(), "fairway", "", PodPhase.Pending, 1_763_700_005_000L,
                        "1004", new SchedulingHints("driver", new GangSpec(List.of(
                                new TaskGroup("driver", 1, Resources.builder().set("cpu", 1000).set("memory", 1L << 30).build(),
                                        Map.of(), List.of(), NodeAffinity.NONE),
                                new TaskGroup("executor", 4, Resources.builder().set("cpu", 2000).set("memory", 4L << 30).build(),
                                        Map.of("pool", "spark"), List.of(new Toleration("spark", "Exists", "", "NoSchedule")),
                                        NodeAffinity.NONE)), GangSpec.Style.HARD, 60_000, ""),
                                new Topology("topology.kubernetes.io/zone", true), ""))),
                new GangReserved(1_763_700_005_100L, 4, "spark-002", List.of(
                        new GangReserved.Slot("driver", "cpu-0", Resources.builder().set("cpu", 1000).set("memory", 1L << 30).build()),
                        new GangReserved.Slot("executor", "cpu-1", Resources.builder().set("cpu", 2000).set("memory", 4L << 30).build()))),
                new GangReleased(1_763_700_005_200L, 4, "spark-002", GangReleased.Next.FAILED,
                        "gang of app spark-002 was not complete 1m after it first waited"),
                new Allocated(1_763_700_005_300L, 4, "6f1c2a9e-0004", "fpga-0", "root.fpga", Allocated.FPGA_REPROGRAM),
                // Added with preemption: still version 1, a new type.
                new PreemptionRequested(1_763_700_006_000L, 5, PreemptionRequested.Kind.GUARANTEED, "6f1c2a9e-0005",
                        "cpu-0", List.of("6f1c2a9e-0006", "6f1c2a9e-0007"),
                        "pod team-a/a-0 preempts 2 pod(s) on node cpu-0: queue root.a is within its guarantee"),
                new PreemptionRequested(1_763_700_006_100L, 5, PreemptionRequested.Kind.QUOTA, "", "",
                        List.of("6f1c2a9e-0008"), "queue root.b is above its max {cpu: 4}"),
                // Added with the console: an operator's write, for the audit.
                new AdminAction(1_763_700_007_000L, "alice", "admin", AdminAction.CONFIG_APPLY, "1201",
                        "replaced version 1200"));
    }
}
