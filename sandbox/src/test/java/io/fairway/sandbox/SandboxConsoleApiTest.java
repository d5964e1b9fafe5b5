package io.fairway.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fairway.ha.LeaderLoop;
import io.fairway.ha.Replica;
import io.fairway.sandbox.kubelet.KubeletOptions;
import io.fairway.sandbox.kubelet.NodeFleet;
import io.fairway.sandbox.kubelet.NodeSpec;
import io.fairway.sandbox.workload.WorkloadGenerator;
import io.fairway.ui.access.AccessControl;
import io.fairway.ui.access.Principal;
import io.fairway.ui.access.Role;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Every endpoint of the console's API against a running sandbox (real broker, API server, kubelets, two replicas),
 * with tokens as {@code fairway demo} uses them; the last test kills the leader and watches the console follow.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SandboxConsoleApiTest {
    static final Duration WAIT = Duration.ofSeconds(60);
    static final String NS = "team-a";
    static final String ADMIN = "sandbox-admin-0123456789";
    static final String VIEWER = "sandbox-viewer-0123456789";
    static final String QUEUES = """
            partitions:
              - name: default
                queues:
                  - name: root
                    queues:
                      - name: default
                      - name: batch
                        resources: {guaranteed: {vcore: 2}, max: {vcore: 6}}
            """;

    final HttpClient http = HttpClient.newHttpClient();
    final ObjectMapper json = new ObjectMapper();
    SandboxCluster cluster;
    SandboxConsole console;
    String base;

    static Pod pod(String name, String app, String cpu) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace(NS)
                .withLabels(Map.of("applicationId", app, "queue", "root.batch")).endMetadata()
                .withNewSpec().withSchedulerName("fairway").addNewContainer().withName("main").withImage("busybox")
                .withNewResources().withRequests(Map.of("cpu", new Quantity(cpu), "memory", new Quantity("1Gi")))
                .endResources().endContainer().endSpec().build();
    }

    @BeforeAll
    void start() {
        cluster = SandboxCluster.start(NodeFleet.of(NodeSpec.cpu("cpu-0", 8, 32), NodeSpec.cpu("gpu-0", 8, 64)
                        .withGpus(2, "A100")),
                KubeletOptions.defaults().withStartDelay(Duration.ZERO).withDefaultRunTime(Duration.ofHours(1)),
                QUEUES, LeaderLoop.Options.defaults("replica-0"), 2);
        console = cluster.startConsole(AccessControl.tokens(Map.of(ADMIN, new Principal("ops", Role.ADMIN),
                VIEWER, new Principal("dev", Role.VIEWER)), false), "127.0.0.1", 0);
        base = "http://127.0.0.1:" + console.port();
        KubernetesClient client = cluster.client();
        WorkloadGenerator.ensureNamespaces(client, List.of(NS));
        for (int i = 0; i < 3; i++) {
            client.pods().inNamespace(NS).resource(pod("spark-1-" + i, "spark-1", "1")).create();
        }
        // more than root.batch's max allows beside them: it waits, and says why
        client.pods().inNamespace(NS).resource(pod("big-0", "big", "5")).create();
        await().atMost(WAIT).untilAsserted(() -> assertThat(client.pods().inNamespace(NS).list().getItems())
                .filteredOn(p -> p.getMetadata().getName().startsWith("spark-1"))
                .allSatisfy(p -> assertThat(p.getStatus().getPhase()).isEqualTo("Running")));
    }

    @AfterAll
    void stop() {
        cluster.close();
    }

    record Answer(int status, JsonNode body) {
    }

    Answer get(String path) throws Exception {
        return get(path, null);
    }

    Answer get(String path, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(r.statusCode(), r.headers().firstValue("Content-Type").orElse("").startsWith("application/json")
                ? json.readTree(r.body()) : json.getNodeFactory().textNode(r.body()));
    }

    Answer post(String path, String token, Object body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body)));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(r.statusCode(), json.readTree(r.body()));
    }

    @Test
    @Order(1)
    void theStateViewsShowTheSandboxsWorkload() throws Exception {
        await().atMost(WAIT).untilAsserted(() -> {
            JsonNode s = get("/api/v1/summary").body();
            assertThat(s.get("nodes").asInt()).isEqualTo(2);
            assertThat(s.get("runningPods").asInt()).isEqualTo(3);
            assertThat(s.get("pendingPods").asInt()).isEqualTo(1);
            assertThat(s.get("leader").asText()).isEqualTo(cluster.leader().name());
        });
        JsonNode queues = get("/api/v1/queues").body();
        JsonNode batch = queues.get("children").findParents("name").stream()
                .filter(q -> q.get("name").asText().equals("root.batch")).findFirst().orElseThrow();
        assertThat(batch.at("/allocated/cpu").asLong()).isEqualTo(3000);
        assertThat(batch.at("/max/cpu").asLong()).isEqualTo(6000);

        JsonNode apps = get("/api/v1/apps?queue=root.batch&q=spark").body();
        assertThat(apps.get("total").asInt()).isEqualTo(1);
        assertThat(apps.at("/items/0/running").asInt()).isEqualTo(3);
        JsonNode big = get("/api/v1/apps/big").body();
        assertThat(big.at("/pods/0/waitMessage").asText()).contains("root.batch");
        assertThat(get("/api/v1/apps/nope").status()).isEqualTo(404);

        JsonNode nodes = get("/api/v1/nodes").body();
        assertThat(nodes.get("items").findValuesAsText("name")).containsExactlyInAnyOrder("cpu-0", "gpu-0");
        assertThat(nodes.get("items").findValues("capacity").stream().map(c -> c.path("nvidia.com/gpu").asLong())
                .toList()).contains(2L);
    }

    @Test
    @Order(2)
    void replicasStoriesTheLogAndMetricsComeFromTheReplicas() throws Exception {
        await().atMost(WAIT).untilAsserted(() -> {
            JsonNode r = get("/api/v1/replicas").body();
            assertThat(r.get("replicas")).hasSize(2);
            assertThat(r.get("replicas").findValuesAsText("role")).containsExactlyInAnyOrder("leader", "follower");
            assertThat(r.get("logEnd").asLong()).isPositive();
        });
        await().atMost(WAIT).untilAsserted(() -> {
            Answer story = get("/api/v1/story?pod=" + NS + "/spark-1-0");
            assertThat(story.status()).isEqualTo(200);
            assertThat(story.body().at("/stories/0/lines").toString()).contains("allocated");
        });
        JsonNode allocations = get("/api/v1/log?from=0&limit=1000&type=Allocated").body();
        assertThat(allocations.get("events")).hasSizeGreaterThanOrEqualTo(3)
                .allSatisfy(e -> assertThat(e.get("type").asText()).isEqualTo("Allocated"));
        JsonNode tail = get("/api/v1/log?limit=5").body();
        assertThat(tail.get("events")).isNotEmpty();
        assertThat(tail.get("end").asLong()).isGreaterThanOrEqualTo(tail.get("next").asLong());
        String metrics = get("/metrics").body().asText();
        assertThat(metrics).contains("fairway_decisions_total").contains("jvm_memory_used_bytes");
    }

    @Test
    @Order(3)
    void yuniKornsReadApiShowsTheSameCluster() throws Exception {
        JsonNode root = get("/ws/v1/partition/default/queues").body();
        assertThat(root.get("queuename").asText()).isEqualTo("root");
        JsonNode batch = root.get("children").findParents("queuename").stream()
                .filter(q -> q.get("queuename").asText().equals("root.batch")).findFirst().orElseThrow();
        assertThat(batch.at("/maxResource/vcore").asLong()).isEqualTo(6000);
        JsonNode running = get("/ws/v1/partition/default/applications/active?status=running").body();
        assertThat(running.findValuesAsText("applicationID")).contains("spark-1");
        JsonNode app = get("/ws/v1/partition/default/application/spark-1").body();
        assertThat(app.get("allocations")).hasSize(3);
        assertThat(get("/ws/v1/partition/default/nodes").body().findValuesAsText("nodeID"))
                .containsExactlyInAnyOrder("cpu-0", "gpu-0");
        assertThat(get("/ws/v1/scheduler/healthcheck").body().get("Healthy").asBoolean()).isTrue();
        assertThat(get("/ws/v1/partition/other/queues").status()).isEqualTo(404);
    }

    @Test
    @Order(3)
    void theLiveStreamSendsTheSummary() throws Exception {
        HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/stream"))
                .build(), HttpResponse.BodyHandlers.ofInputStream());
        try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            String event = null;
            for (String line; (line = in.readLine()) != null; ) {
                if (line.startsWith("event: ")) {
                    event = line.substring(7);
                } else if (line.startsWith("data: ") && "summary".equals(event)) {
                    assertThat(json.readTree(line.substring(6)).get("nodes").asInt()).isEqualTo(2);
                    return;
                }
            }
        }
        throw new AssertionError("no summary event");
    }

    @Test
    @Order(4)
    void aConfigIsValidatedAppliedByAnAdminOnlyAndToldWithItsAuthor() throws Exception {
        String version = get("/api/v1/config").body().get("version").asText();
        String bad = QUEUES.replace("max: {vcore: 6}", "max: {vcore: 1}");
        Answer rejected = post("/api/v1/config", ADMIN, Map.of("yaml", bad, "baseVersion", version));
        assertThat(rejected.status()).isEqualTo(400);
        assertThat(rejected.body().get("problems").toString()).contains("root.batch");
        assertThat(post("/api/v1/config/validate", VIEWER, Map.of("yaml", bad)).status()).isEqualTo(400);

        String more = QUEUES.replace("max: {vcore: 6}", "max: {vcore: 8}");
        assertThat(post("/api/v1/config", null, Map.of("yaml", more, "baseVersion", version)).status()).isEqualTo(401);
        assertThat(post("/api/v1/config", VIEWER, Map.of("yaml", more, "baseVersion", version)).status()).isEqualTo(403);
        assertThat(post("/api/v1/config", "wrong-token-0123456789", Map.of("yaml", more)).status()).isEqualTo(401);
        Answer ok = post("/api/v1/config", ADMIN, Map.of("yaml", more, "baseVersion", version));
        assertThat(ok.status()).as(ok.body().toString()).isEqualTo(200);
        String written = ok.body().get("version").asText();
        await().atMost(WAIT).untilAsserted(() -> {
            JsonNode h = get("/api/v1/config/history").body().at("/entries/0");
            assertThat(h.get("version").asText()).isEqualTo(written);
            assertThat(h.get("outcome").asText()).isEqualTo("applied");
            assertThat(h.get("author").asText()).isEqualTo("ops");
        });
        // the bigger max lets the waiting pod in
        await().atMost(WAIT).untilAsserted(() -> assertThat(cluster.client().pods().inNamespace(NS).withName("big-0")
                .get().getSpec().getNodeName()).isNotNull());
        assertThat(get("/api/v1/whoami", ADMIN).body().get("writesAllowed").asBoolean()).isTrue();
    }

    @Test
    @Order(5)
    void theConsoleFollowsAFailOver() throws Exception {
        String before = get("/api/v1/summary").body().get("leader").asText();
        long epoch = get("/api/v1/summary").body().get("leaderEpoch").asLong();
        // restarted long after the lease ran out: the standby, and only it, can take over meanwhile
        String killed = cluster.killLeader(Duration.ofMinutes(5));
        assertThat(killed).isEqualTo(before);
        await().atMost(WAIT).untilAsserted(() -> {
            JsonNode s = get("/api/v1/summary").body();
            assertThat(s.get("leaderEpoch").asLong()).isGreaterThan(epoch);
            assertThat(s.get("leader").asText()).isNotEqualTo(before);
            assertThat(s.at("/replica/role").asText()).isEqualTo(Replica.Role.LEADER.name());
        });
        assertThat(get("/api/v1/summary").body().get("runningPods").asInt()).isEqualTo(4);
        // the fail-over as the log tells it: the new term first, the killed leader's before it
        JsonNode terms = get("/api/v1/leaders").body().get("terms");
        assertThat(terms.get(0).get("epoch").asLong()).isGreaterThan(epoch);
        assertThat(terms.get(0).get("replica").asText()).isNotEqualTo(before);
        assertThat(terms.findValuesAsText("replica")).contains(before);
    }
}
