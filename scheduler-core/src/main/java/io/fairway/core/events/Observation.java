package io.fairway.core.events;

/** A fact seen in the cluster (through the watcher, or the simulator standing in for it). */
public sealed interface Observation extends Event
        permits PodObserved, PodGone, NodeObserved, NodeGone, QueueConfigObserved, PriorityClassObserved,
        PriorityClassGone, AdminAction {
    @Override
    default Source source() {
        return Source.WATCHER;
    }
}
