package io.fairway.ui;

import io.fairway.core.state.ClusterState;
import io.fairway.log.StatePublisher;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes a {@link ReadView} of a replica's state at most every {@code interval}; called by the thread that applies
 * the log, read by any. A copy that fails is logged and the previous view stays: the console must never stop the
 * replica.
 */
public final class ReadViewPublisher implements Supplier<ReadView>, StatePublisher {
    private static final Logger LOG = LoggerFactory.getLogger(ReadViewPublisher.class);

    private final long intervalNanos;
    private volatile ReadView current;
    private long lastNanos;
    private long failures;
    private volatile FinishedApps finished = new FinishedApps(FinishedApps.DEFAULT_RETENTION);

    public ReadViewPublisher(Duration interval) {
        this.intervalNanos = interval.toNanos();
    }

    /** As {@link #publishIfDue}: a replica's follower calls it between two turns of the replica's thread. */
    @Override
    public void settled(ClusterState state, long nextOffset) {
        publishIfDue(state, nextOffset);
    }

    /** On the applying thread: copies the state when the last copy is older than the interval. */
    public void publishIfDue(ClusterState state, long offset) {
        long now = System.nanoTime();
        if (current != null && now - lastNanos < intervalNanos) {
            return;
        }
        lastNanos = now;
        try {
            long millis = System.currentTimeMillis();
            ReadView view = ReadView.of(state, offset, millis);
            Map<String, AppDetail> kept = new HashMap<>();
            finished.update(state, view.apps(), millis).forEach((id, k) -> kept.put(id, k.detail()));
            current = view.withFinished(kept);
        } catch (RuntimeException e) {
            if (failures++ % 100 == 0) {
                LOG.warn("the console's view of the state could not be copied ({} times so far); it shows the "
                        + "previous one: {}", failures, e.toString(), e);
            }
        }
    }

    /**
     * How long an app stays listed after the state dropped it ({@code console.finishedAppRetention}); zero keeps
     * none. Set before the replica applies the log.
     */
    public void retainFinishedApps(Duration retention) {
        if (retention.isNegative()) {
            throw new IllegalArgumentException("console.finishedAppRetention must not be negative: " + retention);
        }
        finished = new FinishedApps(retention);
    }

    /** The newest view, or null before the first. */
    @Override
    public ReadView get() {
        return current;
    }
}
