package io.fairway.ui.yunikorn;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.fairway.core.resources.ResourceCounter;
import io.fairway.core.resources.Resources;
import io.fairway.core.state.ClusterState;
import io.fairway.core.state.NodeState;
import java.util.ArrayList;
import java.util.List;

/**
 * YuniKorn's scheduler health check ({@code dao.SchedulerHealthDAOInfo}), made of the checks of YuniKorn's that
 * Fairway's state can answer: negative resources in the partition and on nodes, nodes allocated beyond their
 * allocatable, and the partition's capacity against the sum of its nodes. YuniKorn's checks of its own metrics
 * (scheduling errors, failed nodes) and of node reservations have no counterpart and are left out.
 */
record HealthInfo(@JsonProperty("Healthy") boolean healthy,
                  @JsonProperty("HealthChecks") List<Check> healthChecks) {

    record Check(@JsonProperty("Name") String name,
                 @JsonProperty("Succeeded") boolean succeeded,
                 @JsonProperty("Description") String description,
                 @JsonProperty("DiagnosisMessage") String diagnosisMessage) {
    }

    static HealthInfo of(ClusterState s) {
        String partition = s.config().defaultPartition().name();
        List<String> negativePartitions = new ArrayList<>();
        if (negative(s.queues().root().allocated().snapshot()) || negative(s.capacity().snapshot())) {
            negativePartitions.add(partition);
        }
        List<String> negativeNodes = new ArrayList<>();
        List<String> overAllocated = new ArrayList<>();
        ResourceCounter sum = new ResourceCounter();
        for (NodeState n : s.nodes().values()) {
            Resources allocated = n.allocated().snapshot();
            if (negative(allocated)) {
                negativeNodes.add(n.name());
            }
            if (negative(n.node().allocatable().minus(allocated))) {
                overAllocated.add(n.name());
            }
            if (n.isSchedulable()) {
                sum.add(n.node().allocatable());
            }
        }
        List<String> inconsistent = sum.snapshot().equals(s.capacity().snapshot()) ? List.of() : List.of(partition);
        List<Check> checks = List.of(
                check("Negative resources", "Check for negative resources in the partitions",
                        "Partitions with negative resources: ", negativePartitions),
                check("Negative resources", "Check for negative resources in the nodes",
                        "Nodes with negative resources: ", negativeNodes),
                check("Consistency of data", "Check if a node's allocated resource <= total resource of the node",
                        "Nodes with inconsistent data: ", overAllocated),
                check("Consistency of data",
                        "Check if total partition resource == sum of the node resources from the partition",
                        "Partitions with inconsistent data: ", inconsistent));
        return new HealthInfo(checks.stream().allMatch(Check::succeeded), checks);
    }

    private static Check check(String name, String description, String diagnosis, List<String> failing) {
        // Go prints a slice as [a b]; YuniKorn's messages do.
        return new Check(name, failing.isEmpty(), description, diagnosis + "[" + String.join(" ", failing) + "]");
    }

    private static boolean negative(Resources r) {
        for (int i = 0; i < r.size(); i++) {
            if (r.valueAt(i) < 0) {
                return true;
            }
        }
        return false;
    }
}
