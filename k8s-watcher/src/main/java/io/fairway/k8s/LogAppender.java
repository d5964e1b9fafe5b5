package io.fairway.k8s;

import io.fairway.core.events.Observation;
import io.fairway.log.EventLog;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Appends observations to the event log in batches, on a thread of its own, in the order they came.
 *
 * <p>Informer callbacks only queue (a Kafka round trip per pod change would cap the watcher at a few thousand changes
 * a second); the appender takes whatever is queued, up to {@code maxBatch}, and appends it at once. When the log
 * cannot be reached it keeps the batch and retries with backoff: nothing is dropped, and once the queue is full the
 * informers wait, which is the back-pressure a watcher should have.
 */
public final class LogAppender implements ObservationSink, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LogAppender.class);

    private final EventLog log;
    private final BlockingQueue<Observation> queue;
    private final int maxBatch;
    private final Thread thread;
    private final AtomicLong queued = new AtomicLong();
    private final AtomicLong appended = new AtomicLong();
    private volatile boolean closing;

    public LogAppender(EventLog log) {
        this(log, 65_536, 5_000);
    }

    public LogAppender(EventLog log, int capacity, int maxBatch) {
        this.log = log;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.maxBatch = maxBatch;
        this.thread = Thread.ofPlatform().daemon().name("fairway-log-appender").start(this::run);
    }

    @Override
    public void observed(Observation o) {
        if (closing) {
            throw new IllegalStateException("the log appender is closed; observation " + o.type() + " not taken");
        }
        try {
            queue.put(o);
            queued.incrementAndGet();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while queueing " + o.type(), e);
        }
    }

    private void run() {
        List<Observation> batch = new ArrayList<>(maxBatch);
        long backoffMs = 50;
        while (true) {
            try {
                if (batch.isEmpty()) {
                    Observation first = queue.poll(100, TimeUnit.MILLISECONDS);
                    if (first == null) {
                        if (closing) {
                            return;
                        }
                        continue;
                    }
                    batch.add(first);
                    queue.drainTo(batch, maxBatch - 1);
                }
                log.append(batch);
                appended.addAndGet(batch.size());
                batch.clear();
                backoffMs = 50;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                if (closing && queue.isEmpty() && Thread.currentThread().isInterrupted()) {
                    return;
                }
                LOG.warn("appending {} observations to the event log failed, retrying in {} ms: {}", batch.size(),
                        backoffMs, e.toString());
                try {
                    Thread.sleep(backoffMs);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
                backoffMs = Math.min(backoffMs * 2, 5_000);
            }
        }
    }

    /** Waits until everything queued before this call is in the log; false when {@code timeout} passed first. */
    public boolean flush(Duration timeout) {
        long target = queued.get();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (appended.get() < target) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    /** Observations appended so far. */
    public long appended() {
        return appended.get();
    }

    /** Appends what is queued (waiting up to 30 s for the log), then stops. */
    @Override
    public void close() {
        if (closing) {
            return;
        }
        closing = true;
        if (!flush(Duration.ofSeconds(30))) {
            LOG.error("closing the log appender with {} observations not appended: the log was not reachable",
                    queued.get() - appended.get());
        }
        thread.interrupt();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
