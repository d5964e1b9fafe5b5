package io.fairway.chaos.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Runs everywhere: with no engine, the reason is the message the suite logs when it falls back to processes. */
class TestcontainersKafkaAvailabilityTest {
    @Test
    void whyNotSaysWhyExactlyWhenDockerIsMissing() {
        if (TestcontainersKafka.available()) {
            assertThat(TestcontainersKafka.whyNot()).isEmpty();
        } else {
            assertThat(TestcontainersKafka.whyNot()).isEqualTo("no Docker engine: using process brokers");
        }
    }
}
