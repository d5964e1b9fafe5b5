package io.fairway.ha;

import io.fairway.core.events.Observation;
import io.fairway.k8s.ObservationSink;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Only the leader appends observations; a standby's informers keep their caches warm and what they see is dropped
 * here. A new leader opens the gate and then appends what its caches hold that the state lacks
 * ({@link Reconciliation}), so nothing seen while nobody led is lost.
 */
final class ObservationGate implements ObservationSink {
    private final ObservationSink next;
    private final AtomicLong dropped = new AtomicLong();
    private volatile boolean open;

    ObservationGate(ObservationSink next) {
        this.next = next;
    }

    @Override
    public void observed(Observation o) {
        if (open) {
            next.observed(o);
        } else {
            dropped.incrementAndGet();
        }
    }

    void open() {
        open = true;
    }

    void close() {
        open = false;
    }

    boolean isOpen() {
        return open;
    }

    /** Observations dropped while closed (they are in the informer caches). */
    long dropped() {
        return dropped.get();
    }
}
