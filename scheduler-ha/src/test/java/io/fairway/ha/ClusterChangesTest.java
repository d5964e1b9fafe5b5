package io.fairway.ha;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fairway.k8s.WatcherOptions;
import io.fairway.log.kafka.KafkaEventLog;
import io.fairway.log.kafka.KafkaEventLogConfig;
import io.fairway.sandbox.apiserver.LocalApiServer;
import io.fairway.testsupport.EmbeddedKafka;
import io.fairway.testsupport.k8s.Kubectl;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A running replica while the cluster changes under it, all through the real path: a queue config reloaded (valid,
 * then invalid), a pod deleted while it waits, a node removed, and {@code kubectl get pods -o wide} showing the nodes
 * Fairway chose.
 */
class ClusterChangesTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path tmp;

    private static String queues(int maxA) {
        return "partitions:\n  - name: default\n    queues:\n      - name: root\n        queues:\n"
                + "          - name: a\n            resources:\n              max: {vcore: " + maxA + "}\n"
                + "          - name: b\n";
    }

    private static Pod pod(String name, String queue, String cpu) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace("jobs")
                .withLabels(Map.of("yunikorn.apache.org/app-id", "app-" + name, "queue", queue)).endMetadata()
                .withNewSpec().withSchedulerName("fairway").addNewContainer().withName("main").withImage("busybox")
                .withNewResources().withRequests(Map.of("cpu", new Quantity(cpu), "memory", new Quantity("1Gi")))
                .endResources().endContainer().endSpec().build();
    }

    private static String nodeOf(KubernetesClient client, String pod) {
        Pod p = client.pods().inNamespace("jobs").withName(pod).get();
        return p == null || p.getSpec().getNodeName() == null ? "" : p.getSpec().getNodeName();
    }

    private static void node(KubernetesClient client, String name) {
        client.nodes().resource(new NodeBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewStatus().withCapacity(Map.of("cpu", new Quantity("4"), "memory", new Quantity("32Gi"),
                        "pods", new Quantity("110")))
                .addNewCondition().withType("Ready").withStatus("True").endCondition().endStatus().build()).create();
    }

    private static void config(KubernetesClient client, String yaml) {
        client.configMaps().inNamespace(WatcherOptions.DEFAULT_CONFIG_NAMESPACE).resource(new ConfigMapBuilder()
                .withNewMetadata().withName(WatcherOptions.DEFAULT_CONFIG_NAME).endMetadata()
                .withData(Map.of(WatcherOptions.CONFIG_KEY, yaml)).build()).createOr(r -> r.update());
    }

    @Test
    void theSchedulerFollowsConfigReloadsDeletionsAndNodeRemovals() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start();
             LocalApiServer server = LocalApiServer.start();
             KubernetesClient client = new KubernetesClientBuilder()
                     .withConfig(new ConfigBuilder().withMasterUrl(server.url()).build()).build();
             KafkaEventLog log = KafkaEventLog.open(KafkaEventLogConfig.of(kafka.bootstrapServers()))) {
            for (String ns : List.of("jobs", WatcherOptions.DEFAULT_CONFIG_NAMESPACE)) {
                client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata()
                        .build()).create();
            }
            node(client, "n0");
            node(client, "n1");
            config(client, queues(2));
            for (int i = 0; i < 4; i++) {
                client.pods().inNamespace("jobs").resource(pod("a" + i, "root.a", "1")).create();
            }
            try (Replica replica = Replica.start(client, log, ReplicaOptions.defaults("replica-0", tmp.resolve("r")))) {
                // root.a may use 2 cpu: two pods run, two wait and are told why
                await().atMost(WAIT).untilAsserted(() -> assertThat(List.of("a0", "a1", "a2", "a3"))
                        .filteredOn(p -> !nodeOf(client, p).isEmpty()).hasSize(2));
                await().atMost(WAIT).untilAsserted(() -> assertThat(client.pods().inNamespace("jobs").list().getItems())
                        .filteredOn(p -> p.getSpec().getNodeName() == null)
                        .allSatisfy(p -> assertThat(p.getStatus().getConditions()).anySatisfy(c ->
                                assertThat(c.getMessage()).contains("root.a"))));

                // a valid reload raises the max: the waiting pods are scheduled
                config(client, queues(4));
                await().atMost(WAIT).untilAsserted(() -> assertThat(List.of("a0", "a1", "a2", "a3"))
                        .allSatisfy(p -> assertThat(nodeOf(client, p)).isNotEmpty()));

                // an invalid reload is rejected with an Event, and the previous config stays in force
                config(client, "partitions: [");
                await().atMost(WAIT).untilAsserted(() -> assertThat(client.v1().events()
                        .inNamespace(WatcherOptions.DEFAULT_CONFIG_NAMESPACE).list().getItems())
                        .anySatisfy(e -> assertThat(e.getReason()).isEqualTo("InvalidQueueConfig")));
                client.pods().inNamespace("jobs").resource(pod("b0", "root.b", "1")).create();
                await().atMost(WAIT).untilAsserted(() -> assertThat(nodeOf(client, "b0")).isNotEmpty());

                // a pod deleted while it waits leaves the state
                Pod big = client.pods().inNamespace("jobs").resource(pod("big", "root.b", "16")).create();
                await().atMost(WAIT).untilAsserted(() -> assertThat(client.pods().inNamespace("jobs").withName("big")
                        .get().getStatus().getConditions()).anySatisfy(c -> assertThat(c.getMessage())
                                .contains("Insufficient cpu")));
                client.pods().inNamespace("jobs").withName("big").delete();
                await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> assertThat(replica.follower().state()
                        .pod(big.getMetadata().getUid())).isNull());

                // a node removed: new pods go to the one left
                client.nodes().withName("n1").delete();
                await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> assertThat(replica.follower().state()
                        .nodes()).doesNotContainKey("n1"));
                client.pods().inNamespace("jobs").resource(pod("b1", "root.b", "1")).create();
                await().atMost(WAIT).untilAsserted(() -> assertThat(nodeOf(client, "b1")).isEqualTo("n0"));
                assertThat(replica.failure()).isNull();

                // kubectl, an independent client, shows the nodes Fairway chose
                Path kubeconfig = server.writeKubeconfig(tmp.resolve("kubeconfig"));
                Process kubectl = new ProcessBuilder(Kubectl.path().toString(), "--kubeconfig", kubeconfig.toString(),
                        "get", "pods", "-n", "jobs", "-o", "wide").redirectErrorStream(true).start();
                assertThat(kubectl.waitFor(60, TimeUnit.SECONDS)).isTrue();
                String out = new String(kubectl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertThat(kubectl.exitValue()).as(out).isZero();
                assertThat(out).contains("NODE");
                assertThat(out.lines().filter(l -> l.startsWith("b1 ")).findFirst().orElseThrow()).contains(" n0 ");
                assertThat(out.lines().filter(l -> l.startsWith("a0 ")).findFirst().orElseThrow())
                        .containsPattern(" n[01] ");
            }
        }
    }
}
