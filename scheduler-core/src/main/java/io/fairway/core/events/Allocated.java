package io.fairway.core.events;

/** The leader placed a pending pod on a node, charged to a leaf queue. The binder carries it out after commit. */
public record Allocated(long time, long epoch, String podUid, String nodeName, String queue) implements Decision {
}
