package io.fairway.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fairway.core.events.PodGone;
import io.fairway.core.state.ClusterState;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class PrefetchingReaderTest {
    /** A reader that plays a script: batches (with the position after each), then an error or endless empty polls. */
    private static final class ScriptedReader implements EventLog.Reader {
        private final Deque<Object> script = new ArrayDeque<>();
        private long position;
        final AtomicReference<Thread> closedBy = new AtomicReference<>();
        final List<Thread> polledBy = new ArrayList<>();

        ScriptedReader(long position) {
            this.position = position;
        }

        ScriptedReader batch(long positionAfter, long... offsets) {
            List<LoggedEvent> events = new ArrayList<>();
            for (long o : offsets) {
                events.add(new LoggedEvent(o, new PodGone(o, "pod-" + o, "1")));
            }
            script.add(new Object[] {events, positionAfter});
            return this;
        }

        ScriptedReader fail(RuntimeException e) {
            script.add(e);
            return this;
        }

        @Override
        @SuppressWarnings("unchecked")
        public synchronized List<LoggedEvent> poll(Duration timeout) {
            polledBy.add(Thread.currentThread());
            Object next = script.poll();
            if (next == null) {
                return List.of();
            }
            if (next instanceof RuntimeException e) {
                throw e;
            }
            Object[] b = (Object[]) next;
            position = (Long) b[1];
            return (List<LoggedEvent>) b[0];
        }

        @Override
        public synchronized long position() {
            return position;
        }

        @Override
        public void close() {
            closedBy.set(Thread.currentThread());
        }
    }

    private static List<Long> offsets(List<LoggedEvent> events) {
        return events.stream().map(LoggedEvent::offset).toList();
    }

    @Test
    void batchesComeInOrderWithThePositionAfterEach() {
        // an empty batch that moves the position: transaction markers
        ScriptedReader inner = new ScriptedReader(5).batch(8, 5, 6, 7).batch(10).batch(12, 10, 11);
        try (PrefetchingReader r = new PrefetchingReader(inner, 1, "test")) {
            assertThat(r.position()).isEqualTo(5);
            assertThat(offsets(r.poll(Duration.ofSeconds(5)))).containsExactly(5L, 6L, 7L);
            assertThat(r.position()).isEqualTo(8);
            assertThat(r.poll(Duration.ofSeconds(5))).isEmpty();
            assertThat(r.position()).isEqualTo(10);
            assertThat(offsets(r.poll(Duration.ofSeconds(5)))).containsExactly(10L, 11L);
            assertThat(r.position()).isEqualTo(12);
            // the script is done: empty polls at the same position, as at the end of a log
            assertThat(r.poll(Duration.ofSeconds(5))).isEmpty();
            assertThat(r.position()).isEqualTo(12);
        }
        assertThat(inner.polledBy).allSatisfy(t -> assertThat(t).isNotEqualTo(Thread.currentThread()));
        assertThat(inner.closedBy.get()).as("the fetch thread closes the wrapped reader")
                .isNotNull().isNotEqualTo(Thread.currentThread());
    }

    @Test
    void anErrorComesAfterEveryBatchBeforeItAndStays() {
        EventDecodeException bad = new EventDecodeException("t", 0, 9, "not JSON", null);
        ScriptedReader inner = new ScriptedReader(0).batch(3, 0, 1, 2).batch(9, 3, 4, 5, 6, 7, 8).fail(bad);
        try (PrefetchingReader r = new PrefetchingReader(inner, 4, "test")) {
            assertThat(offsets(r.poll(Duration.ofSeconds(5)))).containsExactly(0L, 1L, 2L);
            assertThat(offsets(r.poll(Duration.ofSeconds(5)))).hasSize(6);
            assertThatThrownBy(() -> r.poll(Duration.ofSeconds(5))).isSameAs(bad);
            assertThat(r.position()).isEqualTo(9);
            assertThatThrownBy(() -> r.poll(Duration.ofSeconds(5))).isSameAs(bad);
        }
    }

    @Test
    void closingWhileTheFetchThreadWaitsForRoomStopsIt() {
        ScriptedReader inner = new ScriptedReader(0);
        for (int i = 0; i < 20; i++) {
            inner.batch(i + 1, i);
        }
        PrefetchingReader r = new PrefetchingReader(inner, 1, "test");
        assertThat(offsets(r.poll(Duration.ofSeconds(5)))).containsExactly(0L);
        r.close();
        assertThat(inner.closedBy.get()).isNotNull();
        assertThatThrownBy(() -> r.poll(Duration.ZERO)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
    }

    @Test
    void replayOverAPrefetchingReaderEqualsTheLog() {
        try (InMemoryEventLog log = new InMemoryEventLog()) {
            for (int i = 0; i < 30; i++) {
                List<PodGone> batch = new ArrayList<>();
                for (int j = 0; j < 500; j++) {
                    batch.add(new PodGone(i * 500L + j, "p" + i + "-" + j, "1"));
                }
                log.append(batch);
            }
            List<Long> seen = new ArrayList<>();
            Replay.Result res = Replay.run(log, new ClusterState(), 100, new Replay.End(),
                    (e, r) -> seen.add(e.offset()), null);
            assertThat(res.events()).isEqualTo(15_000 - 100);
            assertThat(res.nextOffset()).isEqualTo(15_000);
            for (int i = 0; i < seen.size(); i++) {
                assertThat(seen.get(i)).isEqualTo(100L + i);
            }
        }
    }

    /**
     * A fetch thread slower than the caller's polls (a loaded machine): a poll that gets nothing from it in time is no
     * answer, so that a replay does not take two of them for the end of the log (it did, stopping short, under load).
     */
    @Test
    void aPollThatGetsNothingInTimeIsNoAnswer() {
        EventLog.Reader slow = new EventLog.Reader() {
            private long position;

            @Override
            public List<LoggedEvent> poll(Duration timeout) {
                try {
                    Thread.sleep(300);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                long o = position++;
                return List.of(new LoggedEvent(o, new PodGone(o, "pod-" + o, "1")));
            }

            @Override
            public long position() {
                return position;
            }

            @Override
            public void close() {
            }
        };
        try (PrefetchingReader r = new PrefetchingReader(slow, 1, "test")) {
            assertThat(r.poll(Duration.ofMillis(20))).isEmpty();
            assertThat(r.answered()).isFalse();
            assertThat(offsets(r.poll(Duration.ofSeconds(5)))).containsExactly(0L);
            assertThat(r.answered()).isTrue();
        }
    }
}
