package io.fairway.ui.yunikorn;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fairway.core.events.Allocated;
import io.fairway.core.events.GangReserved;
import io.fairway.core.events.LeaderElected;
import io.fairway.core.events.NodeObserved;
import io.fairway.core.events.PodObserved;
import io.fairway.core.events.QueueConfigObserved;
import io.fairway.core.events.Unschedulable;
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
import io.fairway.core.state.AppState;
import io.fairway.core.state.ClusterState;
import io.fairway.ui.AdminServer;
import io.fairway.ui.Leadership;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

/**
 * A replica's state built from events, as a replica builds it, served by a real {@link AdminServer} on a free port:
 * two nodes (one with GPUs and another scheduler's pod), a queue config with guaranteed, max, a child template and
 * placement, and apps in every state Fairway has — running (one with a reserved gang), accepted with a wait reason,
 * completed and rejected.
 */
final class SampleCluster implements AutoCloseable {
    static final String GPU = "nvidia.com/gpu";
    static final long GI = 1L << 30;
    static final String CONFIG = """
            partitions:
              - name: default
                placementrules:
                  - name: provided
                nodesortpolicy:
                  type: binpacking
                  resourceweights: {vcore: 2.0, memory: 1.0}
                queues:
                  - name: root
                    submitacl: "*"
                    childtemplate:
                      maxapplications: 5
                      resources: {max: {vcore: 4}}
                    queues:
                      - name: a
                        maxapplications: 3
                        properties: {application.sort.policy: fair}
                        resources:
                          guaranteed: {vcore: 2, memory: 4Gi}
                          max: {vcore: 6, memory: 24Gi}
                      - name: b
            """;

    final ClusterState state = new ClusterState();
    final AdminServer server;
    final String base;
    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();

