package io.fairway.ui;

import io.fairway.core.events.Event;
import io.fairway.core.state.ApplyResult;
import io.fairway.log.LoggedEvent;
import io.fairway.log.StatePublisher;
import java.util.ArrayList;
import java.util.List;

/**
 * The newest events this replica applied, with their outcome, for the console's log tail and live stream. Filled by
 * the apply thread (one call per event, no copying: events are immutable), read by the HTTP threads.
 */
public final class EventTail implements StatePublisher {
    /** One applied event and what the state made of it. */
    public record Entry(LoggedEvent logged, boolean applied, String reason) {
    }

    private final Entry[] ring;
    /** Offset-ordered; {@code count} entries end at {@code head - 1}. */
    private int head;
    private int count;

    public EventTail(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("an event tail holds at least 1 event, not " + capacity);
        }
        ring = new Entry[capacity];
    }

    /** Called by the apply thread after each event. */
    @Override
    public synchronized void applied(LoggedEvent logged, ApplyResult result) {
        ring[head] = new Entry(logged, result.applied(), result.applied() ? "" : result.reason());
        head = (head + 1) % ring.length;
        count = Math.min(count + 1, ring.length);
    }

    /** The oldest offset held, or -1 when empty. */
    public synchronized long oldest() {
        return count == 0 ? -1 : at(0).logged().offset();
    }

    /** The offset after the newest held, or -1 when empty. */
    public synchronized long next() {
        return count == 0 ? -1 : at(count - 1).logged().offset() + 1;
    }

    /** Up to {@code limit} entries from {@code from} on (oldest first), of {@code type} when it is not null. */
    public synchronized List<Entry> from(long from, int limit, String type) {
        List<Entry> out = new ArrayList<>();
        for (int i = 0; i < count && out.size() < limit; i++) {
            Entry e = at(i);
            if (e.logged().offset() >= from && matches(e.logged().event(), type)) {
                out.add(e);
            }
        }
        return out;
    }

    /** The newest {@code limit} entries (of {@code type} when not null), oldest first. */
    public synchronized List<Entry> newest(int limit, String type) {
        List<Entry> out = new ArrayList<>();
        for (int i = count - 1; i >= 0 && out.size() < limit; i--) {
            Entry e = at(i);
            if (matches(e.logged().event(), type)) {
                out.add(e);
            }
        }
        return out.reversed();
    }

    private static boolean matches(Event e, String type) {
        return type == null || e.type().equals(type);
    }

    private Entry at(int i) {
        int start = (head - count + ring.length) % ring.length;
        return ring[(start + i) % ring.length];
    }
}
