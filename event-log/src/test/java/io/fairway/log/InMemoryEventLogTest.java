package io.fairway.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fairway.core.events.Allocated;
import io.fairway.core.events.LeaderElected;
import io.fairway.core.events.PodGone;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class InMemoryEventLogTest {
    @Test
    void readsBackInOrderWithOffsets() {
        try (InMemoryEventLog log = new InMemoryEventLog()) {
            assertThat(log.append(List.of(new PodGone(1, "a", "1"), new PodGone(2, "b", "2")))).isEqualTo(1);
            EventLog.DecisionWriter w = log.openDecisionWriter(1);
            w.append(List.of(new LeaderElected(3, 1, "r"), new Allocated(4, 1, "c", "n", "root.a")));
            EventLog.Reader r = log.reader(1);
            List<LoggedEvent> got = r.poll(Duration.ofMillis(10));
            assertThat(got).extracting(LoggedEvent::offset).containsExactly(1L, 2L, 3L);
            assertThat(got.get(2).event()).isEqualTo(new Allocated(4, 1, "c", "n", "root.a"));
            assertThat(r.position()).isEqualTo(4);
            assertThat(log.endOffset()).isEqualTo(4);
            assertThat(r.poll(Duration.ofMillis(5))).isEmpty();
        }
    }

    @Test
    void aNewerWriterFencesTheOlder() {
        try (InMemoryEventLog log = new InMemoryEventLog()) {
            EventLog.DecisionWriter a = log.openDecisionWriter(1);
            EventLog.DecisionWriter b = log.openDecisionWriter(2);
            assertThatThrownBy(() -> a.append(List.of(new Allocated(1, 1, "p", "n", "root.a"))))
                    .isInstanceOf(FencedException.class).hasMessageContaining("epoch 1").hasMessageContaining("epoch 2");
            b.append(List.of(new Allocated(1, 2, "p", "n", "root.a")));
            assertThat(log.reader(0).poll(Duration.ZERO)).singleElement()
                    .satisfies(e -> assertThat(((Allocated) e.event()).epoch()).isEqualTo(2));
        }
    }

    @Test
    void aDecisionWriterTakesOnlyItsOwnEpochsDecisions() {
        try (InMemoryEventLog log = new InMemoryEventLog()) {
            EventLog.DecisionWriter w = log.openDecisionWriter(2);
            assertThatThrownBy(() -> w.append(List.of(new PodGone(1, "a", "1"))))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("observations go through EventLog.append");
            assertThatThrownBy(() -> w.append(List.of(new Allocated(1, 1, "p", "n", "root.a"))))
                    .hasMessageContaining("Allocated of leader epoch 1 given to the decision writer of epoch 2");
            assertThat(log.endOffset()).isZero();
        }
    }
}
