package io.fairway.ui;

import io.fairway.core.state.ClusterState;
import java.util.ConcurrentModificationException;
import java.util.NoSuchElementException;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Reads the replica's live state from the HTTP thread. The state is changed by the replica's apply thread without
 * locks, so a view copies what it needs into records in one short pass; a pass that ran into a change (see {@link #torn})
 * is tried once more (as the sandbox demo's summary does), and a second clash answers 503 rather than a torn view.
 */
public final class StateReader {
    private final Supplier<ClusterState> state;

    public StateReader(Supplier<ClusterState> state) {
        this.state = state;
    }

    /** What a walk of a collection that changed under it throws. */
    static boolean torn(RuntimeException e) {
        return e instanceof ConcurrentModificationException || e instanceof NullPointerException
                || e instanceof IndexOutOfBoundsException || e instanceof NoSuchElementException;
    }

    public <T> T read(Function<ClusterState, T> view) {
        try {
            return view.apply(state.get());
        } catch (RuntimeException first) {
            if (!torn(first)) {
                throw first;
            }
            // a collection changed under the walk shows as a ConcurrentModificationException, or as a null or an index
            // out of bounds halfway through a resize: all mean "read again"
            try {
                return view.apply(state.get());
            } catch (RuntimeException second) {
                if (!torn(second)) {
                    throw second;
                }
                // twice in a row is rare for a race: logged, so that a bug in a view does not hide behind 503s
                org.slf4j.LoggerFactory.getLogger(StateReader.class).warn("a console read failed twice: {}, then {}",
                        first.toString(), second.toString(), second);
                throw new ApiException(503, "the state changed twice while it was read; try again");
            }
        }
    }
}
