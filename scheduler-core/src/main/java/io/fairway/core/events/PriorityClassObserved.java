package io.fairway.core.events;

/** A PriorityClass was added or changed. */
public record PriorityClassObserved(long time, String name, int value, boolean globalDefault, String resourceVersion)
        implements Observation {
}
