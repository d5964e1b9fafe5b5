package io.fairway.log;

import io.fairway.core.events.Decision;
import io.fairway.core.events.Event;
import io.fairway.core.events.Observation;
import java.time.Duration;
import java.util.List;

/**
 * The port to the event log of one scheduling partition: observations appended by the watcher, decisions appended
 * atomically by the fenced leader, and readers that see committed records only, in order.
 */
public interface EventLog extends AutoCloseable {
    /** Appends observations, in order; returns the offset of the last one once the log has it. */
    long append(List<? extends Observation> observations);

    /**
     * Opens the decision stream for a leader. Opening it fences every earlier writer: their next
     * {@link DecisionWriter#append} fails with {@link FencedException}.
     */
    DecisionWriter openDecisionWriter(long leaderEpoch);

    /** A reader from {@code offset} (inclusive) on. */
    Reader reader(long offset);

    /** The offset the next record will get: the end of what is committed. */
    long endOffset();

    @Override
    void close();

    /** Writes decisions, and leadership events, of one leader epoch. */
    interface DecisionWriter extends AutoCloseable {
        /**
         * Appends the events atomically: all of them are committed, or none. Throws {@link FencedException} when a
         * newer writer has opened the stream; the caller must stop deciding.
         */
        void append(List<? extends Event> events);

        long epoch();

        @Override
        void close();
    }

    /** Reads committed events in log order. */
    interface Reader extends AutoCloseable {
        /** The next committed events, waiting up to {@code timeout} when there is none yet; may be empty. */
        List<LoggedEvent> poll(Duration timeout);

        /** The offset the next poll starts from. */
        long position();

        @Override
        void close();
    }

    /** Decisions are the only events a leader writes besides {@code LeaderElected}. */
    static boolean isLeaderEvent(Event e) {
        return e instanceof Decision || e instanceof io.fairway.core.events.LeaderElected;
    }
}
