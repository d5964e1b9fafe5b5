package io.fairway.chaos.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fairway.chaos.FaultProxy;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Three real broker processes, two clients each reaching every broker through a {@link FaultProxy} of its own. One
 * scenario, since the cluster costs a start: a leader killed, brought back, a client partitioned and healed, then
 * the whole cluster down and up. Every record that was acknowledged must be readable (read_committed) at the end;
 * nothing that was never sent, or aborted, may be.
 */
class KafkaClusterTest {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaClusterTest.class);
    private static final String TOPIC = "chaos";
    private static final TopicPartition P0 = new TopicPartition(TOPIC, 0);
    private static final List<String> CLIENTS = List.of("a", "b");

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    private KafkaCluster kafka;
    private final Map<String, List<FaultProxy>> proxies = new HashMap<>();
    /** Values whose send or commit was acknowledged: they must all be read back. */
    private final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    /** Values sent whose fate is unknown (timed out): they may or may not be read back. */
    private final Set<String> unknown = ConcurrentHashMap.newKeySet();

    @BeforeEach
    void start() throws IOException {
        kafka = KafkaCluster.plan(dir, 3, CLIENTS);
        for (String c : CLIENTS) {
            List<FaultProxy> list = new ArrayList<>();
            for (int b = 1; b <= 3; b++) {
                list.add(FaultProxy.start(c + "-" + b, "127.0.0.1", kafka.listenerPort(c, b)));
            }
            proxies.put(c, list);
        }
        long t0 = System.nanoTime();
        kafka.start((client, broker) -> proxies.get(client).get(broker - 1).address());
        LOG.info("3 brokers up in {} ms", ms(t0));
        kafka.createTopic(TOPIC, 1);
    }

    @AfterEach
    void stop() {
        if (kafka != null) {
            kafka.close();
        }
        proxies.values().forEach(l -> l.forEach(FaultProxy::close));
    }

    @Test
    void acknowledgedRecordsSurviveALeaderKillAPartitionAndAFullRestart() throws Exception {
        assertThat(kafka.bootstrapFor("a")).isEqualTo(String.join(",",
                proxies.get("a").stream().map(FaultProxy::address).toList()));

        try (KafkaProducer<String, String> tx = producer("a", Map.of(
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, "chaos-tx-a"))) {
            tx.initTransactions();
            commit(tx, "tx1-", 10);
            tx.beginTransaction();
            for (int i = 0; i < 5; i++) {
                tx.send(new ProducerRecord<>(TOPIC, "aborted-" + i));
            }
            tx.flush();
            tx.abortTransaction();

            // the leader dies without a word: the others fence it and elect a new leader from the ISR
            int leader = kafka.partitionLeader(TOPIC, 0);
            assertThat(leader).isBetween(1, 3);
            long t0 = System.nanoTime();
            kafka.kill(leader);
            assertThat(kafka.running(leader)).isFalse();
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
                int now = kafka.partitionLeader(TOPIC, 0);
                return now != -1 && now != leader;
            });
            LOG.info("broker {} killed; partition led by {} after {} ms", leader, kafka.partitionLeader(TOPIC, 0), ms(t0));
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(kafka.inSyncReplicas(TOPIC, 0)).hasSize(2).doesNotContain(leader));
            // two in sync is min.insync.replicas: acks=all still commits
            commit(tx, "tx2-", 10);

            t0 = System.nanoTime();
            kafka.restart(leader);
            LOG.info("broker {} restarted in {} ms (pid {})", leader, ms(t0), kafka.pid(leader));
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                    assertThat(kafka.inSyncReplicas(TOPIC, 0)).containsExactlyInAnyOrder(1, 2, 3));
            LOG.info("broker {} back in the ISR {} ms after its restart began", leader, ms(t0));
            commit(tx, "tx3-", 10);
        }

        try (KafkaProducer<String, String> a = producer("a", Map.of(
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "6000",
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "3000",
                ProducerConfig.MAX_BLOCK_MS_CONFIG, "6000"));
             KafkaProducer<String, String> b = producer("b", Map.of())) {
            send(a, "a-before");
            send(b, "b-before");

            proxies.get("a").forEach(FaultProxy::partition);
            long t0 = System.nanoTime();
            var cut = a.send(new ProducerRecord<>(TOPIC, "a-cut"));
            unknown.add("a-cut");
            send(b, "b-during");
            assertThatThrownBy(() -> cut.get(30, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(TimeoutException.class);
            LOG.info("client a cut off: its send failed after {} ms while b's went through", ms(t0));

            proxies.get("a").forEach(FaultProxy::heal);
            AtomicInteger attempt = new AtomicInteger();
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
                String v = "a-healed-" + attempt.incrementAndGet();
                unknown.add(v);
                a.send(new ProducerRecord<>(TOPIC, v)).get(10, TimeUnit.SECONDS);
                acknowledged.add(v);
            });
        }

        // all down: one stopped cleanly, two killed; then all up together (one alone has no controller quorum)
        kafka.stop(1);
        kafka.kill(2);
        kafka.kill(3);
        assertThat(List.of(kafka.running(1), kafka.running(2), kafka.running(3))).containsOnly(false);
        long t0 = System.nanoTime();
        kafka.restart(1, 2, 3);
        LOG.info("whole cluster restarted in {} ms", ms(t0));

        List<String> read = readCommitted();
        assertThat(read).as("every acknowledged record is read back").containsAll(acknowledged);
        assertThat(read).as("each record at most once (idempotent producers)").doesNotHaveDuplicates();
        assertThat(read).as("nothing aborted, nothing never sent").allSatisfy(v ->
                assertThat(acknowledged.contains(v) || unknown.contains(v)).as(v).isTrue());
    }

    private KafkaProducer<String, String> producer(String client, Map<String, String> extra) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapFor(client));
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        p.put(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "500");
        p.putAll(extra);
        return new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
    }

    private void commit(KafkaProducer<String, String> tx, String prefix, int n) {
        tx.beginTransaction();
        List<String> values = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            values.add(prefix + i);
            tx.send(new ProducerRecord<>(TOPIC, prefix + i));
        }
        tx.commitTransaction();
        acknowledged.addAll(values);
    }

    private void send(KafkaProducer<String, String> p, String value) throws Exception {
        p.send(new ProducerRecord<>(TOPIC, value)).get(30, TimeUnit.SECONDS);
        acknowledged.add(value);
    }

    /** Everything committed in the partition, through the harness listeners. */
    private List<String> readCommitted() {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrap());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        List<String> read = new ArrayList<>();
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            c.assign(List.of(P0));
            c.seekToBeginning(List.of(P0));
            // read_committed: the end offset is the last stable offset, so reaching it means all committed is read
            long end = c.endOffsets(List.of(P0), Duration.ofSeconds(30)).get(P0);
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) {
                    read.add(r.value());
                }
                return c.position(P0) >= end;
            });
        }
        return read;
    }

    private static long ms(long since) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since);
    }
}
