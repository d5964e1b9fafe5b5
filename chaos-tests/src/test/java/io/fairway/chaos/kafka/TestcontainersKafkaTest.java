package io.fairway.chaos.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * The Docker path, where there is an engine (skipped where there is none, as on the build machines): a leader killed
 * and brought back, one client partitioned by Toxiproxy while the other produces.
 */
@Testcontainers(disabledWithoutDocker = true)
class TestcontainersKafkaTest {
    private static final String TOPIC = "chaos";

    @Test
    void aKilledLeaderIsReplacedAndAPartitionedClientTimesOutWhileTheOtherProduces() throws Exception {
        try (TestcontainersKafka kafka = TestcontainersKafka.start(3, List.of("a", "b"))) {
            kafka.createTopic(TOPIC, 1);
            try (KafkaProducer<String, String> a = producer(kafka.bootstrapFor("a"));
                 KafkaProducer<String, String> b = producer(kafka.bootstrapFor("b"))) {
                a.send(new ProducerRecord<>(TOPIC, "a-1")).get(30, TimeUnit.SECONDS);

                int leader = kafka.partitionLeader(TOPIC, 0);
                kafka.kill(leader);
                assertThat(kafka.running(leader)).isFalse();
                await().atMost(Duration.ofSeconds(30)).until(() -> {
                    int now = kafka.partitionLeader(TOPIC, 0);
                    return now != -1 && now != leader;
                });
                a.send(new ProducerRecord<>(TOPIC, "a-2")).get(30, TimeUnit.SECONDS);
                kafka.restart(leader);
                await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                        assertThat(kafka.inSyncReplicas(TOPIC, 0)).containsExactlyInAnyOrder(1, 2, 3));

                kafka.partition("a");
                var cut = a.send(new ProducerRecord<>(TOPIC, "a-cut"));
                b.send(new ProducerRecord<>(TOPIC, "b-during")).get(30, TimeUnit.SECONDS);
                assertThatThrownBy(() -> cut.get(30, TimeUnit.SECONDS))
                        .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(TimeoutException.class);
                kafka.heal("a");
                await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() ->
                        a.send(new ProducerRecord<>(TOPIC, "a-healed")).get(10, TimeUnit.SECONDS));
            }
        }
    }

    private static KafkaProducer<String, String> producer(String bootstrap) {
        return new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "6000",
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "3000",
                ProducerConfig.MAX_BLOCK_MS_CONFIG, "6000"), new StringSerializer(), new StringSerializer());
    }
}
