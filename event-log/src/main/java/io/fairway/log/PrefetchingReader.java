package io.fairway.log;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A reader that fetches and decodes the next batches on its own thread while the caller applies the current one.
 *
 * <p>Replay is a pipeline of two halves of about equal cost: fetching and decoding records, and applying and
 * persisting events. On one thread they take turns; here they overlap. The wrapped reader is used by the fetch thread
 * only, from the first poll to the close. Batches come out in order, each with the position the wrapped reader had
 * after it, so {@link #position()} is exactly that of a plain reader that had returned the same batches. An error of
 * the wrapped reader (a record that does not decode, an offset deleted by retention) reaches the caller at the poll
 * where its batch would have been, after every batch before it.
 */
public final class PrefetchingReader implements EventLog.Reader {
    /** What the fetch thread hands over: events and the position after them, or the error that stopped it. */
    private record Fetched(List<LoggedEvent> events, long positionAfter, boolean answered, RuntimeException error) {
    }

    private static final Duration FETCH_POLL = Duration.ofMillis(200);

    private final EventLog.Reader reader;
    private final BlockingQueue<Fetched> queue;
    private final Thread thread;
    private volatile boolean closed;
    private long position;
    private boolean answered;
    private RuntimeException failure;

    /** @param depth batches fetched ahead at most; memory is about {@code depth} polls' worth of events */
    public PrefetchingReader(EventLog.Reader reader, int depth, String name) {
        if (depth < 1) {
            throw new IllegalArgumentException("depth must be at least 1, not " + depth);
        }
        this.reader = reader;
        this.position = reader.position();
        this.queue = new ArrayBlockingQueue<>(depth);
        this.thread = Thread.ofPlatform().daemon().name("fairway-prefetch-" + name).unstarted(this::fetch);
        thread.start();
    }

    private void fetch() {
        try {
            while (!closed) {
                List<LoggedEvent> events = reader.poll(FETCH_POLL);
                Fetched f = new Fetched(events, reader.position(), reader.answered(), null);
                // Empty polls are handed over too: the caller's idle detection needs to see the position move over
                // transaction markers, and to see it not move at the end.
                while (!closed && !queue.offer(f, 100, TimeUnit.MILLISECONDS)) {
                    // full: the caller is slower, wait for it (or for close)
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            try {
                while (!closed && !queue.offer(new Fetched(List.of(), -1, false, e), 100, TimeUnit.MILLISECONDS)) {
                    // wait for room to report the error
                }
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
        } finally {
            reader.close();
        }
    }

    @Override
    public List<LoggedEvent> poll(Duration timeout) {
        if (closed) {
            throw new IllegalStateException("this prefetching reader is closed");
        }
        if (failure != null) {
            throw failure;
        }
        Fetched f;
        try {
            f = queue.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
        if (f == null) {
            // Nothing from the fetch thread in time (a busy machine, a long pause): the log did not answer this poll,
            // which must not pass for an empty answer, or a replay would take two of them for the log's end.
            answered = false;
            return List.of();
        }
        if (f.error() != null) {
            failure = f.error();
            throw failure;
        }
        position = f.positionAfter();
        answered = f.answered();
        return f.events();
    }

    @Override
    public long position() {
        return position;
    }

    /**
     * As the wrapped reader said after the batch last handed over; false after a poll that got nothing from the fetch
     * thread in time.
     */
    @Override
    public boolean answered() {
        return answered;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        queue.clear();
        try {
            // The fetch thread sees the flag within one fetch poll and closes the wrapped reader itself: a Kafka
            // consumer must not be closed from another thread while it polls.
            thread.join(Duration.ofSeconds(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
