package io.fairway.core.config;

import java.util.List;
import java.util.Optional;

/** A validated YuniKorn {@code queues.yaml}: one or more scheduling partitions. */
public record SchedulerConfig(List<PartitionConfig> partitions) {
    public SchedulerConfig {
        partitions = List.copyOf(partitions);
    }

    public Optional<PartitionConfig> partition(String name) {
        return partitions.stream().filter(p -> p.name().equals(name)).findFirst();
    }

    /** The partition named {@code default}, else the first one. */
    public PartitionConfig defaultPartition() {
        return partition("default").orElse(partitions.getFirst());
    }
}
