package io.fairway.sandbox.apiserver;

import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.ServerWebSocket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * One open watch. The store offers it every change of its resource while holding the write lock, so events are
 * queued in resourceVersion order; the watcher turns what matches its namespace and selectors into ADDED /
 * MODIFIED / DELETED (an object that stops matching is DELETED, one that starts matching ADDED) and flushes its
 * queue on its connection's event loop in one write per batch. A watcher whose client falls more than
 * {@code maxBacklog} events behind is closed, as kube-apiserver closes unresponsive watchers; the client
 * resumes from the last resourceVersion it saw.
 */
final class Watcher {
    sealed interface Item permits Event, Bookmark, Failure, End {}

    record Event(Change.Type type, Stored object) implements Item {}

    record Bookmark(long rv, boolean initialEventsEnd) implements Item {}

    record Failure(byte[] status) implements Item {}

    record End() implements Item {}

    private static final End END = new End();
    private static final byte[] ADDED = "{\"type\":\"ADDED\",\"object\":".getBytes(StandardCharsets.UTF_8);
    private static final byte[] MODIFIED = "{\"type\":\"MODIFIED\",\"object\":".getBytes(StandardCharsets.UTF_8);
    private static final byte[] DELETED = "{\"type\":\"DELETED\",\"object\":".getBytes(StandardCharsets.UTF_8);
    private static final byte[] BOOKMARK = "{\"type\":\"BOOKMARK\",\"object\":".getBytes(StandardCharsets.UTF_8);
    private static final byte[] ERROR = "{\"type\":\"ERROR\",\"object\":".getBytes(StandardCharsets.UTF_8);
    private static final byte[] CLOSE = "}\n".getBytes(StandardCharsets.UTF_8);

    /** Where the events go: a chunked HTTP response or a WebSocket (one event per message). */
    interface Sink {
        void write(Buffer lines, int count);

        boolean writeQueueFull();

        void onDrain(Runnable r);

        void end();

        /** The connection is closed (by either side): nothing can be written any more. */
        boolean isClosed();
    }

    final ResourceType view;
    final String namespace;
    private final Predicate<Stored> filter;
    final boolean bookmarks;
    private final Function<Stored, byte[]> render;
    private final Context context;
    private final Sink sink;
    private final int maxBacklog;
    private final ConcurrentLinkedQueue<Item> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger backlog = new AtomicInteger();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile Runnable onClose = () -> {};
    private long lastFlush;
    private static final long COALESCE_NANOS = 1_000_000;
    private static final int COALESCE_MAX_EVENTS = 256;

    Watcher(ResourceType view, String namespace, Predicate<Stored> filter, boolean bookmarks,
            Function<Stored, byte[]> render, Context context, Sink sink, int maxBacklog) {
        this.view = view;
        this.namespace = namespace;
        this.filter = filter;
        this.bookmarks = bookmarks;
        this.render = render;
        this.context = context;
        this.sink = sink;
        this.maxBacklog = maxBacklog;
    }

    void onClose(Runnable r) {
        this.onClose = r;
    }

    boolean matches(Stored s) {
        return (namespace == null || namespace.equals(s.namespace)) && (filter == null || filter.test(s));
    }

    /** Called under the store's write lock, in resourceVersion order. */
    void offer(Change c) {
        switch (c.type()) {
            case ADDED -> {
                if (matches(c.cur())) {
                    enqueue(new Event(Change.Type.ADDED, c.cur()));
                }
            }
            case MODIFIED -> {
                boolean was = matches(c.prev());
                boolean is = matches(c.cur());
                if (was && is) {
                    enqueue(new Event(Change.Type.MODIFIED, c.cur()));
                } else if (was) {
                    enqueue(new Event(Change.Type.DELETED, c.cur()));
                } else if (is) {
                    enqueue(new Event(Change.Type.ADDED, c.cur()));
                }
            }
            case DELETED -> {
                if (matches(c.prev())) {
                    enqueue(new Event(Change.Type.DELETED, c.cur()));
                }
            }
        }
    }

    void enqueue(Item item) {
        if (closed.get()) {
            return;
        }
        queue.add(item);
        if (backlog.incrementAndGet() > maxBacklog) {
            // too far behind: end the watch; the client re-watches from the last resourceVersion it received
            close();
            return;
        }
        schedule();
    }

    /** Sends an ERROR event with this Status, then ends the watch. */
    void fail(byte[] status) {
        enqueue(new Failure(status));
        enqueue(END);
    }

