package io.fairway.k8s;

import io.fairway.core.events.Observation;

/** Where the watcher's observations go: the event log (through a {@link LogAppender}), or a test's list. */
@FunctionalInterface
public interface ObservationSink {
    /** Takes one observation, in the order the watcher saw the changes; may block when the sink is full. */
    void observed(Observation o);
}
