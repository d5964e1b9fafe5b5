package io.fairway.ui;

import io.fairway.core.state.ClusterState;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * Publishes a {@link ReadView} of a replica's state at most every {@code interval}; called by the thread that applies
 * the log, read by any. A copy that fails is logged and the previous view stays: the console must never stop the
 * replica.
 */
public final class ReadViewPublisher implements Supplier<ReadView> {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ReadViewPublisher.class);

    private final long intervalNanos;
    private volatile ReadView current;
    private long lastNanos;
    private long failures;

    public ReadViewPublisher(Duration interval) {
        this.intervalNanos = interval.toNanos();
    }

    /** On the applying thread: copies the state when the last copy is older than the interval. */
    public void publishIfDue(ClusterState state, long offset) {
        long now = System.nanoTime();
        if (current != null && now - lastNanos < intervalNanos) {
            return;
        }
        lastNanos = now;
        try {
            current = ReadView.of(state, offset, System.currentTimeMillis());
        } catch (RuntimeException e) {
            if (failures++ % 100 == 0) {
                LOG.warn("the console's view of the state could not be copied ({} times so far); it shows the "
                        + "previous one: {}", failures, e.toString(), e);
            }
        }
    }

    /** The newest view, or null before the first. */
    @Override
    public ReadView get() {
        return current;
    }
}
