package io.fairway.ui;

import io.fairway.core.state.ClusterState;
import java.util.ConcurrentModificationException;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Reads the replica's live state from the HTTP thread. The state is changed by the replica's apply thread without
 * locks, so a view copies what it needs into records in one short pass; a pass that ran into a change is tried once
 * more (as the sandbox demo's summary does), and a second clash answers 503 rather than a torn view.
 */
public final class StateReader {
    private final Supplier<ClusterState> state;

    public StateReader(Supplier<ClusterState> state) {
        this.state = state;
    }

    public <T> T read(Function<ClusterState, T> view) {
        try {
            return view.apply(state.get());
        } catch (ConcurrentModificationException first) {
            try {
                return view.apply(state.get());
            } catch (ConcurrentModificationException second) {
                throw new ApiException(503, "the state changed twice while it was read; try again");
            }
        }
    }
}
