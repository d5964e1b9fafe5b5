package io.fairway.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fairway.ha.LeaderLoop;
import io.fairway.ha.Replica;
import io.fairway.sandbox.kubelet.KubeletOptions;
import io.fairway.sandbox.kubelet.NodeFleet;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The sandbox on a real etcd + kube-apiserver ({@code fairway demo --apiserver real}): simulated kubelets run what
 * Fairway binds, a pod that fits nowhere is explained where {@code kubectl describe} shows it, and a standby takes
 * over from a killed leader.
 */
@Tag("real-apiserver")
class SandboxRealApiServerTest {
    private static final Duration WAIT = Duration.ofSeconds(120);

    private static Pod pod(String name, String cpu) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace("jobs")
                .withLabels(Map.of("queue", "root.tenants.team-a", "applicationId", "app-" + name)).endMetadata()
                .withNewSpec().withSchedulerName("fairway").addNewContainer().withName("main").withImage("busybox")
                .withNewResources().withRequests(Map.of("cpu", new Quantity(cpu), "memory", new Quantity("1Gi")))
                .endResources().endContainer().endSpec().build();
    }

    private static List<Pod> running(KubernetesClient c) {
        return c.pods().inNamespace("jobs").list().getItems().stream()
                .filter(p -> p.getStatus() != null && "Running".equals(p.getStatus().getPhase())).toList();
    }

    @Test
    void kubeletsRunWhatFairwayBindsKubectlShowsWhyAPodWaitsAndAStandbyTakesOver() throws Exception {
        try (SandboxCluster cluster = SandboxCluster.start(NodeFleet.uniformCpu(4), KubeletOptions.defaults(),
                SandboxCluster.demoQueues(), LeaderLoop.Options.defaults("replica-0"), 2,
                SandboxCluster.ApiServerKind.REAL)) {
            assertThat(cluster.apiServer()).isNull();
            assertThat(cluster.controlPlane()).isNotNull();
            KubernetesClient admin = cluster.client();
            admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("jobs").endMetadata()
                    .build()).create();
            for (int i = 0; i < 4; i++) {
                admin.pods().inNamespace("jobs").resource(pod("first-" + i, "1")).create();
            }
            admin.pods().inNamespace("jobs").resource(pod("too-big", "1000")).create();
            await().atMost(WAIT).untilAsserted(() -> assertThat(running(admin)).hasSize(4));

            Process describe = new ProcessBuilder(cluster.controlPlane().kubectl().toString(), "--kubeconfig",
                    cluster.kubeconfig().toString(), "-n", "jobs", "describe", "pod", "too-big")
                    .redirectErrorStream(true).start();
            String text = new String(describe.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(describe.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(text).as(text).contains("PodScheduled", "False", "FailedScheduling", "fairway");

            String killed = cluster.killLeader(Duration.ofSeconds(5));
            assertThat(killed).isNotNull();
            for (int i = 0; i < 4; i++) {
                admin.pods().inNamespace("jobs").resource(pod("after-" + i, "1")).create();
            }
            await().atMost(WAIT).untilAsserted(() -> assertThat(running(admin)).hasSize(8));
            Replica leader = cluster.leader();
            assertThat(leader).isNotNull();
            assertThat(leader.name()).isNotEqualTo(killed);
        }
    }
}
