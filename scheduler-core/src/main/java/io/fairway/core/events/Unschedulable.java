package io.fairway.core.events;

/**
 * A pending pod could not be placed. Written once per distinct reason, not once per cycle: {@code reasonKey}
 * identifies the reason without its numbers, {@code message} says it for people, with the numbers.
 */
public record Unschedulable(long time, long epoch, String podUid, String reasonKey, String message) implements Decision {
}
