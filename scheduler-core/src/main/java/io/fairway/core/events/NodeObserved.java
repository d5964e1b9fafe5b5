package io.fairway.core.events;

import io.fairway.core.objects.Node;

/** A node was added or changed. */
public record NodeObserved(long time, Node node) implements Observation {
}
