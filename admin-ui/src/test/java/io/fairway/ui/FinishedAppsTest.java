package io.fairway.ui;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fairway.core.events.Allocated;
import io.fairway.core.events.GangReserved;
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
import io.fairway.core.objects.TaskGroup;
import io.fairway.core.objects.Topology;
import io.fairway.core.resources.Resources;
import io.fairway.core.state.ClusterState;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A finished app stays in the console after its pods are deleted (the state drops it with its last pod), with its
 * pods as they finished, for the retention; a gang whose members all finished no longer shows RESERVED.
 */
class FinishedAppsTest {
    private static final Resources ONE = Resources.parse(Map.of("cpu", "1", "memory", "1Gi"));
    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();

    private static Pod pod(String uid, String app, SchedulingHints hints) {
        return new Pod(uid, "team", "pod-" + uid, app, "root.a", "alice", List.of(), ONE, 0, Map.of(),
                NodeAffinity.NONE, List.of(), ClusterState.DEFAULT_SCHEDULER_NAME, "", PodPhase.Pending, 1, "1", hints);
    }

    private static ClusterState state() {
        ClusterState s = new ClusterState();
        s.apply(new LeaderElected(1, 1, "r0"));
        s.apply(new QueueConfigObserved(1, "partitions: [{name: default, queues: [{name: root, queues: [{name: a}]}]}]",
                "1"));
        s.apply(new NodeObserved(1, new Node("n1", ONE.plus(ONE).plus(ONE), ONE.plus(ONE).plus(ONE), Map.of(),
                List.of(), false, true, "1")));
        return s;
    }

    private JsonNode get(String base, String path) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + path)).build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode body = json.readTree(r.body());
        return r.statusCode() == 200 ? body : json.createObjectNode().put("status", r.statusCode())
                .put("message", body.path("message").asText());
    }

    @Test
    void aFinishedGangAppIsListedCompletedWithItsPodsAfterTheyAreDeleted() throws Exception {
        ClusterState s = state();
        GangSpec gang = new GangSpec(List.of(new TaskGroup("workers", 2, ONE, Map.of(), List.of(), NodeAffinity.NONE)),
                GangSpec.Style.SOFT, GangSpec.DEFAULT_TIMEOUT_MILLIS, "");
        SchedulingHints worker = new SchedulingHints("workers", gang, Topology.NONE, "");
        s.apply(new PodObserved(2, pod("w0", "gang-g", worker)));
        s.apply(new PodObserved(2, pod("w1", "gang-g", worker)));
        GangReserved.Slot slot = new GangReserved.Slot("workers", "n1", ONE);
        assertThat(s.apply(new GangReserved(3, 1, "gang-g", List.of(slot, slot))).applied()).isTrue();
        s.apply(new Allocated(4, 1, "w0", "n1", "root.a"));
        s.apply(new Allocated(4, 1, "w1", "n1", "root.a"));
        // another app, deleted while it runs
        s.apply(new PodObserved(5, pod("r0", "run-r", SchedulingHints.NONE).withNodeName("n1")
                .withPhase(PodPhase.Running, "2")));

        ReadViewPublisher published = new ReadViewPublisher(Duration.ZERO);
        published.publishIfDue(s, 10);
        try (AdminServer server = new AdminServer(ConsoleSources.of(() -> s, () -> new Leadership("r0", "LEADER", 1))
                .withReadView(published))) {
            String base = "http://127.0.0.1:" + server.start("127.0.0.1", 0);
            assertThat(get(base, "/api/v1/apps?q=gang-g").at("/items/0/gang/status").asText()).isEqualTo("RESERVED");

            for (String uid : List.of("w0", "w1")) {
                s.apply(new PodObserved(6, pod(uid, "gang-g", worker).withNodeName("n1")
                        .withPhase(PodPhase.Succeeded, "3")));
            }
            published.publishIfDue(s, 11);
            JsonNode done = get(base, "/api/v1/apps?q=gang-g").at("/items/0");
            assertThat(done.path("state").asText()).isEqualTo("COMPLETED");
            assertThat(done.at("/gang/status").asText()).isEqualTo("COMPLETED");
            JsonNode live = get(base, "/api/v1/apps/gang-g");
            assertThat(live.path("pods")).as("pods while the app is live: %s", live).hasSize(2);

            // the pods are deleted: the state drops the apps, the console keeps them
            for (String uid : List.of("w0", "w1", "r0")) {
                s.apply(new PodGone(7, uid, "9"));
            }
            assertThat(s.app("gang-g")).isNull();
            published.publishIfDue(s, 12);
            JsonNode apps = get(base, "/api/v1/apps");
            assertThat(apps.path("total").asInt()).as("%s", apps).isEqualTo(2);
            assertThat(apps.at("/items/0/id").asText()).isEqualTo("gang-g");
            assertThat(apps.at("/items/0/state").asText()).isEqualTo("COMPLETED");
            assertThat(apps.at("/items/1/id").asText()).isEqualTo("run-r");
            assertThat(apps.at("/items/1/state").asText()).isEqualTo("DELETED");
            JsonNode detail = get(base, "/api/v1/apps/gang-g");
            assertThat(detail.path("pods")).hasSize(2);
            assertThat(detail.at("/pods/0/name").asText()).isEqualTo("pod-w0");
            assertThat(get(base, "/api/v1/apps/never-was").path("status").asInt()).isEqualTo(404);
        }
    }

    @Test
    void keptAppsExpireAfterTheRetentionAndAnIdThatComesBackIsLiveAgain() {
        ClusterState s = state();
        s.apply(new PodObserved(2, pod("p0", "job-j", SchedulingHints.NONE).withNodeName("n1")
                .withPhase(PodPhase.Succeeded, "2")));
        FinishedApps finished = new FinishedApps(Duration.ofMinutes(10));
        assertThat(finished.update(s, ReadView.of(s, 1, 0).apps(), 0)).isEmpty();
        s.apply(new PodGone(3, "p0", "3"));
        assertThat(finished.update(s, ReadView.of(s, 2, 1_000).apps(), 1_000)).containsOnlyKeys("job-j");
        assertThat(finished.update(s, ReadView.of(s, 3, 600_000).apps(), 600_000)).containsOnlyKeys("job-j");
        assertThat(finished.update(s, ReadView.of(s, 4, 601_001).apps(), 601_001)).isEmpty();

        s.apply(new PodObserved(4, pod("p1", "job-k", SchedulingHints.NONE)));
        finished.update(s, ReadView.of(s, 5, 0).apps(), 0);
        s.apply(new PodGone(5, "p1", "5"));
        assertThat(finished.update(s, ReadView.of(s, 6, 1).apps(), 1)).containsOnlyKeys("job-k");
        s.apply(new PodObserved(6, pod("p2", "job-k", SchedulingHints.NONE)));
        assertThat(finished.update(s, ReadView.of(s, 7, 2).apps(), 2)).isEmpty();
    }
}
