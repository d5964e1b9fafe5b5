package io.fairway.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fairway.core.state.ClusterState;
import io.fairway.log.Replay;
import io.fairway.log.StatePublisher;
import io.fairway.log.kafka.KafkaEventLog;
import io.fairway.log.kafka.KafkaEventLogConfig;
import io.fairway.testsupport.EmbeddedKafka;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same recovery against the real log: an embedded KRaft broker, transactional decisions (whose commit markers take
 * offsets of their own, so offsets have gaps), read_committed readers.
 */
class KafkaRecoveryTest {
    @TempDir
    Path tmp;

    @Test
    void aReplicaCrashesRecoversFollowsAndRebuildsFromTheKafkaLog() {
        try (EmbeddedKafka kafka = EmbeddedKafka.start();
             KafkaEventLog log = KafkaEventLog.open(KafkaEventLogConfig.of(kafka.bootstrapServers())
                     .withTopic("fairway.events.state-store-test")
                     .withTimeouts(Duration.ofSeconds(15), Duration.ofSeconds(15)))) {
            LogGenerator g = new LogGenerator(log, 21, false);
            g.rounds(15);
            Path data = tmp.resolve("replica");
            FollowerOptions opts = FollowerOptions.defaults().withBatchEvents(40).withCatchUpBatchEvents(40)
                    .withSnapshots(new SnapshotPolicy(150, null, 2));

            AtomicInteger applied = new AtomicInteger();
            FollowerOptions crashing = opts.withPublisher(StatePublisher.onApplied((e, r) -> {
                if (applied.incrementAndGet() == 130) {
                    throw new RecoveryTest.Crash(e.offset());
                }
            }));
            assertThatThrownBy(() -> StateFollower.recover(data, log, crashing)).isInstanceOf(RecoveryTest.Crash.class);

            try (StateFollower f = StateFollower.recover(data, log, opts)) {
                assertThat(f.recovery().source()).isEqualTo(Recovery.Source.STORE);
                assertThat(f.recovery().startOffset()).isPositive();
                assertThat(f.state().hash()).isEqualTo(g.live().hash());

                // the log grows while the replica follows it
                g.rounds(10);
                await().atMost(Duration.ofSeconds(20)).until(() -> {
                    f.poll(Duration.ofMillis(100));
                    return f.state().hash().equals(g.live().hash());
                });
                f.flush();
                f.store().writeHash(f.state());
                assertThat(f.store().meta().nextOffset()).isEqualTo(f.nextOffset());
                assertThat(f.store().meta().hash()).isEqualTo(g.live().hash());
            }

            // the store deleted: rebuilt from the newest snapshot and the log's tail
            Snapshots.deleteTree(data.resolve(StateFollower.STORE_DIR));
            try (StateFollower f = StateFollower.recover(data, log, opts)) {
                assertThat(f.recovery().source()).isEqualTo(Recovery.Source.SNAPSHOT);
                assertThat(f.state().hash()).isEqualTo(g.live().hash());
            }

            ClusterState replayed = new ClusterState();
            Replay.run(log, replayed, 0, new Replay.End(), null, null);
            assertThat(replayed.hash()).isEqualTo(g.live().hash());
        }
    }
}
