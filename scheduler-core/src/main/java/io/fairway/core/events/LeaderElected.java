package io.fairway.core.events;

/** A replica became leader with a new, higher epoch; decisions of older epochs are void from here on. */
public record LeaderElected(long time, long epoch, String replica) implements Event {
    @Override
    public Source source() {
        return Source.LEADER;
    }
}
