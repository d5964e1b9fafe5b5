package io.fairway.core.events;

/**
 * A choice made by the leader of {@link #epoch()}; apply drops decisions from an epoch older than the newest leader.
 * Most are about one pod; the gang decisions are about an app.
 */
public sealed interface Decision extends Event permits Allocated, Released, Unschedulable, GangReserved, GangReleased,
        PreemptionRequested {
    long epoch();

    @Override
    default Source source() {
        return Source.LEADER;
    }
}
