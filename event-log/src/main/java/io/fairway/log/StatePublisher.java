package io.fairway.log;

import io.fairway.core.state.ApplyResult;
import io.fairway.core.state.ClusterState;

/**
 * A subscriber to a replica's state: told what each logged event did, and given the whole state when it is settled
 * (KRaft's publishers receive a delta and the image in the same way). Every method is called on the thread that owns
 * the state, so an implementation copies what other threads need; each has a default that does nothing, so a
 * publisher implements only what it needs. A publisher must not throw: the state's thread does not stop for it.
 */
public interface StatePublisher {
    /** After each event is applied (ignored ones too): the logged event and what applying it did. */
    default void applied(LoggedEvent event, ApplyResult result) {
    }

    /**
     * Between two turns of the thread that owns the state, never in the middle of a change: the state at
     * {@code nextOffset}, for publishers that copy it (a view, gauges) at their own pace.
     */
    default void settled(ClusterState state, long nextOffset) {
    }

    /** A publisher of applied events only. */
    static StatePublisher onApplied(Replay.Listener listener) {
        return new StatePublisher() {
            @Override
            public void applied(LoggedEvent event, ApplyResult result) {
                listener.applied(event, result);
            }
        };
    }
}
