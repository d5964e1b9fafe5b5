package io.fairway.core.events;

/** A pod was deleted. */
public record PodGone(long time, String uid, String resourceVersion) implements Observation {
}
