package io.fairway.ha;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * The parts opened so far, closed in reverse order: what a start-up that fails half way leaves open, and what a
 * stop closes. One part that fails to close does not keep the others open; the first failure is thrown at the end,
 * later ones suppressed in it.
 */
final class Closer implements AutoCloseable {
    private final Deque<AutoCloseable> open = new ArrayDeque<>();
    private final List<AutoCloseable> closed = new ArrayList<>();

    /** Takes {@code part} to close, before the parts opened earlier; returns it. */
    synchronized <T extends AutoCloseable> T add(T part) {
        open.push(part);
        return part;
    }

    /** The parts still open, the newest first. */
    synchronized List<AutoCloseable> open() {
        return List.copyOf(open);
    }

    /** The parts closed so far, in the order they were closed. */
    synchronized List<AutoCloseable> closed() {
        return List.copyOf(closed);
    }

    /** Closes every part still open, the newest first, and adds what fails to {@code failure} as suppressed. */
    void closeAfter(Throwable failure) {
        try {
            close();
        } catch (RuntimeException e) {
            failure.addSuppressed(e);
        }
    }

    @Override
    public void close() {
        RuntimeException first = null;
        for (AutoCloseable part; (part = next()) != null; ) {
            try {
                part.close();
            } catch (Exception e) {
                RuntimeException r = e instanceof RuntimeException re ? re
                        : new IllegalStateException("cannot close " + part + ": " + e.getMessage(), e);
                if (first == null) {
                    first = r;
                } else {
                    first.addSuppressed(r);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    private synchronized AutoCloseable next() {
        AutoCloseable part = open.poll();
        if (part != null) {
            closed.add(part);
        }
        return part;
    }
}
