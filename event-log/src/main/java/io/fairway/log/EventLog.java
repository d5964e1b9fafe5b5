package io.fairway.log;

import io.fairway.core.events.Decision;
import io.fairway.core.events.Event;
import io.fairway.core.events.LeaderElected;
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

    /**
     * Gets a leader's writes ready, the next {@link #openDecisionWriter} without opening it and {@link #append}:
     * whatever can be done ahead without fencing anyone (a standby calls it, so that taking the lead costs only the
     * fence itself). Optional; a log may do nothing.
     */
    default void prepareDecisionWriter() {
    }

    /** A reader from {@code offset} (inclusive) on. */
    Reader reader(long offset);

    /** The offset the next record will get: the end of what is committed. */
    long endOffset();

    /**
     * The offset of the oldest record the log still holds: 0 unless retention (or a deletion of records) removed the
     * ones before it. A reader from below it fails with {@link LogTruncatedException}.
     */
    long startOffset();

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

        /**
         * Whether the log has answered this reader since it was opened, so that an empty poll means there is nothing
         * more rather than that the first fetch is still on its way (a cold client on a busy machine).
         */
        default boolean answered() {
            return true;
        }

        @Override
        void close();
    }

    /**
     * Checks an event for a decision writer: only decisions and {@code LeaderElected} of the writer's own epoch.
     * Both implementations call it, so that a test against the in-memory log fails where Kafka would.
     */
    static void checkLeaderEvent(Event e, long writerEpoch) {
        long eventEpoch = switch (e) {
            case Decision d -> d.epoch();
            case LeaderElected l -> l.epoch();
            default -> throw new IllegalArgumentException("a decision writer writes decisions and LeaderElected, "
                    + "not " + e.type() + "; observations go through EventLog.append");
        };
        if (eventEpoch != writerEpoch) {
            throw new IllegalArgumentException(e.type() + " of leader epoch " + eventEpoch
                    + " given to the decision writer of epoch " + writerEpoch);
        }
    }
}
