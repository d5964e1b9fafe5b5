package io.fairway.ha;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fairway.core.objects.GangAnnotations;
import io.fairway.core.state.AppState;
import io.fairway.core.state.Gang;
import io.fairway.k8s.WaitingReporter;
import io.fairway.k8s.WatcherOptions;
import io.fairway.log.kafka.KafkaEventLog;
import io.fairway.log.kafka.KafkaEventLogConfig;
import io.fairway.sandbox.apiserver.LocalApiServer;
import io.fairway.testsupport.EmbeddedKafka;
import io.fairway.testsupport.k8s.ReplicaFixtures;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Gangs through the real path (API server, watcher, Kafka, a replica): a gang bound whole, a gang whose task groups
 * cannot be read scheduled as a normal app and told so on its pod, and a Hard gang that times out failing with the
 * reason on its pods, nothing of it bound.
 */
class GangReportingTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String WORKERS = "[{\"name\":\"worker\",\"minMember\":3,\"minResource\":{\"cpu\":\"1\",\"memory\":\"1Gi\"}}]";

    @TempDir
    Path tmp;

    private static Pod member(String name, String app, String groups, String parameters) {
        Pod p = ReplicaFixtures.pod(name);
        return new PodBuilder(p).editMetadata().addToLabels("yunikorn.apache.org/app-id", app)
                .addToAnnotations(Map.of(GangAnnotations.TASK_GROUP_NAME, "worker", GangAnnotations.TASK_GROUPS, groups,
                        GangAnnotations.POLICY_PARAMETERS, parameters)).endMetadata().build();
    }

    private static String nodeOf(KubernetesClient client, String pod) {
        Pod p = client.pods().inNamespace("jobs").withName(pod).get();
        return p == null || p.getSpec().getNodeName() == null ? "" : p.getSpec().getNodeName();
    }

    @Test
    void gangsAreBoundWholeAndTheirFailuresAreToldOnThePods() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start();
             LocalApiServer server = LocalApiServer.start();
             KubernetesClient client = new KubernetesClientBuilder()
                     .withConfig(new ConfigBuilder().withMasterUrl(server.url()).build()).build();
             KafkaEventLog log = KafkaEventLog.open(KafkaEventLogConfig.of(kafka.bootstrapServers()))) {
            ReplicaFixtures.namespaces(client, "jobs", WatcherOptions.DEFAULT_CONFIG_NAMESPACE);
            ReplicaFixtures.node(client, "n0", "4", "32Gi");
            try (Replica replica = Replica.start(client, log, ReplicaOptions.defaults("replica-0", tmp.resolve("r")))) {
                // three workers of 1 cpu on a 4-cpu node: reserved whole, every member bound into its slot
                for (int i = 0; i < 3; i++) {
                    client.pods().inNamespace("jobs").resource(member("ok-" + i, "ok", WORKERS, "")).create();
                }
                await().atMost(WAIT).untilAsserted(() -> assertThat(List.of("ok-0", "ok-1", "ok-2"))
                        .allSatisfy(p -> assertThat(nodeOf(client, p)).isEqualTo("n0")));
                await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
                    AppState app = replica.follower().state().app("ok");
                    assertThat(app.gang().status()).isEqualTo(Gang.Status.RESERVED);
                    assertThat(app.gang().slots()).hasSize(3).allSatisfy(s -> assertThat(s.isFree()).isFalse());
                });

                // unreadable task groups: scheduled as a normal app, and the pod says what is wrong
                client.pods().inNamespace("jobs").resource(member("bad-0", "bad", "[{\"name\":", "")).create();
                await().atMost(WAIT).untilAsserted(() -> assertThat(nodeOf(client, "bad-0")).isEqualTo("n0"));
                await().atMost(WAIT).untilAsserted(() -> assertThat(client.pods().inNamespace("jobs").withName("bad-0")
                        .get().getStatus().getConditions()).anySatisfy(c -> {
                            assertThat(c.getType()).isEqualTo(WaitingReporter.GANG_CONDITION);
                            assertThat(c.getStatus()).isEqualTo("False");
                            assertThat(c.getReason()).isEqualTo("InvalidTaskGroups");
                            assertThat(c.getMessage()).contains("annotation yunikorn.apache.org/task-groups is not valid JSON");
                        }));
                await().atMost(WAIT).untilAsserted(() -> assertThat(client.v1().events().inNamespace("jobs").list()
                        .getItems()).anySatisfy(e -> {
                            assertThat(e.getReason()).isEqualTo("InvalidTaskGroups");
                            assertThat(e.getInvolvedObject().getName()).isEqualTo("bad-0");
                        }));

                // a Hard gang that cannot fit (3 × 1 cpu, and no cpu is left) fails at its timeout, nothing of it bound
                for (int i = 0; i < 3; i++) {
                    client.pods().inNamespace("jobs").resource(member("hard-" + i, "hard", WORKERS,
                            "placeholderTimeoutInSeconds=2 gangSchedulingStyle=Hard")).create();
                }
                await().atMost(WAIT).untilAsserted(() -> assertThat(client.pods().inNamespace("jobs").withName("hard-0")
                        .get().getStatus().getConditions()).anySatisfy(c -> {
                            assertThat(c.getType()).isEqualTo(WaitingReporter.GANG_CONDITION);
                            assertThat(c.getReason()).isEqualTo("GangFailed");
                            assertThat(c.getMessage()).contains("gangSchedulingStyle Hard: the app fails");
                        }));
                await().atMost(WAIT).untilAsserted(() -> assertThat(client.pods().inNamespace("jobs").withName("hard-1")
                        .get().getStatus().getConditions()).anySatisfy(c -> {
                            assertThat(c.getType()).isEqualTo("PodScheduled");
                            assertThat(c.getMessage()).startsWith("application hard failed: gang of app hard was not complete 2s");
                        }));
                assertThat(List.of("hard-0", "hard-1", "hard-2")).allSatisfy(p -> assertThat(nodeOf(client, p)).isEmpty());
                assertThat(replica.follower().state().app("hard").status()).isEqualTo(AppState.Status.FAILED);
                // what /statez reports of them
                assertThat(replica.stateMark().get(10, TimeUnit.SECONDS).gangs())
                        .containsExactly(Map.entry("failed", 1), Map.entry("normal", 1), Map.entry("reserved", 1));
                assertThat(replica.failure()).isNull();
            }
        }
    }
}
