package io.fairway.ui;

import io.fairway.core.state.ApplyResult;
import io.fairway.core.state.ClusterState;
import io.fairway.log.LoggedEvent;
import io.fairway.log.StatePublisher;
import java.time.Duration;

/**
 * What a console reads of one replica: the newest events it applied ({@link #tail}) and the lists of its state
 * ({@link #readView}), copied at most every {@link #READ_VIEW_EVERY}. The console subscribes it to the replica (as a
 * publisher given when the replica starts, so that the tail has the events of recovery too); the replica's thread
 * tells it of every event applied and of the settled state between two turns, and the HTTP threads read it.
 */
public final class ConsoleFeed implements StatePublisher {
    /** Events the console's tail keeps in memory; older ones are read from the log. */
    public static final int TAIL_EVENTS = 2_000;
    /** How stale the console's lists may be; they are copied on the replica's thread at most this often. */
    public static final Duration READ_VIEW_EVERY = Duration.ofMillis(500);

    private final EventTail tail = new EventTail(TAIL_EVENTS);
    private final ReadViewPublisher readView = new ReadViewPublisher(READ_VIEW_EVERY);

    @Override
    public void applied(LoggedEvent event, ApplyResult result) {
        tail.applied(event, result);
    }

    @Override
    public void settled(ClusterState state, long nextOffset) {
        readView.settled(state, nextOffset);
    }

    /** The newest events the replica applied, for the console's log tail and live stream. */
    public EventTail tail() {
        return tail;
    }

    /** The console's lists (summary, queues, apps, nodes), copied by the replica's thread. */
    public ReadViewPublisher readView() {
        return readView;
    }
}
