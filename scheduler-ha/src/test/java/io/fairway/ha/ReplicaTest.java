package io.fairway.ha;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fairway.log.kafka.KafkaEventLog;
import io.fairway.log.kafka.KafkaEventLogConfig;
import io.fairway.sandbox.apiserver.LocalApiServer;
import io.fairway.testsupport.EmbeddedKafka;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole path with real parts: pods and nodes in the sandbox's API server, observed into a real Kafka log, applied
 * into RocksDB, decided by the leader, committed, bound through the API server and confirmed by the watcher.
 */
class ReplicaTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path tmp;

    private static Pod pod(String ns, String name, String app, String queue, String cpu) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace(ns)
                .withLabels(Map.of("yunikorn.apache.org/app-id", app, "queue", queue)).endMetadata()
                .withNewSpec().withSchedulerName("fairway").addNewContainer().withName("main").withImage("busybox")
                .withNewResources().withRequests(Map.of("cpu", new Quantity(cpu), "memory", new Quantity("1Gi")))
                .endResources().endContainer().endSpec().build();
    }

    @Test
    void podsAreScheduledThroughTheLogAndBoundAndAWaitingPodIsToldWhy() {
        try (EmbeddedKafka kafka = EmbeddedKafka.start();
             LocalApiServer server = LocalApiServer.start();
             KubernetesClient client = new KubernetesClientBuilder()
                     .withConfig(new ConfigBuilder().withMasterUrl(server.url()).build()).build();
             KafkaEventLog log = KafkaEventLog.open(KafkaEventLogConfig.of(kafka.bootstrapServers()))) {
            for (String ns : List.of("jobs", "fairway")) {
                client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata()
                        .build()).create();
            }
            for (int i = 0; i < 3; i++) {
                client.nodes().resource(new NodeBuilder().withNewMetadata().withName("node-" + i).endMetadata()
                        .withNewStatus().withCapacity(Map.of("cpu", new Quantity("4"), "memory", new Quantity("32Gi"),
                                "pods", new Quantity("110")))
                        .addNewCondition().withType("Ready").withStatus("True").endCondition().endStatus().build())
                        .create();
            }
            for (int i = 0; i < 10; i++) {
                client.pods().inNamespace("jobs").resource(pod("jobs", "p" + i, "app-" + (i % 2), "root.default", "1"))
                        .create();
            }
            client.pods().inNamespace("jobs").resource(pod("jobs", "huge", "app-huge", "root.default", "8")).create();

            try (Replica replica = Replica.start(client, log,
                    ReplicaOptions.defaults("replica-0", tmp.resolve("replica")))) {
                await().atMost(WAIT).untilAsserted(() -> {
                    assertThat(replica.failure()).isNull();
                    List<Pod> pods = client.pods().inNamespace("jobs").list().getItems();
                    assertThat(pods).filteredOn(p -> !p.getMetadata().getName().equals("huge"))
                            .hasSize(10).allSatisfy(p -> assertThat(p.getSpec().getNodeName()).startsWith("node-"));
                });
                Map<String, Integer> cpuPerNode = new HashMap<>();
                for (Pod p : client.pods().inNamespace("jobs").list().getItems()) {
                    if (p.getSpec().getNodeName() != null) {
                        cpuPerNode.merge(p.getSpec().getNodeName(), 1, Integer::sum);
                    }
                }
                assertThat(cpuPerNode.values()).allSatisfy(c -> assertThat(c).isLessThanOrEqualTo(4));

                await().atMost(WAIT).untilAsserted(() -> assertThat(client.pods().inNamespace("jobs")
                        .withName("huge").get().getStatus().getConditions()).anySatisfy(c -> {
                            assertThat(c.getType()).isEqualTo("PodScheduled");
                            assertThat(c.getStatus()).isEqualTo("False");
                            assertThat(c.getMessage()).contains("Insufficient cpu");
                        }));
                // the watcher saw the binds: the state holds every placed pod as bound (read while the leader thread
                // runs, so a read may trip over a change and is tried again)
                await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> assertThat(replica.follower().state().pods())
                        .filteredOn(p -> p.node() != null && !p.node().isEmpty())
                        .hasSize(10).allSatisfy(p -> assertThat(p.isBound()).isTrue()));
            }
        }
    }
}
