package io.fairway.ui;

import io.fairway.log.EventCodec;
import io.fairway.log.EventLog;
import io.fairway.log.LoggedEvent;
import io.fairway.log.LogTruncatedException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * A page of the log: from the tail this replica keeps when it holds the offsets asked for, else read from the log.
 *
 * @param start the oldest offset the log still holds; {@code end} the offset the next event will get
 * @param next  where the page after this one starts
 */
public record LogPage(long start, long end, long from, long next, List<LogItem> events) {
    /** A log read gives up after this many events that do not match the type filter. */
    static final int MAX_SCAN = 20_000;

    record Query(Long from, int limit, String type) {
        static final int DEFAULT_LIMIT = 100;
        static final int MAX_LIMIT = 1000;

        static Query parse(String from, String limit, String type) {
            Long f = null;
            if (from != null) {
                try {
                    f = Long.parseLong(from);
                } catch (NumberFormatException e) {
                    throw ApiException.badRequest("from=" + from + " is not an offset; give a whole number >= 0");
                }
                if (f < 0) {
                    throw ApiException.badRequest("from=" + from + " is negative; give an offset >= 0");
                }
            }
            int l = DEFAULT_LIMIT;
            if (limit != null) {
                try {
                    l = Integer.parseInt(limit);
                } catch (NumberFormatException e) {
                    l = -1;
                }
                if (l < 1 || l > MAX_LIMIT) {
                    throw ApiException.badRequest("limit=" + limit + " is out of range; give 1 to " + MAX_LIMIT);
                }
            }
            if (type != null && !type.isEmpty() && !EventCodec.typeNames().contains(type)) {
                throw ApiException.badRequest("type=" + type + " is not an event type; one of "
                        + new TreeSet<>(EventCodec.typeNames()));
            }
            return new Query(f, l, type == null || type.isEmpty() ? null : type);
        }
    }

    /** May block: reads the log when the tail does not reach back far enough. */
    static LogPage read(Query q, EventTail tail, EventLog log) {
        long tailOldest = tail == null ? -1 : tail.oldest();
        long tailNext = tail == null ? -1 : tail.next();
        long start = log != null ? log.startOffset() : Math.max(0, tailOldest);
        long end = log != null ? log.endOffset() : Math.max(0, tailNext);
        if (tail != null && tailOldest >= 0 && (q.from() == null || q.from() >= tailOldest)) {
            List<EventTail.Entry> entries = q.from() == null ? tail.newest(q.limit(), q.type())
                    : tail.from(q.from(), q.limit(), q.type());
            long from = q.from() != null ? q.from() : entries.isEmpty() ? tailNext : entries.get(0).logged().offset();
            long next = entries.isEmpty() ? Math.max(from, tailNext) : entries.getLast().logged().offset() + 1;
            return new LogPage(start, end, from, next, entries.stream().map(LogItem::of).toList());
        }
        if (log == null) {
            return new LogPage(start, end, q.from() == null ? start : q.from(), start, List.of());
        }
        long from = q.from() != null ? Math.max(q.from(), start) : Math.max(start, end - q.limit());
        List<LogItem> items = new ArrayList<>();
        long next = from;
        int scanned = 0;
        try (EventLog.Reader r = log.reader(from)) {
            while (next < end && items.size() < q.limit() && scanned < MAX_SCAN) {
                List<LoggedEvent> batch = r.poll(Duration.ofMillis(500));
                if (batch.isEmpty()) {
                    break;
                }
                for (LoggedEvent e : batch) {
                    if (items.size() == q.limit()) {
                        break;
                    }
                    scanned++;
                    next = e.offset() + 1;
                    if (q.type() == null || e.event().type().equals(q.type())) {
                        items.add(LogItem.of(e.offset(), e.event(), ""));
                    }
                }
            }
        } catch (LogTruncatedException e) {
            throw new ApiException(410, "offset " + from + " is no longer in the log (retention); it starts at "
                    + log.startOffset());
        }
        return new LogPage(start, end, from, next, items);
    }
}
