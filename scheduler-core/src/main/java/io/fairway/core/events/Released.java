package io.fairway.core.events;

/** The leader gave back an allocation that was not carried out (bind failed, preempted before binding…). */
public record Released(long time, long epoch, String podUid, String reason) implements Decision {
}
