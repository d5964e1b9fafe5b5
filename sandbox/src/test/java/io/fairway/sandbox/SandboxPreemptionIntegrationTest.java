package io.fairway.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fairway.core.objects.GangAnnotations;
import io.fairway.ha.LeaderLoop;
import io.fairway.ha.Replica;
import io.fairway.k8s.Evictor;
import io.fairway.sandbox.kubelet.KubeletOptions;
import io.fairway.sandbox.kubelet.NodeFleet;
import io.fairway.sandbox.kubelet.NodeSpec;
import io.fairway.sandbox.workload.WorkloadGenerator;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Guaranteed preemption end to end: a real Kafka broker, the local API server (graceful deletion waits for the
 * kubelet, as on a real cluster), simulated kubelets and one replica. Queue b fills both nodes; a pod of queue a, below
 * its guarantee, preempts exactly one of b's pods (the only one that did not opt out), which is deleted through the
 * API server with a {@code Preempted} Event, terminates, and leaves; the preemptor is bound where it was, and nothing
 * else is preempted.
 */
class SandboxPreemptionIntegrationTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String NS = "jobs";
    private static final String QUEUES = """
            partitions:
              - name: default
                queues:
                  - name: root
                    queues:
                      - name: a
                        resources: {guaranteed: {vcore: 4}}
                        properties: {preemption.delay: 1s}
                      - name: b
                        resources: {guaranteed: {vcore: 4}}
                        properties: {preemption.delay: 1s}
            """;

    private static Pod pod(String name, String queue, boolean allowPreemption) {
        Map<String, String> annotations = new HashMap<>();
        if (!allowPreemption) {
            annotations.put(GangAnnotations.ALLOW_PREEMPTION, "false");
        }
        return new PodBuilder().withNewMetadata().withName(name).withNamespace(NS)
                .withLabels(Map.of("yunikorn.apache.org/app-id", "app-" + name, "queue", queue))
                .withAnnotations(annotations).endMetadata()
                .withNewSpec().withSchedulerName("fairway").addNewContainer().withName("main").withImage("busybox")
                .withNewResources().withRequests(Map.of("cpu", new Quantity("1"), "memory", new Quantity("1Gi")))
                .endResources().endContainer().endSpec().build();
    }

    /** Name → node ("" while pending), with "†" after the node of a pod being deleted: short to read in a failure. */
    private static Map<String, String> pods(KubernetesClient client) {
        return client.pods().inNamespace(NS).list().getItems().stream().collect(Collectors.toMap(
                p -> p.getMetadata().getName(),
                p -> Objects.requireNonNullElse(p.getSpec().getNodeName(), "")
                        + (p.getMetadata().getDeletionTimestamp() == null ? "" : "†"),
                (x, y) -> x, TreeMap::new));
    }

    private static List<Event> events(KubernetesClient client, String pod, String reason) {
        return client.v1().events().inNamespace(NS).list().getItems().stream()
                .filter(e -> pod.equals(e.getInvolvedObject().getName()) && reason.equals(e.getReason())).toList();
    }

    @Test
    void aPodBelowItsGuaranteePreemptsExactlyOneVictimAndRunsWhereItWas() throws Exception {
        try (SandboxCluster cluster = SandboxCluster.start(
                NodeFleet.of(NodeSpec.cpu("n0", 4, 32), NodeSpec.cpu("n1", 4, 32)),
                KubeletOptions.defaults().withStartDelay(Duration.ZERO).withStopTime(Duration.ofSeconds(1)),
                QUEUES, LeaderLoop.Options.defaults("replica-0"))) {
            KubernetesClient client = cluster.client();
            WorkloadGenerator.ensureNamespaces(client, List.of(NS));
            // b fills both nodes; only b-7 may be preempted, so that the victim is known
            for (int i = 0; i < 8; i++) {
                client.pods().inNamespace(NS).resource(pod("b-" + i, "root.b", i == 7)).create();
            }
            await().atMost(WAIT).untilAsserted(() -> assertThat(client.pods().inNamespace(NS).list().getItems())
                    .hasSize(8).allSatisfy(p -> assertThat(p.getStatus().getPhase()).isEqualTo("Running")));
            String victimNode = client.pods().inNamespace(NS).withName("b-7").get().getSpec().getNodeName();
            String victimUid = client.pods().inNamespace(NS).withName("b-7").get().getMetadata().getUid();

            client.pods().inNamespace(NS).resource(pod("a-0", "root.a", true)).create();

            // the victim is deleted gracefully and told by whom; the preemptor is told it preempts
            await().atMost(WAIT).untilAsserted(() -> assertThat(events(client, "b-7", Evictor.PREEMPTED))
                    .singleElement().satisfies(e -> {
                        assertThat(e.getType()).isEqualTo("Warning");
                        assertThat(e.getInvolvedObject().getUid()).isEqualTo(victimUid);
                        assertThat(e.getMessage()).startsWith("Preempted by pod jobs/a-0 (queue root.a) on node "
                                + victimNode + ": ").contains("within its guarantee");
                    }));
            await().atMost(WAIT).untilAsserted(() -> assertThat(events(client, "a-0", Evictor.PREEMPTING))
                    .singleElement().satisfies(e -> assertThat(e.getMessage())
                            .startsWith("preempting 1 pod(s) on node " + victimNode + " (guaranteed): jobs/b-7")));

            // it leaves (its kubelet stops it), and the preemptor is bound into the room held for it
            await().atMost(WAIT).untilAsserted(() -> assertThat(pods(client)).doesNotContainKey("b-7")
                    .containsEntry("a-0", victimNode));
            await().atMost(WAIT).until(() -> "Running".equals(
                    client.pods().inNamespace(NS).withName("a-0").get().getStatus().getPhase()));

            // one preemption, and no second one while the scheduler keeps cycling: every other pod of b stays
            Replica leader = cluster.replica();
            long cyclesThen = leader.loop().cycles();
            await().atMost(WAIT).during(Duration.ofSeconds(3)).untilAsserted(() -> {
                assertThat(pods(client)).hasSize(8).doesNotContainKey("b-7").allSatisfy((name, node) ->
                        assertThat(node).as("node of %s", name).isIn("n0", "n1"));
                assertThat(leader.follower().state().preemptions()).isEqualTo(1);
            });
            assertThat(leader.loop().cycles()).as("cycles run meanwhile").isGreaterThan(cyclesThen);
            assertThat(leader.loop().preemptionsCarriedOut()).isEqualTo(1);
            assertThat(leader.evictor().deletedCount()).isEqualTo(1);
            Replica.StateMark mark = leader.stateMark().get(10, TimeUnit.SECONDS);
            assertThat(mark.preemptions()).isEqualTo(1);
            assertThat(mark.victimsTerminating()).isZero();
            // the demo's summary line says the same
            assertThat(Demo.preemptionsLine(leader.follower().state())).isEqualTo("preemptions: 1 applied, 0 victim(s) terminating");
            assertThat(leader.failure()).isNull();
        }
    }
}
