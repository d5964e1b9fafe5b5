package io.fairway.core.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.fairway.core.events.AdminAction;
import io.fairway.core.events.QueueConfigObserved;
import org.junit.jupiter.api.Test;

/** The config history the console shows: every version seen, its outcome, and who wrote it through the console. */
class ConfigHistoryTest {
    private static final String GOOD = """
            partitions:
              - name: default
                queues:
                  - name: root
                    queues:
                      - name: a
            """;
    private static final String BAD = """
            partitions:
              - name: default
                queues:
                  - name: root
                    queues:
                      - name: a
                        resources:
                          guaranteed: {memory: 20Gi}
                          max: {memory: 10Gi}
            """;

    @Test
    void eachVersionIsRecordedWithItsOutcomeNewestLast() {
        ClusterState s = new ClusterState();
        s.apply(new QueueConfigObserved(10, GOOD, "5"));
        s.apply(new QueueConfigObserved(20, BAD, "6"));

        assertThat(s.configHistory()).extracting(ConfigChange::version, ConfigChange::outcome)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("5", ConfigChange.APPLIED),
                        org.assertj.core.groups.Tuple.tuple("6", ConfigChange.REJECTED));
        assertThat(s.configHistory().get(1).reason()).contains("root.a").contains("10Gi");
        assertThat(s.configVersion()).isEqualTo("5");
    }

    @Test
    void theConsolesAuthorJoinsTheObservationInEitherOrder() {
        ClusterState writeFirst = new ClusterState();
        writeFirst.apply(new AdminAction(10, "alice", "admin", AdminAction.CONFIG_APPLY, "7", "edited 6"));
        assertThat(writeFirst.configHistory()).singleElement()
                .satisfies(c -> assertThat(c.outcome()).isEqualTo(ConfigChange.REQUESTED));
        writeFirst.apply(new QueueConfigObserved(11, GOOD, "7"));

        ClusterState observedFirst = new ClusterState();
        observedFirst.apply(new QueueConfigObserved(10, GOOD, "7"));
        observedFirst.apply(new AdminAction(11, "alice", "admin", AdminAction.CONFIG_APPLY, "7", "edited 6"));

        for (ClusterState s : new ClusterState[] {writeFirst, observedFirst}) {
            assertThat(s.configHistory()).singleElement().satisfies(c -> {
                assertThat(c.version()).isEqualTo("7");
                assertThat(c.outcome()).isEqualTo(ConfigChange.APPLIED);
                assertThat(c.author()).isEqualTo("alice");
                assertThat(c.time()).isEqualTo(10);
            });
        }
    }

    @Test
    void otherAdminActionsLeaveTheHistoryAlone() {
        ClusterState s = new ClusterState();
        assertThat(s.apply(new AdminAction(1, "bob", "admin", "queue.drain", "root.a", "")).applied()).isTrue();
        assertThat(s.configHistory()).isEmpty();
    }

    @Test
    void theHistoryIsBoundedAndSurvivesASnapshot() {
        ClusterState s = new ClusterState();
        for (int v = 1; v <= ClusterState.CONFIG_HISTORY + 5; v++) {
            s.apply(new QueueConfigObserved(v, GOOD, String.valueOf(v)));
        }
        assertThat(s.configHistory()).hasSize(ClusterState.CONFIG_HISTORY);
        assertThat(s.configHistory().get(0).version()).isEqualTo("6");

        ClusterState restored = ClusterState.restore(s.snapshot());
        assertThat(restored.configHistory()).isEqualTo(s.configHistory());
        assertThat(restored.hash()).isEqualTo(s.hash());

        // the history is the log's audit, not scheduling state: not hashed, so that a store written before it was
        // kept (which restores it empty) hashes as a replay does
        ClusterState other = ClusterState.restore(s.snapshot());
        other.apply(new AdminAction(99, "carol", "admin", AdminAction.CONFIG_APPLY, "55", ""));
        assertThat(other.configHistory()).isNotEqualTo(s.configHistory());
        assertThat(other.hash()).isEqualTo(s.hash());
    }
}
