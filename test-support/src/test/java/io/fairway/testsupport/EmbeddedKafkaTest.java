package io.fairway.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class EmbeddedKafkaTest {

    @Test
    void startsProducesConsumesAndCleansUp() throws Exception {
        Path dir;
        String bootstrap;
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            dir = kafka.directory();
            bootstrap = kafka.bootstrapServers();
            assertThat(bootstrap).startsWith("127.0.0.1:");
            assertThat(Files.isDirectory(dir)).isTrue();

            kafka.createTopic("greetings", 2);

            RecordMetadata sent;
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                    ProducerConfig.ACKS_CONFIG, "all",
                    ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true"),
                    new StringSerializer(), new StringSerializer())) {
                sent = producer.send(new ProducerRecord<>("greetings", 1, "k", "hello")).get();
            }
            assertThat(sent.partition()).isEqualTo(1);
            assertThat(sent.offset()).isZero();

            TopicPartition tp = new TopicPartition("greetings", 1);
            List<ConsumerRecord<String, String>> got = new ArrayList<>();
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                    ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false"),
                    new StringDeserializer(), new StringDeserializer())) {
                consumer.assign(List.of(tp));
                consumer.seekToBeginning(List.of(tp));
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (got.isEmpty() && System.nanoTime() < deadline) {
                    consumer.poll(Duration.ofMillis(200)).forEach(got::add);
                }
            }
            assertThat(got).singleElement().satisfies(r -> {
                assertThat(r.key()).isEqualTo("k");
                assertThat(r.value()).isEqualTo("hello");
                assertThat(r.offset()).isZero();
            });
        }
        assertThat(Files.exists(dir)).as("log dir deleted on close").isFalse();
        int port = Integer.parseInt(bootstrap.substring(bootstrap.lastIndexOf(':') + 1));
        assertThat(canConnect(port)).as("listener closed").isFalse();
    }

    @Test
    void twoBrokersGetDifferentPortsAndCloseIsIdempotent() {
        EmbeddedKafka a = EmbeddedKafka.start();
        try (EmbeddedKafka b = EmbeddedKafka.start()) {
            assertThat(a.bootstrapServers()).isNotEqualTo(b.bootstrapServers());
            a.close();
            a.close();
            b.createTopic("still-up", 1);
        } finally {
            a.close();
        }
    }

    @Test
    void logbackIsTheOnlyLoggingBackend() {
        assertThat(org.slf4j.LoggerFactory.getILoggerFactory().getClass().getName())
                .isEqualTo("ch.qos.logback.classic.LoggerContext");
        assertThat(isOnClasspath("org.apache.logging.log4j.core.LoggerContext")).as("log4j-core excluded").isFalse();
        assertThat(isOnClasspath("org.apache.logging.slf4j.SLF4JServiceProvider")).as("no log4j SLF4J binding").isFalse();
        assertThat(isOnClasspath("org.apache.logging.slf4j.SLF4JProvider")).as("log4j-api goes to SLF4J").isTrue();
    }

    private static boolean isOnClasspath(String className) {
        try {
            Class.forName(className, false, EmbeddedKafkaTest.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    private static boolean canConnect(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
