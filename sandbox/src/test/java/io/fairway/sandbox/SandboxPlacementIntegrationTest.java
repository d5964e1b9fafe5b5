package io.fairway.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fairway.core.objects.YuniKornLabels;
import io.fairway.core.state.AppState;
import io.fairway.core.state.ClusterState;
import io.fairway.core.state.QueueState;
import io.fairway.ha.LeaderLoop;
import io.fairway.ha.Replica;
import io.fairway.sandbox.kubelet.KubeletOptions;
import io.fairway.sandbox.kubelet.NodeFleet;
import io.fairway.sandbox.kubelet.NodeSpec;
import io.fairway.sandbox.kubelet.PodLifecycle;
import io.fairway.sandbox.workload.WorkloadGenerator;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Placement rules, submit ACLs and user limits end to end: a real Kafka broker, the local API server, simulated kubelets
 * and one replica, pods created through the API server with YuniKorn's {@code user.info} annotation. alice (group dev)
 * is placed by the {@code user} rule into a queue created for her, root.tenants.alice; her second app waits for the
 * {@code maxapplications 1} limit every user has in root.tenants and her pod says so; bob (group ops) asks for root.ops,
 * whose submit ACL does not name him, and his pod says he is rejected and why, rule by rule; when alice's first app ends
 * (its pod Succeeded), her second starts in the same queue and a third waits, which starts once the second's pod is
 * deleted.
 */
class SandboxPlacementIntegrationTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String NS = "tenants";
    private static final String LIMIT = "one app per user";
    /** Rule by rule: the user rule filters bob out; provided finds root.ops, whose ACL keeps him out; no root.default. */
    private static final String BOB_REJECTED = "application bob-1 is rejected: no placement rule matched:"
            + " rule 1 (user under fixed root.tenants): user bob (groups ops) is filtered out (filter allow groups [dev]);"
            + " rule 2 (provided): user bob (groups ops) may not submit to root.ops: submitacl 'ops-admin' of root.ops"
            + " does not allow it; add the user or a group to one of them; fallback: root.default does not exist";
    private static final String QUEUES = """
            partitions:
              - name: default
                placementrules:
                  - name: user
                    create: true
                    filter:
                      type: allow
                      groups: [dev]
                    parent: {name: fixed, value: root.tenants}
                  - name: provided
                    create: false
                queues:
                  - name: root
                    queues:
                      - name: tenants
                        parent: true
                        submitacl: " dev"
                        limits:
                          - limit: %s
                            users: ["*"]
                            maxapplications: 1
                      - name: ops
                        submitacl: ops-admin
            """.formatted(LIMIT);

    private static Pod pod(String name, String appId, String user, List<String> groups, String queue) {
        Map<String, String> labels = new HashMap<>();
        labels.put("applicationId", appId);
        if (queue != null) {
            labels.put("queue", queue);
        }
        String groupsJson = groups.stream().map(g -> "\"" + g + "\"").collect(Collectors.joining(",", "[", "]"));
        return new PodBuilder().withNewMetadata().withName(name).withNamespace(NS).withLabels(labels)
                .withAnnotations(Map.of(YuniKornLabels.USER_INFO,
                        "{\"user\":\"" + user + "\",\"groups\":" + groupsJson + "}"))
                .endMetadata()
                .withNewSpec().withSchedulerName("fairway").addNewContainer().withName("main").withImage("busybox")
                .withNewResources().withRequests(Map.of("cpu", new Quantity("1"), "memory", new Quantity("1Gi")))
                .endResources().endContainer().endSpec().build();
    }

    /** Name → node ("" while pending): short to read in a failure. */
    private static Map<String, String> pods(KubernetesClient client) {
        return client.pods().inNamespace(NS).list().getItems().stream().collect(Collectors.toMap(
                p -> p.getMetadata().getName(), p -> Objects.requireNonNullElse(p.getSpec().getNodeName(), ""),
                (x, y) -> x, TreeMap::new));
    }

    private static List<Event> events(KubernetesClient client, String pod, String reason) {
        return client.v1().events().inNamespace(NS).list().getItems().stream()
                .filter(e -> pod.equals(e.getInvolvedObject().getName()) && reason.equals(e.getReason())).toList();
    }

    private static PodCondition scheduled(KubernetesClient client, String pod) {
        Pod p = client.pods().inNamespace(NS).withName(pod).get();
        assertThat(p).as("pod %s", pod).isNotNull();
        List<PodCondition> conditions = p.getStatus() == null || p.getStatus().getConditions() == null
                ? List.of() : p.getStatus().getConditions();
        return conditions.stream().filter(c -> "PodScheduled".equals(c.getType())).findFirst().orElse(null);
    }

    @Test
    void placementRulesSubmitAclsAndUserLimitsAreEnforcedThroughTheRealPieces() {
        try (SandboxCluster cluster = SandboxCluster.start(
                NodeFleet.of(NodeSpec.cpu("n0", 8, 32)),
                KubeletOptions.defaults().withStartDelay(Duration.ZERO).withStopTime(Duration.ofMillis(500)),
                QUEUES, LeaderLoop.Options.defaults("replica-0"))) {
            KubernetesClient client = cluster.client();
            WorkloadGenerator.ensureNamespaces(client, List.of(NS));

            // 1. alice's first app: placed by the user rule into root.tenants.alice, created for her, and bound
            client.pods().inNamespace(NS).resource(pod("alice-1-0", "alice-1", "alice", List.of("dev"), null)).create();
            await().atMost(WAIT).untilAsserted(() -> assertThat(pods(client)).containsEntry("alice-1-0", "n0"));
            await().atMost(WAIT).until(() -> "Running".equals(
                    client.pods().inNamespace(NS).withName("alice-1-0").get().getStatus().getPhase()));
            await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
                ClusterState state = cluster.replica().follower().state();
                AppState app = state.app("alice-1");
                assertThat(app).isNotNull();
                assertThat(app.queue()).isEqualTo("root.tenants.alice");
                assertThat(app.user()).isEqualTo("alice");
                assertThat(app.status()).isEqualTo(AppState.Status.RUNNING);
                QueueState q = state.queues().get("root.tenants.alice");
                assertThat(q).isNotNull();
                assertThat(q.isDynamic()).as("root.tenants.alice created by the user rule").isTrue();
                assertThat(q.isLeaf()).isTrue();
                assertThat(q.parent().fullName()).isEqualTo("root.tenants");
            });

            // 2. alice's second app waits for the limit: it is accepted, placed in her queue, but not started
            client.pods().inNamespace(NS).resource(pod("alice-2-0", "alice-2", "alice", List.of("dev"), null)).create();
            // a "*" limit is each user's own, and the message says which user it counted
            String limitMessage = "user alice in queue root.tenants runs 1 of maxapplications 1 (limit \"" + LIMIT
                    + "\" for user *); app alice-2 waits to start";
            await().atMost(WAIT).untilAsserted(() -> assertThat(events(client, "alice-2-0", "FailedScheduling"))
                    .singleElement().satisfies(e -> {
                        assertThat(e.getType()).isEqualTo("Warning");
                        assertThat(e.getMessage()).isEqualTo(limitMessage);
                    }));
            await().atMost(WAIT).untilAsserted(() -> assertThat(scheduled(client, "alice-2-0")).satisfies(c -> {
                assertThat(c).isNotNull();
                assertThat(c.getStatus()).isEqualTo("False");
                assertThat(c.getReason()).isEqualTo("Unschedulable");
                assertThat(c.getMessage()).isEqualTo(limitMessage);
            }));

            // 3. bob asks for root.ops: the user rule filters him out, provided takes root.ops, its ACL keeps him out
            client.pods().inNamespace(NS).resource(pod("bob-1-0", "bob-1", "bob", List.of("ops"), "root.ops")).create();
            await().atMost(WAIT).untilAsserted(() -> assertThat(events(client, "bob-1-0", "ApplicationRejected"))
                    .singleElement().satisfies(e -> {
                        assertThat(e.getType()).isEqualTo("Warning");
                        assertThat(e.getMessage()).isEqualTo(BOB_REJECTED);
                    }));
            await().atMost(WAIT).untilAsserted(() -> assertThat(scheduled(client, "bob-1-0")).satisfies(c -> {
                assertThat(c).isNotNull();
                assertThat(c.getStatus()).isEqualTo("False");
                assertThat(c.getReason()).isEqualTo("ApplicationRejected");
                assertThat(c.getMessage()).isEqualTo(BOB_REJECTED);
            }));

            // while alice-1 runs, alice-2 stays unbound (and bob's pod too), and the state agrees
            Replica leader = cluster.replica();
            await().atMost(WAIT).during(Duration.ofSeconds(2)).ignoreExceptions().untilAsserted(() -> {
                assertThat(pods(client)).containsEntry("alice-1-0", "n0").containsEntry("alice-2-0", "")
                        .containsEntry("bob-1-0", "");
                ClusterState state = leader.follower().state();
                assertThat(state.app("alice-2").queue()).isEqualTo("root.tenants.alice");
                assertThat(state.app("alice-2").status()).isEqualTo(AppState.Status.ACCEPTED);
                assertThat(state.app("bob-1").status()).isEqualTo(AppState.Status.REJECTED);
                assertThat(BOB_REJECTED).contains(state.app("bob-1").rejection());
                assertThat(state.queues().get("root.ops").apps()).isEmpty();
                assertThat(state.queues().get("root.tenants.bob")).isNull();
            });

            // 4. alice's first app ends, its pod Succeeded (written as its kubelet writes it at the end of its run
            // time): her second app starts in her queue; a third one now waits for the limit in its turn
            client.pods().inNamespace(NS).resource(pod("alice-3-0", "alice-3", "alice", List.of("dev"), null)).create();
            Pod first = client.pods().inNamespace(NS).withName("alice-1-0").get();
            client.pods().inNamespace(NS).withName("alice-1-0").editStatus(p -> {
                p.setStatus(PodLifecycle.terminated(p, p.getStatus().getHostIP(), p.getStatus().getPodIP(),
                        Instant.parse(first.getStatus().getStartTime()), Instant.now(), 0));
                return p;
            });
            await().atMost(WAIT).untilAsserted(() -> assertThat(pods(client)).containsEntry("alice-2-0", "n0")
                    .containsEntry("alice-3-0", "").containsEntry("bob-1-0", ""));
            await().atMost(WAIT).until(() -> "Running".equals(
                    client.pods().inNamespace(NS).withName("alice-2-0").get().getStatus().getPhase()));
            await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
                ClusterState state = leader.follower().state();
                assertThat(state.app("alice-1").status()).isEqualTo(AppState.Status.COMPLETED);
                assertThat(state.app("alice-2").queue()).isEqualTo("root.tenants.alice");
                assertThat(state.app("alice-2").status()).isEqualTo(AppState.Status.RUNNING);
                assertThat(state.app("alice-3").status()).isEqualTo(AppState.Status.ACCEPTED);
                assertThat(state.queues().get("root.tenants").runningApps()).isEqualTo(1);
            });
            await().atMost(WAIT).untilAsserted(() -> assertThat(events(client, "alice-3-0", "FailedScheduling"))
                    .singleElement().satisfies(e -> assertThat(e.getMessage()).isEqualTo(
                            limitMessage.replace("alice-2", "alice-3"))));

            // and when alice's second app's pod is deleted (the kubelet stops it), her third one starts
            client.pods().inNamespace(NS).withName("alice-2-0").delete();
            await().atMost(WAIT).untilAsserted(() -> assertThat(pods(client)).doesNotContainKey("alice-2-0")
                    .containsEntry("alice-3-0", "n0").containsEntry("bob-1-0", ""));
            await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
                ClusterState state = leader.follower().state();
                assertThat(state.app("alice-3").queue()).isEqualTo("root.tenants.alice");
                assertThat(state.app("alice-3").status()).isEqualTo(AppState.Status.RUNNING);
                assertThat(state.queues().get("root.tenants").runningApps()).isEqualTo(1);
            });
            // bob stays rejected: no event says anything else of him
            assertThat(events(client, "bob-1-0", "FailedScheduling")).isEmpty();
            assertThat(leader.failure()).isNull();
        }
    }
}