    SampleCluster() {
        state.apply(new LeaderElected(1_000, 1, "r0"));
        assertThat(state.apply(new QueueConfigObserved(1_000, CONFIG, "1")).applied()).isTrue();
        state.apply(new NodeObserved(1_000, new Node("n1", res("4", "16Gi", null), res("4", "16Gi", null),
                Map.of("zone", "z1"), List.of(), false, true, "1")));
        state.apply(new NodeObserved(1_000, new Node("g1", res("8", "32Gi", "2"), res("8", "32Gi", "2"),
                Map.of("zone", "z2", "accelerator", "a100"), List.of(new Taint(GPU, "present", "NoSchedule")),
                false, true, "1")));
        // another scheduler's pod on n1: YuniKorn's "occupied"
        state.apply(new PodObserved(1_500, new Pod("x1", "kube-system", "dns", "", "", "", List.of(),
                res("500m", "512Mi", null), 0, Map.of(), NodeAffinity.NONE, List.of(), "default-scheduler", "n1",
                PodPhase.Running, 1_400, "1", SchedulingHints.NONE)));
        // spark-a: one pod finished, one allocated by the leader, one waiting
        state.apply(new PodObserved(2_000, pod("a0", "spark-a", "root.a", "alice", 1_900).withNodeName("n1")
                .withPhase(PodPhase.Succeeded, "3")));
        state.apply(new PodObserved(2_000, pod("a1", "spark-a", "root.a", "alice", 1_901)));
        state.apply(new PodObserved(2_001, pod("a2", "spark-a", "root.a", "alice", 1_902)));
        state.apply(new Allocated(3_000, 1, "a1", "n1", "root.a"));
        // train-b: a GPU pod already running on g1
        state.apply(new PodObserved(4_000, pod("b1", "train-b", "root.b", "bob", res("1", "4Gi", "1"),
                SchedulingHints.NONE, 3_999).withNodeName("g1").withPhase(PodPhase.Running, "2")));
        // etl-c waits, with the reason the leader wrote
        state.apply(new PodObserved(5_000, pod("c1", "etl-c", "root.b", "alice", 4_999)));
        state.apply(new Unschedulable(5_100, 1, "c1", "insufficient-cpu", "0/2 nodes have 1 cpu free"));
        // gang-g: two workers, both slots reserved on n1, one taken by its member
        GangSpec gang = new GangSpec(List.of(new TaskGroup("workers", 2, res("1", "1Gi", null), Map.of(), List.of(),
                NodeAffinity.NONE)), GangSpec.Style.SOFT, GangSpec.DEFAULT_TIMEOUT_MILLIS, "");
        SchedulingHints worker = new SchedulingHints("workers", gang, Topology.NONE, "");
        state.apply(new PodObserved(6_000, pod("g-0", "gang-g", "root.b", "carol", res("1", "1Gi", null), worker,
                5_999)));
        state.apply(new PodObserved(6_000, pod("g-1", "gang-g", "root.b", "carol", res("1", "1Gi", null), worker,
                5_999)));
        GangReserved.Slot slot = new GangReserved.Slot("workers", "n1", res("1", "1Gi", null));
        assertThat(state.apply(new GangReserved(6_100, 1, "gang-g", List.of(slot, slot))).applied()).isTrue();
        assertThat(state.apply(new Allocated(6_200, 1, "g-0", "n1", "root.b")).applied()).isTrue();
        // done-d finished; lost-e asks for a queue that does not exist
        state.apply(new PodObserved(7_000, pod("d1", "done-d", "root.a", "dave", 6_999).withNodeName("n1")
                .withPhase(PodPhase.Succeeded, "4")));
        state.apply(new PodObserved(8_000, pod("e1", "lost-e", "root.nosuch", "erin", 7_999)));

        assertThat(state.app("spark-a").status()).isEqualTo(AppState.Status.RUNNING);
        assertThat(state.app("etl-c").status()).isEqualTo(AppState.Status.ACCEPTED);
        assertThat(state.app("gang-g").status()).isEqualTo(AppState.Status.RUNNING);
        assertThat(state.app("done-d").status()).isEqualTo(AppState.Status.COMPLETED);
        assertThat(state.app("lost-e").status()).isEqualTo(AppState.Status.REJECTED);

        server = new AdminServer(() -> state, () -> new Leadership("r0", "LEADER", 1));
        base = "http://127.0.0.1:" + server.start("127.0.0.1", 0);
    }

    static Resources res(String cpu, String memory, String gpu) {
        return gpu == null ? Resources.parse(Map.of("cpu", cpu, "memory", memory))
                : Resources.parse(Map.of("cpu", cpu, "memory", memory, GPU, gpu));
    }

    static Pod pod(String uid, String app, String queue, String user, Resources req, SchedulingHints hints,
                   long created) {
        return new Pod(uid, "team", "pod-" + uid, app, queue, user, List.of("staff"), req, 0, Map.of(),
                NodeAffinity.NONE, List.of(), ClusterState.DEFAULT_SCHEDULER_NAME, "", PodPhase.Pending, created, "1",
                hints);
    }

    static Pod pod(String uid, String app, String queue, String user, long created) {
        return pod(uid, app, queue, user, res("1", "1Gi", null), SchedulingHints.NONE, created);
    }

    record Answer(int status, String contentType, String text, JsonNode body) {
    }

    Answer get(String path) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET().build());
    }

    Answer send(HttpRequest request) throws Exception {
        HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
        String type = r.headers().firstValue("Content-Type").orElse("");
        return new Answer(r.statusCode(), type, r.body(), type.startsWith("application/json")
                ? json.readTree(r.body()) : null);
    }

    /** A documented example kept under {@code src/test/resources/yunikorn}. */
    JsonNode documented(String name) throws Exception {
        try (var in = SampleCluster.class.getResourceAsStream("/yunikorn/" + name)) {
            assertThat(in).as("test resource yunikorn/" + name).isNotNull();
            return json.readTree(in);
        }
    }

    @Override
    public void close() {
        server.close();
    }
}
