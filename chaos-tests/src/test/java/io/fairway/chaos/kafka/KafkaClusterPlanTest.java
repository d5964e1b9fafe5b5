package io.fairway.chaos.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Planning a cluster: client names become listener names or are refused with the reason; ports are distinct. */
class KafkaClusterPlanTest {
    @TempDir
    Path dir;

    @Test
    void everyBrokerHasADistinctPortForEveryClient() {
        KafkaCluster kafka = KafkaCluster.plan(dir, 3, List.of("r0", "replica-1"));
        Set<Integer> ports = new HashSet<>();
        for (int b = 1; b <= 3; b++) {
            ports.add(kafka.listenerPort("r0", b));
            ports.add(kafka.listenerPort("replica-1", b));
        }
        assertThat(ports).hasSize(6).allSatisfy(p -> assertThat(p).isPositive());
    }

    @Test
    void namesThatCannotBeListenersAreRefusedWithTheReason() {
        assertThatThrownBy(() -> KafkaCluster.plan(dir, 3, List.of("r 0")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'r 0' cannot name a Kafka listener");
        assertThatThrownBy(() -> KafkaCluster.plan(dir, 3, List.of("harness")))
                .hasMessageContaining("HARNESS, which the cluster uses itself");
        assertThatThrownBy(() -> KafkaCluster.plan(dir, 3, List.of("r-0", "R_0")))
                .hasMessageContaining("'r-0' and 'R_0' would both be listener R_0");
        assertThatThrownBy(() -> KafkaCluster.plan(dir, 3, List.of("")))
                .hasMessageContaining("a client name is empty");
    }

    @Test
    void unknownClientsAndBrokersAreNamed() {
        KafkaCluster kafka = KafkaCluster.plan(dir, 3, List.of("r0"));
        assertThatThrownBy(() -> kafka.listenerPort("r9", 1)).hasMessageContaining("no client 'r9'")
                .hasMessageContaining("[r0]");
        assertThatThrownBy(() -> kafka.listenerPort("r0", 4)).hasMessageContaining("no broker 4; brokers are numbered 1..3");
        assertThatThrownBy(() -> kafka.kill(1)).hasMessageContaining("is not started");
    }
}
