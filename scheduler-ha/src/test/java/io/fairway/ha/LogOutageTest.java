package io.fairway.ha;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fairway.log.kafka.KafkaEventLog;
import io.fairway.log.kafka.KafkaEventLogConfig;
import io.fairway.sandbox.apiserver.LocalApiServer;
import io.fairway.testsupport.EmbeddedKafka;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The leader loses the log (the broker stops) while it has nothing to commit: it must not sit on the lease, so that a
 * replica that can reach the log may lead. It gives the lease up and stops leading.
 */
class LogOutageTest {
    @TempDir
    Path tmp;

    @Test
    void aLeaderThatCannotReachTheLogGivesTheLeaseUp() {
        EmbeddedKafka kafka = EmbeddedKafka.start();
        try (LocalApiServer server = LocalApiServer.start();
             KubernetesClient client = new KubernetesClientBuilder()
                     .withConfig(new ConfigBuilder().withMasterUrl(server.url()).build()).build();
             KafkaEventLog log = KafkaEventLog.open(KafkaEventLogConfig.of(kafka.bootstrapServers())
                     .withTimeouts(Duration.ofSeconds(3), Duration.ofSeconds(15)))) {
            client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("fairway").endMetadata()
                    .build()).create();
            try (Replica r = Replica.start(client, log, ReplicaOptions.defaults("r0", tmp.resolve("r")))) {
                await().atMost(Duration.ofSeconds(60)).until(() -> r.role() == Replica.Role.LEADER);
                assertThat(r.logGiveUps()).isZero();

                kafka.close();
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                    assertThat(r.logGiveUps()).isPositive();
                    assertThat(r.role()).isNotEqualTo(Replica.Role.LEADER);
                });
                // the lease was released: its holder is empty or its renewals stopped
                Lease lease = client.leases().inNamespace("fairway").withName("fairway-leader").get();
                assertThat(lease.getSpec().getHolderIdentity() == null || lease.getSpec().getHolderIdentity().isEmpty()
                        || !r.election().leaseValid()).isTrue();
                assertThat(r.lastStepDown()).isNotEmpty();
                assertThat(r.failure()).isNull();
            }
        } finally {
            kafka.close();
        }
    }
}
