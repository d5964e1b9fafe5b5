package io.fairway.core.config;

import java.util.List;

/**
 * One scheduling partition. {@code root} is always the queue named {@code root}: a config whose partition lists
 * other top-level queues gets them wrapped under a root, as YuniKorn does.
 */
public record PartitionConfig(
        String name,
        QueueConfig root,
        List<PlacementRule> placementRules,
        List<Limit> limits,
        PreemptionConfig preemption,
        NodeSortPolicy nodeSortPolicy) {
    public PartitionConfig {
        placementRules = List.copyOf(placementRules);
        limits = List.copyOf(limits);
    }
}
