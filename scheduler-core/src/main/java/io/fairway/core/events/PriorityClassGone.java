package io.fairway.core.events;

public record PriorityClassGone(long time, String name, String resourceVersion) implements Observation {
}
