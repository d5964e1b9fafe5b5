package io.fairway.ui;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fairway.core.events.Allocated;
import io.fairway.core.events.LeaderElected;
import io.fairway.core.events.NodeObserved;
import io.fairway.core.events.PodGone;
import io.fairway.core.events.PodObserved;
import io.fairway.core.events.QueueConfigObserved;
import io.fairway.core.objects.GangSpec;
import io.fairway.core.objects.Node;
import io.fairway.core.objects.NodeAffinity;
import io.fairway.core.objects.Pod;
import io.fairway.core.objects.PodPhase;
import io.fairway.core.objects.SchedulingHints;
import io.fairway.core.objects.Taint;
import io.fairway.core.objects.TaskGroup;
import io.fairway.core.objects.Topology;
import io.fairway.core.resources.Resources;
import io.fairway.core.state.ClusterState;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.ConcurrentModificationException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The read-only API over real HTTP, on a state built by applying events as a replica does. */
class AdminServerTest {
    static final String CONFIG = """
            partitions:
              - name: default
                queues:
                  - name: root
                    queues:
                      - {name: a, resources: {guaranteed: {vcore: 2}, max: {vcore: 6}}}
                      - {name: b}
            """;
    static final String GPU = "nvidia.com/gpu";

    final HttpClient http = HttpClient.newHttpClient();
    final ObjectMapper json = new ObjectMapper();
    ClusterState state;
    AdminServer server;
    String base;

    static Resources res(String cpu, String memory, String gpu) {
        return gpu == null ? Resources.parse(Map.of("cpu", cpu, "memory", memory))
                : Resources.parse(Map.of("cpu", cpu, "memory", memory, GPU, gpu));
    }

    static Pod pod(String uid, String app, String queue, String user, Resources req, SchedulingHints hints) {
        return new Pod(uid, "team", uid, app, queue, user, List.of(), req, 0, Map.of(), NodeAffinity.NONE, List.of(),
                ClusterState.DEFAULT_SCHEDULER_NAME, "", PodPhase.Pending, 0, "1", hints);
    }

    static Pod pod(String uid, String app, String queue, String user) {
        return pod(uid, app, queue, user, res("1", "1Gi", null), SchedulingHints.NONE);
    }

    @BeforeEach
    void start() {
        state = new ClusterState();
        state.apply(new LeaderElected(0, 1, "r0"));
        state.apply(new QueueConfigObserved(0, CONFIG, "1"));
        state.apply(new NodeObserved(0, new Node("n1", res("4", "16Gi", null), res("4", "16Gi", null),
                Map.of("zone", "z1"), List.of(), false, true, "1")));
        state.apply(new NodeObserved(0, new Node("g1", res("8", "32Gi", "2"), res("8", "32Gi", "2"),
                Map.of("zone", "z2", "accelerator", "a100"), List.of(new Taint(GPU, "present", "NoSchedule")),
                false, true, "1")));
        // spark-a: one pod finished, one allocated by the leader, one waiting
        state.apply(new PodObserved(1, pod("a0", "spark-a", "root.a", "alice").withNodeName("n1")
                .withPhase(PodPhase.Succeeded, "3")));
        state.apply(new PodObserved(1, pod("a1", "spark-a", "root.a", "alice")));
        state.apply(new PodObserved(2, pod("a2", "spark-a", "root.a", "alice")));
        state.apply(new Allocated(3, 1, "a1", "n1", "root.a"));
        // train-b: a GPU pod already running on g1
        state.apply(new PodObserved(4, pod("b1", "train-b", "root.b", "bob", res("1", "4Gi", "1"), SchedulingHints.NONE)
                .withNodeName("g1").withPhase(PodPhase.Running, "2")));
        // etl-c waits; gang-g is a gang of two workers waiting for its reservation
        state.apply(new PodObserved(5, pod("c1", "etl-c", "root.b", "alice")));
        GangSpec gang = new GangSpec(List.of(new TaskGroup("workers", 2, res("1", "1Gi", null), Map.of(), List.of(),
                NodeAffinity.NONE)), GangSpec.Style.SOFT, GangSpec.DEFAULT_TIMEOUT_MILLIS, "");
        SchedulingHints worker = new SchedulingHints("workers", gang, Topology.NONE, "");
        state.apply(new PodObserved(6, pod("g-0", "gang-g", "root.b", "carol", res("1", "1Gi", null), worker)));
        state.apply(new PodObserved(6, pod("g-1", "gang-g", "root.b", "carol", res("1", "1Gi", null), worker)));

        server = new AdminServer(() -> state, () -> new Leadership("r0", "LEADER", 1));
        int port = server.start("127.0.0.1", 0);
        assertThat(port).isPositive();
        base = "http://127.0.0.1:" + port;
    }

