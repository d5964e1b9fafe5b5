package io.fairway.sandbox.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * A watch whose client has just gone: Vert.x answers "WebSocket is closed" to the next write; the watch ends quietly
 * instead of leaving an unhandled exception (and its stack trace) on the event loop.
 */
class WatcherSinkTest {
    /** A sink whose connection the client closed: every call throws, as a closed ServerWebSocket's do. */
    private static final class ClosedSink implements Watcher.Sink {
        final AtomicBoolean closed = new AtomicBoolean(true);

        @Override
        public void write(Buffer lines, int count) {
            throw new IllegalStateException("WebSocket is closed");
        }

        @Override
        public boolean writeQueueFull() {
            throw new IllegalStateException("WebSocket is closed");
        }

        @Override
        public void onDrain(Runnable r) {
            throw new IllegalStateException("WebSocket is closed");
        }

        @Override
        public void end() {
        }

        @Override
        public boolean isClosed() {
            return closed.get();
        }
    }

    @Test
    void aWriteToAConnectionTheClientClosedEndsTheWatchWithoutAnUnhandledException() {
        Vertx vertx = Vertx.vertx();
        try {
            List<Throwable> unhandled = new CopyOnWriteArrayList<>();
            vertx.exceptionHandler(unhandled::add);
            Context context = vertx.getOrCreateContext();
            AtomicBoolean unregistered = new AtomicBoolean();
            Watcher w = new Watcher(null, null, null, false, null, context, new ClosedSink(), 100);
            w.onClose(() -> unregistered.set(true));
            w.end();
            await().atMost(Duration.ofSeconds(10)).until(w::isClosed);
            assertThat(unregistered).isTrue();
            assertThat(unhandled).isEmpty();
        } finally {
            vertx.close().await();
        }
    }

    @Test
    void theSameExceptionOnAnOpenConnectionIsNotSwallowed() {
        Vertx vertx = Vertx.vertx();
        try {
            List<Throwable> unhandled = new CopyOnWriteArrayList<>();
            vertx.exceptionHandler(unhandled::add);
            ClosedSink open = new ClosedSink();
            open.closed.set(false);
            Watcher w = new Watcher(null, null, null, false, null, vertx.getOrCreateContext(), open, 100);
            w.end();
            await().atMost(Duration.ofSeconds(10)).until(() -> !unhandled.isEmpty());
            assertThat(unhandled.getFirst()).isInstanceOf(IllegalStateException.class);
            assertThat(w.isClosed()).isFalse();
        } finally {
            vertx.close().await();
        }
    }
}
