package io.fairway.core.events;

/**
 * The queue config (YuniKorn {@code queues.yaml}) was set or changed. Carried as text so that every replica parses
 * and validates the same bytes; an invalid config is recorded and ignored, the previous one stays active.
 */
public record QueueConfigObserved(long time, String yaml, String resourceVersion) implements Observation {
}
