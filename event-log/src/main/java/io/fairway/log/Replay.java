package io.fairway.log;

import io.fairway.core.state.ApplyResult;
import io.fairway.core.state.ClusterState;
import java.time.Duration;
import java.util.List;
import java.util.function.LongConsumer;

/**
 * Rebuilds a {@link ClusterState} from the log: every committed event from an offset, applied in order, up to a
 * limit. The same code serves followers catching up, {@code fairway replay} and {@code fairway explain}.
 */
public final class Replay {
    /** Where a replay stops. */
    public sealed interface Until permits End, Offset, Time {
    }

    /** The end of what is committed when the replay starts. */
    public record End() implements Until {
    }

    /** Stops before the event at this offset. */
    public record Offset(long offset) implements Until {
    }

    /** Stops before the first event whose time is after this (epoch millis). */
    public record Time(long epochMillis) implements Until {
    }

    /**
     * @param nextOffset the offset the next event would be read from
     * @param events     events applied (ignored ones included)
     * @param ignored    events apply ignored, with a reason the state keeps
     */
    public record Result(long nextOffset, long events, long ignored, long lastEventTime, double seconds) {
        public double eventsPerSecond() {
            return seconds == 0 ? 0 : events / seconds;
        }
    }

    /** Called for every event applied, e.g. to build an index; may be null. */
    public interface Listener {
        void applied(LoggedEvent event, ApplyResult result);
    }

    /** Polls fetched ahead: enough to keep the decoding thread busy while a batch is applied, a few MB at most. */
    private static final int PREFETCH_DEPTH = 4;
    /**
     * How far below the end a reader may sit on transaction markers alone; idle polls further from the end are waited
     * out (up to {@link #SILENCE}). Markers are one offset per transaction, and a reader skips them as it reads
     * on, but for the last few.
     */
    private static final long TRAILING_MARKERS = 1000;
    /** How long a replay waits for a log that gives it nothing, not even an answer, before it fails. */
    private static final Duration SILENCE = Duration.ofSeconds(60);

    private Replay() {
    }

    public static Result run(EventLog log, ClusterState state, long fromOffset, Until until, Listener listener,
                             LongConsumer progress) {
        long start = System.nanoTime();
        long end = switch (until) {
            case Offset o -> Math.min(o.offset(), log.endOffset());
            default -> log.endOffset();
        };
        long events = 0;
        long ignored = 0;
        long lastTime = 0;
        long next = fromOffset;
        try (EventLog.Reader reader = new PrefetchingReader(log.reader(fromOffset), PREFETCH_DEPTH, "replay")) {
            int idle = 0;
            long lastProgress = System.nanoTime();
            outer:
            while (reader.position() < end) {
                long before = reader.position();
                List<LoggedEvent> batch = reader.poll(Duration.ofMillis(500));
                // Transaction markers take offsets but carry no event: a reader can sit just below the end with
                // nothing more to give. Two idle polls in a row at the same position, once the log has answered the
                // reader, mean there is nothing left; before it answered, they mean a slow first fetch. Only near
                // the end: far from it, an empty poll is a slow broker (a loaded machine), not the end.
                boolean still = batch.isEmpty() && reader.position() == before;
                boolean nearEnd = end - reader.position() <= TRAILING_MARKERS;
                idle = still && nearEnd && reader.answered() ? idle + 1 : 0;
                if (idle >= 2) {
                    break;
                }
                if (!still) {
                    lastProgress = System.nanoTime();
                } else if (System.nanoTime() - lastProgress > SILENCE.toNanos()) {
                    throw new IllegalStateException("the log has not answered the replay for " + SILENCE.toSeconds()
                            + " s, at offset " + reader.position() + " of " + end + ": is it reachable?");
                }
                for (LoggedEvent e : batch) {
                    if (e.offset() >= end || (until instanceof Time t && e.event().time() > t.epochMillis())) {
                        break outer;
                    }
                    ApplyResult r = state.apply(e.event());
                    events++;
                    if (!r.applied()) {
                        ignored++;
                    }
                    lastTime = e.event().time();
                    next = e.offset() + 1;
                    if (listener != null) {
                        listener.applied(e, r);
                    }
                }
                if (progress != null) {
                    progress.accept(reader.position());
                }
            }
        }
        return new Result(next, events, ignored, lastTime, (System.nanoTime() - start) / 1e9);
    }
}
