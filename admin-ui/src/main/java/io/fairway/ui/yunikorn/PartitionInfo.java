package io.fairway.ui.yunikorn;

import io.fairway.core.config.NodeSortPolicy;
import io.fairway.core.config.PartitionConfig;
import io.fairway.core.resources.Resources;
import io.fairway.core.state.AppState;
import io.fairway.core.state.ClusterState;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The partition as YuniKorn shows it ({@code dao.PartitionInfo}). {@code clusterId} is the scheduler's name (the
 * k8shim's cluster id names the scheduler instance too). Capacity is the allocatable of the schedulable nodes;
 * used capacity what Fairway's apps hold (the root queue's allocated), as YuniKorn counts only its own allocations.
 * {@code applications} counts apps by YuniKorn state, with {@code total}; {@code totalContainers} counts allocations
 * (placed pods and free gang slots).
 *
 * <p>Zero values: {@code lastStateTransitionTime} (Fairway keeps no partition state history). {@code state} is
 * always {@code Active}: Fairway's partition is never draining or stopped.
 */
record PartitionInfo(
        String clusterId,
        String name,
        String state,
        long lastStateTransitionTime,
        Capacity capacity,
        NodeSorting nodeSortingPolicy,
        Map<String, Integer> applications,
        int totalContainers,
        int totalNodes) {

    record Capacity(Map<String, Long> capacity, Map<String, Long> usedCapacity, Map<String, Long> utilization) {
    }

    record NodeSorting(String type, Map<String, Double> resourceWeights) {
    }

    static List<PartitionInfo> of(ClusterState s) {
        PartitionConfig p = s.config().defaultPartition();
        Resources capacity = s.capacity().snapshot();
        Resources used = s.queues().root().allocated().snapshot();
        // Go writes a map's keys sorted.
        Map<String, Integer> apps = new TreeMap<>();
        int containers = 0;
        for (AppState a : s.apps().values()) {
            apps.merge(AppStates.name(a.status()), 1, Integer::sum);
            containers += a.placedPods() + ApplicationInfo.freeSlots(a).size();
        }
        apps.put("total", s.apps().size());
        NodeSortPolicy sort = p.nodeSortPolicy() == null ? NodeSortPolicy.DEFAULT : p.nodeSortPolicy();
        Map<String, Double> weights = new TreeMap<>();
        sort.resourceWeights().forEach((name, w) -> weights.put(YuniKornResources.name(name), w));
        return List.of(new PartitionInfo(s.schedulerName(), p.name(), "Active", 0,
                new Capacity(YuniKornResources.of(capacity), YuniKornResources.of(used),
                        YuniKornResources.percent(capacity, used)),
                new NodeSorting(sort.type().name().toLowerCase(Locale.ROOT), weights), apps, containers,
                s.nodes().size()));
    }
}
