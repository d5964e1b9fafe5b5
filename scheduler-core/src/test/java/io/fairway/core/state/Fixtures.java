package io.fairway.core.state;

import io.fairway.core.objects.Node;
import io.fairway.core.objects.NodeAffinity;
import io.fairway.core.objects.Pod;
import io.fairway.core.objects.PodPhase;
import io.fairway.core.resources.Resources;
import java.util.List;
import java.util.Map;

/** Small builders for core tests. */
public final class Fixtures {
    private Fixtures() {
    }

    public static Resources res(String cpu, String memory) {
        return Resources.parse(Map.of("cpu", cpu, "memory", memory));
    }

    public static Node node(String name, String cpu, String memory) {
        return new Node(name, res(cpu, memory), res(cpu, memory), Map.of(), List.of(), false, true, "1");
    }

    public static Pod pod(String uid, String app, String queue, String cpu, String memory) {
        return new Pod(uid, "default", uid, app, queue, "alice", List.of(), res(cpu, memory), 0, Map.of(),
                NodeAffinity.NONE, List.of(), ClusterState.DEFAULT_SCHEDULER_NAME, "", PodPhase.Pending, 0, "1");
    }
}
