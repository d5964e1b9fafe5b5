package io.fairway.log;

import io.fairway.core.events.Event;
import io.fairway.core.events.Observation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The event log in memory, for core tests and tools: the same contract as the Kafka log (ordered offsets from 0,
 * atomic decision batches, a newer writer fences older ones), with every record still passing through the codec
 * so that what works here also survives the real log.
 */
public final class InMemoryEventLog implements EventLog {
    private static final int MAX_POLL = 5_000;

    /** By offset; the records before {@link #start} are null (deleted). */
    private final List<byte[]> records = new ArrayList<>();
    private long start;
    private long writerEpoch = -1;
    private long writerGeneration;

    @Override
    public synchronized long append(List<? extends Observation> observations) {
        for (Observation o : observations) {
            records.add(EventCodec.encode(o));
        }
        notifyAll();
        return records.size() - 1L;
    }

    @Override
    public synchronized DecisionWriter openDecisionWriter(long leaderEpoch) {
        writerEpoch = leaderEpoch;
        long generation = ++writerGeneration;
        return new DecisionWriter() {
            @Override
            public void append(List<? extends Event> events) {
                synchronized (InMemoryEventLog.this) {
                    if (generation != writerGeneration) {
                        throw new FencedException("decision writer of epoch " + leaderEpoch
                                + " was fenced by a newer writer (epoch " + writerEpoch + ")", null);
                    }
                    events.forEach(e -> EventLog.checkLeaderEvent(e, leaderEpoch));
                    for (Event e : events) {
                        records.add(EventCodec.encode(e));
                    }
                    InMemoryEventLog.this.notifyAll();
                }
            }

            @Override
            public long epoch() {
                return leaderEpoch;
            }

            @Override
            public void close() {
            }
        };
    }

    @Override
    public Reader reader(long offset) {
        return new Reader() {
            private long position = offset;

            @Override
            public List<LoggedEvent> poll(Duration timeout) {
                synchronized (InMemoryEventLog.this) {
                    if (position < start) {
                        throw new LogTruncatedException("memory", position, start);
                    }
                    long deadline = System.nanoTime() + timeout.toNanos();
                    while (position >= records.size()) {
                        long left = deadline - System.nanoTime();
                        if (left <= 0) {
                            return List.of();
                        }
                        try {
                            InMemoryEventLog.this.wait(Math.max(1, left / 1_000_000));
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            return List.of();
                        }
                    }
                    List<LoggedEvent> out = new ArrayList<>();
                    // Bounded, as a Kafka poll is: a replay should not hold a whole log decoded at once.
                    long stop = Math.min(records.size(), position + MAX_POLL);
                    while (position < stop) {
                        out.add(new LoggedEvent(position, EventCodec.decode(records.get((int) position), "memory", 0, position)));
                        position++;
                    }
                    return out;
                }
            }

            @Override
            public long position() {
                return position;
            }

            @Override
            public void close() {
            }
        };
    }

    @Override
    public synchronized long endOffset() {
        return records.size();
    }

    @Override
    public synchronized long startOffset() {
        return start;
    }

    /** Deletes the records before {@code offset}, as Kafka's retention (or {@code deleteRecords}) does. */
    public synchronized void deleteBefore(long offset) {
        if (offset < start || offset > records.size()) {
            throw new IllegalArgumentException("cannot move the start of the log from " + start + " to " + offset
                    + " (its end is " + records.size() + ")");
        }
        for (long o = start; o < offset; o++) {
            records.set((int) o, null);
        }
        start = offset;
    }

    @Override
    public void close() {
    }
}
