package io.fairway.core.events;

/** A choice made by the leader of {@link #epoch()}; apply drops decisions from an epoch older than the newest leader. */
public sealed interface Decision extends Event permits Allocated, Released, Unschedulable {
    long epoch();

    /** The pod the decision is about. */
    String podUid();

    @Override
    default Source source() {
        return Source.LEADER;
    }
}
