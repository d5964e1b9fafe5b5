package io.fairway.core.events;

/** A node was deleted; the pods on it are lost with it. */
public record NodeGone(long time, String name, String resourceVersion) implements Observation {
}
