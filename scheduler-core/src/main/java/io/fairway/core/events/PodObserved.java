package io.fairway.core.events;

import io.fairway.core.objects.Pod;

/** A pod was added or changed (its resourceVersion orders the observations). */
public record PodObserved(long time, Pod pod) implements Observation {
}