    void end() {
        enqueue(END);
    }

    boolean isClosed() {
        return closed.get();
    }

    private void schedule() {
        if (scheduled.compareAndSet(false, true)) {
            context.runOnContext(v -> flushSoon());
        }
    }

    /**
     * Coalesces writes: right after a flush, a small backlog waits up to a millisecond so that one write (one
     * system call) carries many events when changes stream in; a lone change still goes out at once.
     */
    private void flushSoon() {
        if (backlog.get() < COALESCE_MAX_EVENTS && System.nanoTime() - lastFlush < COALESCE_NANOS) {
            context.owner().setTimer(1, id -> flush());
        } else {
            flush();
        }
    }

    private void flush() {
        lastFlush = System.nanoTime();
        scheduled.set(false);
        if (closed.get()) {
            return;
        }
        try {
            write();
        } catch (IllegalStateException e) {
            if (!sink.isClosed()) {
                throw e;
            }
            // the client closed the connection before its close handler ran (a WebSocket then answers "WebSocket is
            // closed"): the watch is over, as it would be a moment later
            close();
        }
    }

    private void write() {
        if (sink.writeQueueFull()) {
            scheduled.set(true);
            sink.onDrain(() -> {
                scheduled.set(false);
                flush();
            });
            return;
        }
        Buffer buf = Buffer.buffer(4096);
        int n = 0;
        boolean end = false;
        Item item;
        while (n < 4096 && (item = queue.poll()) != null) {
            n++;
            switch (item) {
                case Event e -> {
                    buf.appendBytes(switch (e.type()) {
                        case ADDED -> ADDED;
                        case MODIFIED -> MODIFIED;
                        case DELETED -> DELETED;
                    });
                    buf.appendBytes(render == null ? e.object().json : render.apply(e.object()));
                    buf.appendBytes(CLOSE);
                }
                case Bookmark b -> {
                    buf.appendBytes(BOOKMARK);
                    buf.appendString("{\"kind\":\"" + view.kind() + "\",\"apiVersion\":\"" + view.apiVersion()
                            + "\",\"metadata\":{\"resourceVersion\":\"" + b.rv() + "\""
                            + (b.initialEventsEnd() ? ",\"annotations\":{\"k8s.io/initial-events-end\":\"true\"}" : "") + "}}");
                    buf.appendBytes(CLOSE);
                }
                case Failure f -> {
                    buf.appendBytes(ERROR);
                    buf.appendBytes(f.status());
                    buf.appendBytes(CLOSE);
                }
                case End x -> end = true;
            }
            if (end) {
                break;
            }
        }
        backlog.addAndGet(-n);
        if (buf.length() > 0) {
            sink.write(buf, n);
        }
        if (end) {
            close();
        } else if (!queue.isEmpty()) {
            schedule();
        }
    }

    /** Ends the stream and unregisters; safe to call more than once and from any thread. */
    void close() {
        if (closed.compareAndSet(false, true)) {
            queue.clear();
            context.runOnContext(v -> sink.end());
            onClose.run();
        }
    }

    static Sink httpSink(HttpServerResponse response) {
        return new Sink() {
            @Override
            public void write(Buffer lines, int count) {
                response.write(lines);
            }

            @Override
            public boolean writeQueueFull() {
                return response.writeQueueFull();
            }

            @Override
            public void onDrain(Runnable r) {
                response.drainHandler(v -> r.run());
            }

            @Override
            public void end() {
                if (!response.ended() && !response.closed()) {
                    response.end();
                }
            }

            @Override
            public boolean isClosed() {
                return response.closed();
            }
        };
    }

    static Sink webSocketSink(ServerWebSocket ws) {
        return new Sink() {
            @Override
            public void write(Buffer lines, int count) {
                // one watch event per message, as kube-apiserver sends them
                int start = 0;
                int len = lines.length();
                for (int i = 0; i < len; i++) {
                    if (lines.getByte(i) == '\n') {
                        ws.writeTextMessage(lines.getString(start, i, "UTF-8"));
                        start = i + 1;
                    }
                }
            }

            @Override
            public boolean writeQueueFull() {
                return ws.writeQueueFull();
            }

            @Override
            public void onDrain(Runnable r) {
                ws.drainHandler(v -> r.run());
            }

            @Override
            public void end() {
                if (!ws.isClosed()) {
                    ws.close();
                }
            }

            @Override
            public boolean isClosed() {
                return ws.isClosed();
            }
        };
    }
}
