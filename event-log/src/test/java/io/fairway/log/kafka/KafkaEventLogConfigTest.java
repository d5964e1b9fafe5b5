package io.fairway.log.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KafkaEventLogConfigTest {
    @Test
    void defaultsSuitAOneBrokerCluster() {
        KafkaEventLogConfig c = KafkaEventLogConfig.of("localhost:9092");
        assertThat(c.topic()).isEqualTo("fairway.events");
        assertThat(c.partition()).isZero();
        assertThat(c.partitions()).isEqualTo(1);
        assertThat(c.replicationFactor()).isEqualTo((short) 1);
        assertThat(c.minInsyncReplicas()).isEqualTo(1);
        assertThat(c.retention()).isEqualTo(Duration.ofDays(14));
        assertThat(c.transactionalId()).isEqualTo("fairway-leader-fairway.events-0");
        assertThat(c.lingerMs()).isEqualTo(10);
        assertThat(c.batchSize()).isEqualTo(128 * 1024);
    }

    @Test
    void theTransactionalIdFollowsTopicAndPartitionUnlessSet() {
        KafkaEventLogConfig c = KafkaEventLogConfig.of("k:9092").withTopic("t").withPartition(4, 8);
        assertThat(c.transactionalId()).isEqualTo("fairway-leader-t-4");
        KafkaEventLogConfig fixed = c.withTransactionalId("mine").withPartition(1, 8).withTopic("u");
        assertThat(fixed.transactionalId()).isEqualTo("mine");
    }

    @Test
    void aRealClusterSetting() {
        KafkaEventLogConfig c = KafkaEventLogConfig.of("k:9092").withReplication(3, 2)
                .withClientProperties(Map.of("security.protocol", "SSL"));
        assertThat(c.replicationFactor()).isEqualTo((short) 3);
        assertThat(c.minInsyncReplicas()).isEqualTo(2);
        assertThat(c.clientProperties()).containsEntry("security.protocol", "SSL");
    }

    @Test
    void badValuesAreRefusedWithTheReason() {
        KafkaEventLogConfig c = KafkaEventLogConfig.of("k:9092");
        assertThatThrownBy(() -> KafkaEventLogConfig.of(" "))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bootstrapServers is empty");
        assertThatThrownBy(() -> c.withTopic("bad topic"))
                .hasMessageContaining("topic 'bad topic' is not a legal Kafka topic name");
        assertThatThrownBy(() -> c.withPartition(2, 2))
                .hasMessageContaining("partitions (2) must be more than the partition this log uses (2)");
        assertThatThrownBy(() -> c.withPartition(-1, 2)).hasMessageContaining("partition must be 0 or more");
        assertThatThrownBy(() -> c.withReplication(0, 1)).hasMessageContaining("replicationFactor must be at least 1");
        assertThatThrownBy(() -> c.withReplication(3, 4))
                .hasMessageContaining("minInsyncReplicas (4) must be between 1 and replicationFactor (3)");
        assertThatThrownBy(() -> c.withTransactionalId(" ")).hasMessageContaining("transactionalId is blank");
        assertThatThrownBy(() -> c.withTimeouts(Duration.ofMillis(5), Duration.ofSeconds(10)))
                .hasMessageContaining("timeout must be at least 100 ms");
    }
}
