package io.fairway.log.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fairway.core.events.Allocated;
import io.fairway.core.events.Event;
import io.fairway.core.events.LeaderElected;
import io.fairway.core.events.NodeGone;
import io.fairway.core.events.PodGone;
import io.fairway.core.events.Released;
import io.fairway.log.EventCodec;
import io.fairway.log.EventDecodeException;
import io.fairway.log.EventLog;
import io.fairway.log.FencedException;
import io.fairway.log.LogTruncatedException;
import io.fairway.log.LoggedEvent;
import io.fairway.testsupport.EmbeddedKafka;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Kafka event log against a real broker (one per class, in this JVM). */
class KafkaEventLogTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final AtomicInteger TOPICS = new AtomicInteger();
    private static EmbeddedKafka kafka;

    @BeforeAll
    static void startBroker() {
        kafka = EmbeddedKafka.start();
    }

    @AfterAll
    static void stopBroker() {
        if (kafka != null) {
            kafka.close();
        }
    }

    /** A topic of its own for each test: tests do not see each other's records or fence each other's writers. */
    private static KafkaEventLogConfig config() {
        return KafkaEventLogConfig.of(kafka.bootstrapServers())
                .withTopic("fairway.events.test-" + TOPICS.incrementAndGet())
                .withTimeouts(Duration.ofSeconds(15), Duration.ofSeconds(15));
    }

    @Test
    void observationsAreReadBackInOrderWithTheirOffsets() {
        try (KafkaEventLog log = KafkaEventLog.open(config())) {
            List<PodGone> many = IntStream.range(0, 1000).mapToObj(i -> new PodGone(i, "pod-" + i, "rv" + i)).toList();
            assertThat(log.append(many)).isEqualTo(999);
            assertThat(log.append(List.of(new NodeGone(1000, "node-a", "7")))).isEqualTo(1000);
            assertThat(log.append(List.of(new PodGone(1001, "x", "1"), new PodGone(1002, "y", "2")))).isEqualTo(1002);
            assertThat(log.append(List.of())).as("nothing appended: the last offset").isEqualTo(1002);
            assertThat(log.endOffset()).isEqualTo(1003);

            try (EventLog.Reader reader = log.reader(0)) {
                List<LoggedEvent> got = readAtLeast(reader, 1003);
                assertThat(got).extracting(LoggedEvent::offset)
                        .containsExactlyElementsOf(IntStream.range(0, 1003).mapToObj(i -> (long) i).toList());
                assertThat(got.subList(0, 1000)).extracting(LoggedEvent::event).containsExactlyElementsOf(many);
                assertThat(got.get(1000).event()).isEqualTo(new NodeGone(1000, "node-a", "7"));
                assertThat(got.get(1002).event()).isEqualTo(new PodGone(1002, "y", "2"));
                assertThat(reader.position()).isEqualTo(1003);
                assertThat(reader.poll(Duration.ofMillis(50))).isEmpty();
            }
            try (EventLog.Reader fromMiddle = log.reader(500)) {
                assertThat(fromMiddle.position()).isEqualTo(500);
                List<LoggedEvent> got = readAtLeast(fromMiddle, 503);
                assertThat(got.getFirst()).isEqualTo(new LoggedEvent(500, many.get(500)));
                assertThat(got).hasSize(503);
            }
        }
    }

    @Test
    void aLogOpenedForReadingReadsWhatAWriterAppendedAndRefusesToWrite() {
        KafkaEventLogConfig config = config();
        try (KafkaEventLog writer = KafkaEventLog.open(config)) {
            writer.append(List.of(new PodGone(1, "a", "1"), new PodGone(2, "b", "2")));
            try (KafkaEventLog reading = KafkaEventLog.openForReading(config)) {
                assertThat(reading.endOffset()).isEqualTo(2);
                assertThat(reading.startOffset()).isZero();
                try (EventLog.Reader reader = reading.reader(1)) {
                    assertThat(readAtLeast(reader, 1)).containsExactly(new LoggedEvent(1, new PodGone(2, "b", "2")));
                }
                assertThatThrownBy(() -> reading.append(List.of(new PodGone(3, "c", "3"))))
                        .isInstanceOf(IllegalStateException.class).hasMessageContaining("opened for reading only");
                assertThatThrownBy(() -> reading.openDecisionWriter(1))
                        .isInstanceOf(IllegalStateException.class).hasMessageContaining("opened for reading only");
            }
        }
    }

    @Test
    void openingForReadingNeitherCreatesAMissingTopicNorHidesThatItIsMissing() throws Exception {
        KafkaEventLogConfig config = config();
        assertThatThrownBy(() -> KafkaEventLog.openForReading(config))
                .isInstanceOf(KafkaEventLogException.class)
                .hasMessageContaining("topic " + config.topic() + " does not exist on " + kafka.bootstrapServers());
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            assertThat(admin.listTopics().names().get()).doesNotContain(config.topic());
        }
    }

    @Test
    void theTopicIsCreatedWithTheConfiguredPartitionsReplicationAndRetention() throws Exception {
        KafkaEventLogConfig config = config().withPartition(2, 3);
        try (KafkaEventLog log = KafkaEventLog.open(config); Admin admin = admin()) {
            TopicDescription d = admin.describeTopics(List.of(config.topic())).allTopicNames()
                    .get(10, TimeUnit.SECONDS).get(config.topic());
            assertThat(d.partitions()).hasSize(3);
            assertThat(d.partitions()).allSatisfy(p -> assertThat(p.replicas()).hasSize(1));
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, config.topic());
            Config topicConfig = admin.describeConfigs(List.of(resource)).all().get(10, TimeUnit.SECONDS).get(resource);
            assertThat(topicConfig.get(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG).value()).isEqualTo("1");
            assertThat(topicConfig.get(TopicConfig.RETENTION_MS_CONFIG).value())
                    .isEqualTo(String.valueOf(Duration.ofDays(14).toMillis()));

            // this log writes and reads partition 2 only
            assertThat(log.append(List.of(new PodGone(1, "a", "1")))).isZero();
            assertThat(log.endOffset()).isEqualTo(1);
            try (KafkaEventLog partition0 = KafkaEventLog.open(config.withPartition(0, 3))) {
                assertThat(partition0.endOffset()).isZero();
            }
            assertThat(config.transactionalId()).isEqualTo("fairway-leader-" + config.topic() + "-2");
        }

        // an existing topic is used as it is; a partition it does not have is refused with a clear message
        assertThatThrownBy(() -> KafkaEventLog.open(config.withPartition(3, 4)))
                .isInstanceOf(KafkaEventLogException.class)
                .hasMessageContaining("has 3 partition(s) but this log is for partition 3");
    }

    @Test
    void aReplicationFactorAboveTheBrokerCountIsRefusedWithAHint() {
        KafkaEventLogConfig config = config().withReplication(3, 2);
        assertThatThrownBy(() -> KafkaEventLog.open(config))
                .isInstanceOf(KafkaEventLogException.class)
                .hasMessageContaining("cannot create topic " + config.topic())
                .hasMessageContaining("replication factor 3")
                .hasMessageContaining("lower replicationFactor");
    }

    @Test
    void decisionsOfABatchAreCommittedTogether() {
        try (KafkaEventLog log = KafkaEventLog.open(config())) {
            log.append(List.of(new PodGone(1, "a", "1")));
            List<Event> batch = List.of(new LeaderElected(2, 1, "replica-a"),
                    new Allocated(3, 1, "p1", "n1", "root.a"),
                    new Allocated(4, 1, "p2", "n1", "root.a"),
                    new Released(5, 1, "p0", "n2", "bind failed"));
            try (EventLog.DecisionWriter writer = log.openDecisionWriter(1)) {
                assertThat(writer.epoch()).isEqualTo(1);
                writer.append(batch);
            }
            // 1 observation + 4 decisions + the commit marker, once the coordinator has written the marker
            awaitEndOffset(log, 6);
            try (EventLog.Reader reader = log.reader(0)) {
                List<LoggedEvent> got = readAtLeast(reader, 5);
                assertThat(got).extracting(LoggedEvent::offset).containsExactly(0L, 1L, 2L, 3L, 4L);
                assertThat(got.subList(1, 5)).extracting(LoggedEvent::event).containsExactlyElementsOf(batch);
                assertThat(reader.position()).as("past the commit marker").isEqualTo(6);
            }
        }
    }

    @Test
    void anOpenTransactionHoldsReadersBackAndAnAbortedOneIsNeverSeen() throws Exception {
        KafkaEventLogConfig config = config();
        try (KafkaEventLog log = KafkaEventLog.open(config);
             KafkaProducer<byte[], byte[]> raw = rawTransactionalProducer("someone-else-" + config.topic())) {
            assertThat(log.append(List.of(new PodGone(1, "before", "1")))).isZero();

            raw.initTransactions();
            raw.beginTransaction();
            raw.send(record(config, new Allocated(2, 9, "ghost-1", "n", "root.a")));
            raw.send(record(config, new Allocated(3, 9, "ghost-2", "n", "root.a")));
            raw.flush(); // offsets 1 and 2, not committed

            assertThat(log.append(List.of(new PodGone(4, "after", "2")))).isEqualTo(3);
            assertThat(log.endOffset()).as("the last stable offset stops at the open transaction").isEqualTo(1);

            try (EventLog.Reader reader = log.reader(0)) {
                assertThat(readAtLeast(reader, 1)).extracting(LoggedEvent::offset).containsExactly(0L);
                assertThat(reader.poll(Duration.ofMillis(300))).as("nothing past the open transaction").isEmpty();

                raw.abortTransaction();

                List<LoggedEvent> rest = readAtLeast(reader, 1);
                assertThat(rest).containsExactly(new LoggedEvent(3, new PodGone(4, "after", "2")));
                assertThat(reader.poll(Duration.ofMillis(100))).isEmpty();
            }
            awaitEndOffset(log, 5); // records 1, 2, the observation at 3, the abort marker at 4
        }
    }

    @Test
    void aTransactionLeftOpenByACrashedLeaderIsAbortedWhenTheNextLeaderOpens() {
        KafkaEventLogConfig config = config();
        try (KafkaEventLog log = KafkaEventLog.open(config)) {
            // the old leader, with the partition's transactional.id, dies between its sends and its commit
            KafkaProducer<byte[], byte[]> crashed = rawTransactionalProducer(config.transactionalId());
            crashed.initTransactions();
            crashed.beginTransaction();
            crashed.send(record(config, new Allocated(1, 1, "lost", "n", "root.a")));
            crashed.flush();
            crashed.close(Duration.ZERO); // a forced close does not abort: the transaction stays open
            try (EventLog.Reader reader = log.reader(0)) {
                assertThat(reader.poll(Duration.ofMillis(300))).isEmpty();
            }
            assertThat(log.endOffset()).as("held back by the open transaction").isZero();

            try (EventLog.DecisionWriter next = log.openDecisionWriter(2)) {
                next.append(List.of(new LeaderElected(2, 2, "replica-b")));
            }
            try (EventLog.Reader reader = log.reader(0)) {
                List<LoggedEvent> got = readAtLeast(reader, 1);
                assertThat(got).extracting(LoggedEvent::event).containsExactly(new LeaderElected(2, 2, "replica-b"));
                assertThat(got.getFirst().offset()).as("after the lost record and its abort marker").isEqualTo(2);
            }
        }
    }

    @Test
    void aSecondWriterFencesTheFirst() {
        KafkaEventLogConfig config = config();
        // two replicas, each with its own log client, on the same scheduling partition
        try (KafkaEventLog replicaA = KafkaEventLog.open(config); KafkaEventLog replicaB = KafkaEventLog.open(config)) {
            EventLog.DecisionWriter a = replicaA.openDecisionWriter(1);
            a.append(List.of(new LeaderElected(1, 1, "a"), new Allocated(2, 1, "p1", "n1", "root.a")));

            EventLog.DecisionWriter b = replicaB.openDecisionWriter(2);

            assertThatThrownBy(() -> a.append(List.of(new Allocated(3, 1, "p2", "n1", "root.a"))))
                    .isInstanceOf(FencedException.class)
                    .hasMessageContaining("leader epoch 1")
                    .hasMessageContaining("fenced by a newer writer")
                    .hasMessageContaining(config.transactionalId());
            assertThatThrownBy(() -> a.append(List.of(new Allocated(4, 1, "p3", "n1", "root.a"))))
                    .as("a fenced writer stays fenced").isInstanceOf(FencedException.class);

            b.append(List.of(new LeaderElected(5, 2, "b"), new Allocated(6, 2, "p2", "n2", "root.a")));
            a.close();
            b.close();

            try (EventLog.Reader reader = replicaA.reader(0)) {
                List<LoggedEvent> got = readAtLeast(reader, 4);
                assertThat(got).extracting(LoggedEvent::event).containsExactly(
                        new LeaderElected(1, 1, "a"), new Allocated(2, 1, "p1", "n1", "root.a"),
                        new LeaderElected(5, 2, "b"), new Allocated(6, 2, "p2", "n2", "root.a"));
                assertThat(reader.poll(Duration.ofMillis(200))).as("nothing of the fenced writer").isEmpty();
            }
        }
    }

    @Test
    void aWriterTakesOnlyEventsOfItsOwnEpoch() {
        try (KafkaEventLog log = KafkaEventLog.open(config()); EventLog.DecisionWriter w = log.openDecisionWriter(3)) {
            assertThatThrownBy(() -> w.append(List.of(new PodGone(1, "a", "1"))))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not PodGone");
            assertThatThrownBy(() -> w.append(List.of(new LeaderElected(1, 3, "r"), new Allocated(1, 2, "p", "n", "q"))))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("Allocated of leader epoch 2 given to the decision writer of epoch 3");
            w.append(List.of(new LeaderElected(1, 3, "r")));
            awaitEndOffset(log, 2); // nothing of the refused batches: one event and its commit marker
            try (EventLog.Reader reader = log.reader(0)) {
                assertThat(readAtLeast(reader, 1)).containsExactly(new LoggedEvent(0, new LeaderElected(1, 3, "r")));
            }
        }
    }

    @Test
    void aGarbledRecordStopsTheReaderWithItsPosition() throws Exception {
        KafkaEventLogConfig config = config();
        try (KafkaEventLog log = KafkaEventLog.open(config)) {
            log.append(List.of(new PodGone(1, "a", "1"), new PodGone(2, "b", "2")));
            try (KafkaProducer<byte[], byte[]> plain = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                    new ByteArraySerializer(), new ByteArraySerializer())) {
                plain.send(new ProducerRecord<>(config.topic(), 0, null,
                        "{not an event".getBytes(StandardCharsets.UTF_8))).get(10, TimeUnit.SECONDS);
            }
            log.append(List.of(new PodGone(3, "c", "3")));

            try (EventLog.Reader reader = log.reader(0)) {
                // the events before the bad record come first, then the reader stops on it, every time
                List<LoggedEvent> good = new ArrayList<>();
                EventDecodeException[] failure = new EventDecodeException[1];
                await().atMost(WAIT).pollInSameThread().pollDelay(Duration.ZERO).until(() -> {
                    try {
                        good.addAll(reader.poll(Duration.ofMillis(100)));
                        return false;
                    } catch (EventDecodeException e) {
                        failure[0] = e;
                        return true;
                    }
                });
                assertThat(good).extracting(LoggedEvent::offset).containsExactly(0L, 1L);
                assertThat(failure[0].getMessage())
                        .contains(config.topic() + "/0 offset 2")
                        .contains("not JSON");
                assertThat(failure[0].topic()).isEqualTo(config.topic());
                assertThat(failure[0].partition()).isZero();
                assertThat(failure[0].offset()).isEqualTo(2);
                assertThat(reader.position()).isEqualTo(2);
                assertThatThrownBy(() -> reader.poll(Duration.ofSeconds(5)))
                        .as("never skipped").isInstanceOf(EventDecodeException.class)
                        .hasMessageContaining("offset 2");
                assertThat(reader.position()).isEqualTo(2);
            }
            try (EventLog.Reader pastIt = log.reader(3)) {
                assertThat(readAtLeast(pastIt, 1)).containsExactly(new LoggedEvent(3, new PodGone(3, "c", "3")));
            }
        }
    }

    @Test
    void aReaderPastTheEndOfTheLogFailsInsteadOfJumping() {
        try (KafkaEventLog log = KafkaEventLog.open(config()); EventLog.Reader reader = log.reader(10)) {
            log.append(List.of(new PodGone(1, "a", "1")));
            assertThatThrownBy(() -> reader.poll(Duration.ofSeconds(5)))
                    .isInstanceOf(KafkaEventLogException.class)
                    .hasMessageContaining("offset 10 is past the end of").hasMessageContaining("(it ends at 1)");
        }
    }

    @Test
    void aClosedLogRefusesWork() {
        KafkaEventLog log = KafkaEventLog.open(config());
        EventLog.DecisionWriter writer = log.openDecisionWriter(1);
        log.close();
        log.close();
        assertThatThrownBy(() -> log.append(List.of(new PodGone(1, "a", "1"))))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        assertThatThrownBy(() -> writer.append(List.of(new LeaderElected(1, 1, "r"))))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }

    // ---- helpers ----

    /** Polls until at least {@code n} events arrived (or fails after {@link #WAIT}). */
    /** Records deleted as retention deletes them: the start moves, and reading below it fails, never skips. */
    @Test
    void readingBelowTheLogStartFailsNamingTheOffsets() throws Exception {
        KafkaEventLogConfig config = config();
        try (KafkaEventLog log = KafkaEventLog.open(config); Admin admin = admin()) {
            log.append(IntStream.range(0, 100).mapToObj(i -> new PodGone(i, "pod-" + i, "1")).toList());
            assertThat(log.startOffset()).isZero();
            org.apache.kafka.common.TopicPartition tp = new org.apache.kafka.common.TopicPartition(config.topic(), 0);
            admin.deleteRecords(Map.of(tp, org.apache.kafka.clients.admin.RecordsToDelete.beforeOffset(60)))
                    .all().get(20, TimeUnit.SECONDS);
            assertThat(log.startOffset()).isEqualTo(60);
            assertThat(log.endOffset()).isEqualTo(100);

            try (EventLog.Reader reader = log.reader(10)) {
                assertThatThrownBy(() -> {
                    for (int i = 0; i < 50; i++) {
                        reader.poll(Duration.ofMillis(200));
                    }
                }).isInstanceOf(LogTruncatedException.class)
                        .hasMessageContaining("offset 10 of " + tp + " was deleted (the log now starts at 60)")
                        .hasMessageContaining("retention.ms=-1");
            }
            try (EventLog.Reader reader = log.reader(60)) {
                assertThat(readAtLeast(reader, 40)).extracting(LoggedEvent::offset).startsWith(60L).hasSize(40);
            }
        }
    }

    private static List<LoggedEvent> readAtLeast(EventLog.Reader reader, int n) {
        List<LoggedEvent> got = new ArrayList<>();
        await().atMost(WAIT).pollInSameThread().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1))
                .until(() -> {
                    got.addAll(reader.poll(Duration.ofMillis(100)));
                    return got.size() >= n;
                });
        return got;
    }

    /** Commit and abort markers are written by the transaction coordinator shortly after the commit returns. */
    private static void awaitEndOffset(KafkaEventLog log, long expected) {
        await().atMost(WAIT).pollInterval(Duration.ofMillis(10)).until(log::endOffset, e -> e == expected);
    }

    private static KafkaProducer<byte[], byte[]> rawTransactionalProducer(String transactionalId) {
        return new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true"),
                new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static ProducerRecord<byte[], byte[]> record(KafkaEventLogConfig config, Event e) {
        return new ProducerRecord<>(config.topic(), config.partition(), null, EventCodec.encode(e));
    }

    private static Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
    }
}
