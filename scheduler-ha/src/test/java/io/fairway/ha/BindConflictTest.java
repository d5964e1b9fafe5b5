package io.fairway.ha;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.BindingBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fairway.core.events.Allocated;
import io.fairway.k8s.BinderOptions;
import io.fairway.log.LoggedEvent;
import io.fairway.log.kafka.KafkaEventLog;
import io.fairway.log.kafka.KafkaEventLogConfig;
import io.fairway.sandbox.apiserver.LocalApiServer;
import io.fairway.testsupport.EmbeddedKafka;
import io.fairway.testsupport.k8s.KubeControlPlane;
import io.fairway.testsupport.k8s.ReplicaFixtures;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Another scheduler binds a pod between Fairway's decision and its bind: the API server answers Fairway's binding
 * with 409 because the pod is on another node; nothing is bound twice, and the state, which saw the pod bound there,
 * counts it on that node and no longer on the one Fairway chose.
 */
class BindConflictTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path tmp;

    @Test
    void aPodBoundElsewhereFirstIsLeftWhereItRunsAndItsChosenNodeFreed() {
        try (LocalApiServer server = LocalApiServer.start();
             KubernetesClient client = new KubernetesClientBuilder()
                     .withConfig(new ConfigBuilder().withMasterUrl(server.url()).build()).build()) {
            rivalBindsFirst(client);
        }
    }

    /** The same against a real kube-apiserver: its 409 for a pod bound already is what the binder must read. */
    @Test
    @Tag("real-apiserver")
    void onARealApiServerTooAPodBoundElsewhereFirstIsLeftWhereItRuns() {
        try (KubeControlPlane cp = KubeControlPlane.start(tmp.resolve("k8s"), false);
             KubernetesClient client = cp.adminClient()) {
            rivalBindsFirst(client);
        }
    }

    private void rivalBindsFirst(KubernetesClient client) {
        try (EmbeddedKafka kafka = EmbeddedKafka.start();
             KafkaEventLog log = KafkaEventLog.open(KafkaEventLogConfig.of(kafka.bootstrapServers()))) {
            ReplicaFixtures.namespaces(client, "jobs", "fairway");
            ReplicaFixtures.node(client, "n0", "4", "32Gi");
            ReplicaFixtures.node(client, "n1", "4", "32Gi");
            // one bind at once, then one every 8 s: the second pod's bind waits, and the rival binds it meanwhile
            BinderOptions slow = BinderOptions.defaults().withRate(0.125, 1);
            try (Replica replica = Replica.start(client, log,
                    ReplicaOptions.defaults("replica-0", tmp.resolve("r")).withBinder(slow))) {
                client.pods().inNamespace("jobs").resource(ReplicaFixtures.pod("first")).create();
                await().atMost(WAIT).until(() -> client.pods().inNamespace("jobs").withName("first").get().getSpec()
                        .getNodeName() != null);

                String uid = client.pods().inNamespace("jobs").resource(ReplicaFixtures.pod("second")).create()
                        .getMetadata().getUid();
                String[] chosen = new String[1];
                await().atMost(WAIT).until(() -> {
                    for (LoggedEvent e : HaFixtures.all(log)) {
                        if (e.event() instanceof Allocated a && a.podUid().equals(uid)) {
                            chosen[0] = a.nodeName();
                            return true;
                        }
                    }
                    return false;
                });
                String rival = chosen[0].equals("n0") ? "n1" : "n0";
                client.bindings().inNamespace("jobs").resource(new BindingBuilder().withNewMetadata().withName("second")
                        .withNamespace("jobs").withUid(uid).endMetadata().withNewTarget().withKind("Node")
                        .withName(rival).endTarget().build()).create();

                // Fairway's bind comes later and is refused: the pod is on the rival's node
                await().atMost(WAIT).until(() -> replica.binder().failedCount() == 1);
                assertThat(client.pods().inNamespace("jobs").withName("second").get().getSpec().getNodeName())
                        .isEqualTo(rival);
                // the state follows the pod to where it runs, and the chosen node no longer holds its room
                await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
                    var state = replica.follower().state();
                    assertThat(state.pod(uid).node()).isEqualTo(rival);
                    assertThat(state.pod(uid).isBound()).isTrue();
                    assertThat(state.nodes().get(rival).pods()).contains(uid);
                    assertThat(state.nodes().get(chosen[0]).pods()).doesNotContain(uid);
                });
                // one decision for the pod, never a second binding or a second allocation
                assertThat(HaFixtures.all(log)).filteredOn(e -> e.event() instanceof Allocated a && a.podUid().equals(uid))
                        .hasSize(1);
                assertThat(replica.binder().boundCount()).isEqualTo(1);
                assertThat(replica.failure()).isNull();
            }
        }
    }
}
