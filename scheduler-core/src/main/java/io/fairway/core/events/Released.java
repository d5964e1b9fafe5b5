package io.fairway.core.events;

/**
 * The leader gave back an allocation that was not carried out (bind failed, preempted before binding…). It names the
 * node so that a late duplicate cannot release a newer allocation of the same pod elsewhere.
 */
public record Released(long time, long epoch, String podUid, String nodeName, String reason) implements Decision {
}
