package io.fairway.ui;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fairway.log.EventCodec;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * {@code /api/v1/stream}: server-sent events that move the console's pages without polling. {@code summary} at most
 * once a second and only when something changed (else a comment every 15 s keeps proxies from closing it);
 * {@code log} for each event applied since the stream opened, at most {@link #LOG_PER_TICK} per quarter second
 * (a burst beyond that is skipped and said so, with a {@code gap} event: the page can fetch it from the log).
 */
final class LiveStream {
    static final int LOG_PER_TICK = 50;
    private static final long TICK_MILLIS = 250;
    private static final long SUMMARY_MILLIS = 1000;
    private static final long KEEPALIVE_MILLIS = 15_000;
    private static final ObjectMapper MAPPER = EventCodec.mapper();

    private final HttpServerResponse response;
    /** The summary as {@code /api/v1/summary} answers it; may throw {@link ApiException} when the read raced. */
    private final Supplier<Summary> summary;
    /** Its source may change (the sandbox's console follows the leader); offsets are the log's, the same in all. */
    private final Supplier<EventTail> tail;
    private long nextOffset;
    private Summary lastSummary;
    private long lastSummaryAt;
    private long lastWriteAt;

    /** Whether the caller may still read: tokens are reloaded, and a revoked one must not keep its stream. */
    private final BooleanSupplier allowed;
    private int ticks;

    private LiveStream(HttpServerResponse response, Supplier<Summary> summary, Supplier<EventTail> tail,
                       BooleanSupplier allowed) {
        this.response = response;
        this.allowed = allowed;
        this.summary = summary;
        this.tail = tail;
        EventTail t = tail.get();
        this.nextOffset = t == null ? -1 : t.next();
    }

    static void open(RoutingContext ctx, Vertx vertx, Supplier<Summary> summary, Supplier<EventTail> tail,
                     BooleanSupplier allowed) {
        HttpServerResponse response = ctx.response();
        response.setChunked(true)
                .putHeader("Content-Type", "text/event-stream; charset=utf-8")
                .putHeader("Cache-Control", "no-cache")
                .putHeader("X-Accel-Buffering", "no");
        LiveStream stream = new LiveStream(response, summary, tail, allowed);
        stream.write(": fairway live stream\nretry: 2000\n\n");
        stream.tick();
        long timer = vertx.setPeriodic(TICK_MILLIS, id -> stream.tick());
        response.closeHandler(v -> vertx.cancelTimer(timer));
        response.exceptionHandler(e -> vertx.cancelTimer(timer));
    }

    private void tick() {
        if (response.closed() || response.writeQueueFull()) {
            // a slow reader misses ticks rather than growing this server's memory
            return;
        }
        if (++ticks % 4 == 0 && !allowed.getAsBoolean()) {
            event("error", Map.of("error", "the token of this stream is no longer valid; reload with another"));
            response.end();
            return;
        }
        long now = System.currentTimeMillis();
        try {
            logEvents();
        } catch (RuntimeException e) {
            // the tail's source may be gone for a moment (a sandbox replica killed): the next tick tries again
        }
        if (now - lastSummaryAt >= SUMMARY_MILLIS) {
            try {
                Summary s = summary.get();
                if (!s.equals(lastSummary)) {
                    lastSummary = s;
                    lastSummaryAt = now;
                    event("summary", s);
                }
            } catch (RuntimeException e) {
                // the state raced its writer twice, or its source is gone for a moment: the next tick tries again
            }
        }
        if (now - lastWriteAt >= KEEPALIVE_MILLIS) {
            write(": keep-alive\n\n");
        }
    }

    private void logEvents() {
        EventTail tail = this.tail.get();
        if (tail == null) {
            return;
        }
        if (nextOffset < 0) {
            nextOffset = Math.max(0, tail.oldest());
        }
        long oldest = tail.oldest();
        if (oldest > nextOffset) {
            event("gap", Map.of("from", nextOffset, "to", oldest));
            nextOffset = oldest;
        }
        List<EventTail.Entry> entries = tail.from(nextOffset, LOG_PER_TICK, null);
        for (EventTail.Entry e : entries) {
            event("log", LogItem.of(e));
            nextOffset = e.logged().offset() + 1;
        }
    }

    private void event(String name, Object data) {
        try {
            write("event: " + name + "\ndata: " + MAPPER.writeValueAsString(data) + "\n\n");
        } catch (JsonProcessingException e) {
            write("event: error\ndata: {\"error\":\"could not write " + name + " as JSON\"}\n\n");
        }
    }

    private void write(String text) {
        response.write(text);
        lastWriteAt = System.currentTimeMillis();
    }
}