    @AfterEach
    void stop() {
        server.close();
    }

    record Answer(int status, String contentType, JsonNode body) {
    }

    Answer get(String path) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET().build());
    }

    Answer send(HttpRequest request) throws Exception {
        HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
        return new Answer(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), json.readTree(r.body()));
    }

    static List<String> ids(JsonNode page) {
        List<String> out = new ArrayList<>();
        page.get("items").forEach(a -> out.add(a.get("id") != null ? a.get("id").asText() : a.get("name").asText()));
        return out;
    }

    @Test
    void summaryCountsNodesResourcesAppsPodsAndNamesTheLeader() throws Exception {
        Answer a = get("/api/v1/summary");
        assertThat(a.status()).isEqualTo(200);
        assertThat(a.contentType()).isEqualTo("application/json");
        JsonNode s = a.body();
        assertThat(s.get("leader").asText()).isEqualTo("r0");
        assertThat(s.get("leaderEpoch").asLong()).isEqualTo(1);
        assertThat(s.at("/replica/role").asText()).isEqualTo("LEADER");
        assertThat(s.get("nodes").asInt()).isEqualTo(2);
        assertThat(s.get("schedulableNodes").asInt()).isEqualTo(2);
        assertThat(s.at("/capacity/cpu").asLong()).isEqualTo(12_000);
        assertThat(s.at("/capacity/" + "nvidia.com~1gpu").asLong()).isEqualTo(2);
        assertThat(s.at("/allocated/cpu").asLong()).isEqualTo(2_000);
        assertThat(s.at("/allocated/nvidia.com~1gpu").asLong()).isEqualTo(1);
        assertThat(s.at("/appsByState/RUNNING").asInt()).isEqualTo(2);
        assertThat(s.at("/appsByState/ACCEPTED").asInt()).isEqualTo(2);
        assertThat(s.at("/appsByState/FAILED").asInt()).isZero();
        assertThat(s.get("pendingPods").asInt()).isEqualTo(4);
        assertThat(s.get("runningPods").asInt()).isEqualTo(2);
        assertThat(s.get("appliedEvents").asLong()).isEqualTo(state.appliedCount()).isPositive();
        // one Allocated is the only decision applied
        assertThat(s.get("decisionsApplied").asLong()).isEqualTo(1);
        assertThat(s.get("ignoredEvents").asLong()).isZero();
        assertThat(s.get("preemptions").asLong()).isZero();
    }

    @Test
    void queuesAreATreeWithResourcesAndAppsOfTheirSubtree() throws Exception {
        JsonNode root = get("/api/v1/queues").body();
        assertThat(root.get("name").asText()).isEqualTo("root");
        assertThat(root.at("/appsByState/RUNNING").asInt()).isEqualTo(2);
        assertThat(root.at("/allocated/cpu").asLong()).isEqualTo(2_000);
        JsonNode a = root.get("children").get(0);
        JsonNode b = root.get("children").get(1);
        assertThat(a.get("name").asText()).isEqualTo("root.a");
        assertThat(a.get("leaf").asBoolean()).isTrue();
        assertThat(a.at("/guaranteed/cpu").asLong()).isEqualTo(2_000);
        assertThat(a.at("/max/cpu").asLong()).isEqualTo(6_000);
        assertThat(a.at("/allocated/cpu").asLong()).isEqualTo(1_000);
        assertThat(a.at("/pending/cpu").asLong()).isEqualTo(1_000);
        assertThat(a.at("/appsByState/RUNNING").asInt()).isEqualTo(1);
        assertThat(a.get("children")).isEmpty();
        // half its guarantee used: owed resources
        assertThat(a.get("fairShare").asDouble()).isEqualTo(0.5);
        assertThat(b.get("name").asText()).isEqualTo("root.b");
        assertThat(b.at("/allocated/nvidia.com~1gpu").asLong()).isEqualTo(1);
        assertThat(b.at("/pending/cpu").asLong()).isEqualTo(3_000);
        assertThat(b.at("/appsByState/ACCEPTED").asInt()).isEqualTo(2);
        assertThat(b.at("/appsByState/RUNNING").asInt()).isEqualTo(1);
        // no guarantee, no max: its dominant share of the cluster, one of the two GPUs
        assertThat(b.get("fairShare").asDouble()).isEqualTo(0.5);
    }

    @Test
    void appsAreFilteredAndPaged() throws Exception {
        JsonNode all = get("/api/v1/apps").body();
        assertThat(all.get("total").asInt()).isEqualTo(4);
        assertThat(all.get("limit").asInt()).isEqualTo(100);
        assertThat(ids(all)).containsExactly("etl-c", "gang-g", "spark-a", "train-b");

        assertThat(ids(get("/api/v1/apps?queue=root.b").body())).containsExactly("etl-c", "gang-g", "train-b");
        assertThat(ids(get("/api/v1/apps?queue=a").body())).containsExactly("spark-a");
        assertThat(ids(get("/api/v1/apps?queue=root").body())).hasSize(4);
        assertThat(ids(get("/api/v1/apps?state=running").body())).containsExactly("spark-a", "train-b");
        assertThat(ids(get("/api/v1/apps?user=alice&queue=root.b").body())).containsExactly("etl-c");
        assertThat(ids(get("/api/v1/apps?q=SPARK").body())).containsExactly("spark-a");

        JsonNode page = get("/api/v1/apps?offset=1&limit=2").body();
        assertThat(page.get("total").asInt()).isEqualTo(4);
        assertThat(page.get("offset").asInt()).isEqualTo(1);
        assertThat(ids(page)).containsExactly("gang-g", "spark-a");
        assertThat(ids(get("/api/v1/apps?offset=10").body())).isEmpty();

        JsonNode spark = all.get("items").get(2);
        assertThat(spark.get("queue").asText()).isEqualTo("root.a");
        assertThat(spark.get("user").asText()).isEqualTo("alice");
        assertThat(spark.get("state").asText()).isEqualTo("RUNNING");
        assertThat(spark.get("running").asInt()).isEqualTo(1);
        assertThat(spark.get("pending").asInt()).isEqualTo(1);
        assertThat(spark.get("completed").asInt()).isEqualTo(1);
        assertThat(spark.at("/allocated/cpu").asLong()).isEqualTo(1_000);
        assertThat(spark.at("/gang/status").asText()).isEqualTo("NONE");

        JsonNode gang = all.get("items").get(1).get("gang");
        assertThat(gang.get("status").asText()).isEqualTo("WAITING");
        JsonNode workers = gang.get("groups").get(0);
        assertThat(workers.get("group").asText()).isEqualTo("workers");
        assertThat(workers.get("minMember").asInt()).isEqualTo(2);
        assertThat(workers.get("reserved").asInt()).isZero();
        assertThat(workers.get("used").asInt()).isZero();
        assertThat(workers.get("waiting").asInt()).isEqualTo(2);
    }

    @Test
    void badPagingAndFilterValuesAreRefusedWithTheValue() throws Exception {
        Answer zero = get("/api/v1/apps?limit=0");
        assertThat(zero.status()).isEqualTo(400);
        assertThat(zero.contentType()).isEqualTo("application/json");
        assertThat(zero.body().get("error").asText()).isEqualTo("limit must be an integer from 1 to 1000, got '0'");
        assertThat(get("/api/v1/apps?limit=1001").status()).isEqualTo(400);
        Answer word = get("/api/v1/nodes?offset=abc");
        assertThat(word.status()).isEqualTo(400);
        assertThat(word.body().get("error").asText()).contains("offset", "'abc'");
        Answer st = get("/api/v1/apps?state=sleeping");
        assertThat(st.status()).isEqualTo(400);
        assertThat(st.body().get("error").asText()).contains("state must be one of", "RUNNING", "'sleeping'");
    }

    @Test
    void oneAppShowsItsPodsAndAnUnknownOneIs404() throws Exception {
        Answer a = get("/api/v1/apps/spark-a");
        assertThat(a.status()).isEqualTo(200);
        JsonNode app = a.body();
        assertThat(app.at("/app/id").asText()).isEqualTo("spark-a");
        assertThat(app.get("requestedQueue").asText()).isEqualTo("root.a");
        JsonNode pods = app.get("pods");
        assertThat(pods).hasSize(3);
        JsonNode a0 = pods.get(0);
        assertThat(a0.get("name").asText()).isEqualTo("a0");
        assertThat(a0.get("role").asText()).isEqualTo("TERMINAL");
        assertThat(a0.get("phase").asText()).isEqualTo("Succeeded");
        JsonNode a1 = pods.get(1);
        assertThat(a1.get("name").asText()).isEqualTo("a1");
        assertThat(a1.get("namespace").asText()).isEqualTo("team");
        assertThat(a1.get("role").asText()).isEqualTo("PLACED");
        assertThat(a1.get("node").asText()).isEqualTo("n1");
        assertThat(a1.get("bound").asBoolean()).isFalse();
        assertThat(a1.get("phase").asText()).isEqualTo("Pending");
        assertThat(a1.get("preemptedBy").asText()).isEmpty();
        assertThat(a1.get("holdNode").asText()).isEmpty();
        JsonNode a2 = pods.get(2);
        assertThat(a2.get("role").asText()).isEqualTo("PENDING");
        assertThat(a2.get("node").asText()).isEmpty();
        assertThat(a2.at("/requests/cpu").asLong()).isEqualTo(1_000);

        Answer gang = get("/api/v1/apps/gang-g");
        assertThat(gang.body().get("pods")).hasSize(2);
        assertThat(gang.body().get("pods").get(0).get("taskGroup").asText()).isEqualTo("workers");

        Answer missing = get("/api/v1/apps/no-such-app");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.contentType()).isEqualTo("application/json");
        assertThat(missing.body().get("error").asText()).startsWith("no application no-such-app");
    }

    @Test
    void nodesShowResourcesLabelsTaintsAndArePaged() throws Exception {
        JsonNode page = get("/api/v1/nodes").body();
        assertThat(page.get("total").asInt()).isEqualTo(2);
        assertThat(ids(page)).containsExactly("g1", "n1");
        JsonNode g1 = page.get("items").get(0);
        assertThat(g1.at("/capacity/nvidia.com~1gpu").asLong()).isEqualTo(2);
        assertThat(g1.at("/allocatable/cpu").asLong()).isEqualTo(8_000);
        assertThat(g1.at("/allocated/nvidia.com~1gpu").asLong()).isEqualTo(1);
        assertThat(g1.at("/labels/accelerator").asText()).isEqualTo("a100");
        assertThat(g1.at("/taints/0/key").asText()).isEqualTo(GPU);
        assertThat(g1.at("/taints/0/effect").asText()).isEqualTo("NoSchedule");
        assertThat(g1.get("schedulable").asBoolean()).isTrue();
        assertThat(g1.get("pods").asInt()).isEqualTo(1);

        assertThat(ids(get("/api/v1/nodes?offset=1&limit=1").body())).containsExactly("n1");
    }

    @Test
    void unknownPathsAndMethodsAnswerJson() throws Exception {
        Answer unknown = get("/api/v1/nothing-here");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.contentType()).isEqualTo("application/json");
        assertThat(unknown.body().get("error").asText()).isEqualTo("no API endpoint GET /api/v1/nothing-here");

        Answer post = send(HttpRequest.newBuilder(URI.create(base + "/api/v1/summary"))
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build());
        assertThat(post.status()).isEqualTo(405);
        assertThat(post.contentType()).isEqualTo("application/json");
        assertThat(post.body().get("error").asText())
                .isEqualTo("method POST not allowed on /api/v1/summary; it answers GET");
        Answer deleteApp = send(HttpRequest.newBuilder(URI.create(base + "/api/v1/apps/spark-a")).DELETE().build());
        assertThat(deleteApp.status()).isEqualTo(405);
        assertThat(state.app("spark-a")).isNotNull();
    }

    @Test
    void aFailingReadAnswers500InJson() throws Exception {
        try (AdminServer broken = new AdminServer(() -> {
            throw new IllegalStateException("the store is closed");
        }, () -> Leadership.follower("r1"))) {
            int port = broken.start("127.0.0.1", 0);
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                    + "/api/v1/summary")).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(500);
            assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
            assertThat(json.readTree(r.body()).get("error").asText()).startsWith("internal error on /api/v1/summary")
                    .doesNotContain("IllegalStateException");
        }
    }

    /**
     * Far hotter than a replica's apply loop: pods come, are placed and go, across many apps and nodes, until
     * {@code stop}; {@code afterEach} runs on the applying thread after every step.
     */
    Thread hotApplier(AtomicBoolean stop, LongConsumer afterEach) {
        Thread applier = new Thread(() -> {
            for (long t = 10; !stop.get(); t++) {
                String uid = "hot" + t;
                state.apply(new PodObserved(t, pod(uid, "hot-" + (t % 50), "root.b", "dave")));
                state.apply(new Allocated(t, 1, uid, t % 2 == 0 ? "n1" : "g1", "root.b"));
                if (t > 200) {
                    state.apply(new PodGone(t, "hot" + (t - 200), String.valueOf(t + 10)));
                }
                afterEach.accept(t);
            }
        }, "applier");
        applier.start();
        return applier;
    }

    @Test
    void readsWhileAnotherThreadAppliesGiveWholeAnswersOr503NeverATornOne() throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        Thread applier = hotApplier(stop, t -> { });
        Map<String, List<Integer>> statuses = new TreeMap<>();
        try {
            String[] paths = {"/api/v1/summary", "/api/v1/queues", "/api/v1/apps?queue=root.b", "/api/v1/apps/hot-7",
                    "/api/v1/nodes"};
            for (int i = 0; i < 250; i++) {
                String path = paths[i % paths.length];
                statuses.computeIfAbsent(path, k -> new ArrayList<>()).add(get(path).status());
            }
        } finally {
            stop.set(true);
            applier.join();
        }
        statuses.forEach((path, codes) -> {
            assertThat(codes).as(path).allMatch(c -> c == 200 || c == 503).contains(200);
        });
    }

    @Test
    void withAPublishedViewTheListsAreReadFromItAndNeverRaceTheApplier() throws Exception {
        server.close();
        ReadViewPublisher published = new ReadViewPublisher(Duration.ofMillis(20));
        published.publishIfDue(state, 42);
        server = new AdminServer(ConsoleSources.of(() -> state, () -> new Leadership("r1", "FOLLOWER", 0))
                .withReadView(published));
        base = "http://127.0.0.1:" + server.start("127.0.0.1", 0);
        // a pod applied after the copy shows once the next copy is published, by the applying thread
        state.apply(new PodObserved(9, pod("late", "late-app", "root.a", "erin")));
        assertThat(get("/api/v1/apps?q=late").body().get("total").asInt()).isZero();
        assertThat(get("/api/v1/summary").body().at("/replica/replica").asText()).isEqualTo("r1");
        Thread.sleep(25);
        published.publishIfDue(state, 43);
        assertThat(get("/api/v1/apps?q=late").body().get("total").asInt()).isEqualTo(1);

        AtomicBoolean stop = new AtomicBoolean();
        Thread applier = hotApplier(stop, t -> published.publishIfDue(state, t));
        try {
            for (int i = 0; i < 200; i++) {
                String path = new String[] {"/api/v1/summary", "/api/v1/queues", "/api/v1/apps?queue=root.b",
                        "/api/v1/nodes"}[i % 4];
                assertThat(get(path).status()).as(path).isEqualTo(200);
            }
        } finally {
            stop.set(true);
            applier.join();
        }
    }

    @Test
    void aReadThatRacesTheApplyThreadIsTriedOnceMore() {
        StateReader reader = new StateReader(() -> state);
        AtomicInteger tries = new AtomicInteger();
        String leader = reader.read(s -> {
            if (tries.incrementAndGet() == 1) {
                throw new ConcurrentModificationException();
            }
            return s.leader();
        });
        assertThat(leader).isEqualTo("r0");
        assertThat(tries).hasValue(2);

        assertThatThrownBy(() -> reader.<String>read(s -> {
            throw new ConcurrentModificationException();
        })).isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(503));
    }
}
