package io.fairway.sandbox.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.api.model.events.v1.EventBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --history}: one JSON line per mutating request, with what the request did, read back as a checker would. */
class ApiServerMainHistoryTest {
    private static final String AGENT = "harness/history-test";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    static List<JsonNode> lines(Path file) {
        try {
            return Files.readAllLines(file).stream().map(ApiServerTestSupport::json).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static int bind(String url, String pod, String node, String uid, String agent) {
        String body = "{\"apiVersion\":\"v1\",\"kind\":\"Binding\",\"metadata\":{\"name\":\"" + pod + "\""
                + (uid == null ? "" : ",\"uid\":\"" + uid + "\"") + "},\"target\":{\"kind\":\"Node\",\"name\":\"" + node + "\"}}";
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url + "/api/v1/namespaces/default/pods/" + pod + "/binding"))
                    .header("Content-Type", "application/json").header("User-Agent", agent)
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static long rv(HasMetadata o) {
        return Long.parseLong(o.getMetadata().getResourceVersion());
    }

    private static String what(JsonNode l) {
        return l.path("verb").asText() + " " + l.path("resource").asText() + "/" + l.path("sub").asText() + " "
                + l.path("ns").asText() + "/" + l.path("name").asText() + " " + l.path("code").asInt();
    }

    @Test
    void eachWriteIsOneLineWithItsOutcomeAndTheFileIsAppendedAcrossRestarts() {
        Path file = dir.resolve("out/history.jsonl");
        long t0 = System.currentTimeMillis();
        Pod created;
        Pod bound;
        Pod running;
        try (ApiServerProcess s = ApiServerProcess.start(dir, "--history", file.toString());
             KubernetesClient c = s.client(AGENT)) {
            created = c.resource(ApiServerTestSupport.pod("default", "p", Map.of())).create();
            c.nodes().resource(ApiServerTestSupport.node("n1")).create();
            assertThat(bind(s.url, "p", "n1", null, AGENT)).isEqualTo(201);
            bound = c.pods().withName("p").get();
            assertThat(bind(s.url, "p", "n2", null, AGENT)).isEqualTo(409);
            assertThat(bind(s.url, "p", "n3", "not-the-pod", AGENT)).isEqualTo(409);
            running = c.resource(new PodBuilder(bound).editStatus().withPhase("Running").endStatus().build()).updateStatus();
            c.resource(new ConfigMapBuilder().withNewMetadata().withName("cm").endMetadata().addToData("k", "v1").build()).create();
            c.configMaps().withName("cm").edit(cm -> new ConfigMapBuilder(cm).addToData("k", "v2").build());
            // not recorded: leases, both kinds of events, reads
            c.resource(new LeaseBuilder().withNewMetadata().withName("leader").endMetadata().withNewSpec().withHolderIdentity("me").endSpec().build()).create();
            c.resource(new EventBuilder().withNewMetadata().withName("e1").endMetadata().withReason("Scheduled").withAction("Binding")
                    .withReportingController("x").withReportingInstance("y").withEventTime(new io.fabric8.kubernetes.api.model.MicroTime("2026-01-01T00:00:00.000000Z")).build()).create();
            c.resource(new io.fabric8.kubernetes.api.model.EventBuilder().withNewMetadata().withName("e2").endMetadata().withReason("Started")
                    .withNewInvolvedObject().withKind("Pod").withName("p").endInvolvedObject().build()).create();
            c.pods().list();
            c.pods().withName("p").withGracePeriod(0).delete();
            c.pods().withName("ghost").delete();

            assertThat(s.stop()).as("exit code on SIGTERM").isEqualTo(143);
            assertThat(s.stdout()).as("stdout").containsExactly(ApiServerMain.READY + s.url);
        }
        long t1 = System.currentTimeMillis();

        List<JsonNode> lines = lines(file);
        assertThat(lines).extracting(ApiServerMainHistoryTest::what).containsExactly(
                "create pods/ default/p 201",
                "create nodes/ /n1 201",
                "create pods/binding default/p 201",
                "create pods/binding default/p 409",
                "create pods/binding default/p 409",
                "update pods/status default/p 200",
                "create configmaps/ default/cm 201",
                "patch configmaps/ default/cm 200",
                "delete pods/ default/p 200",
                "delete pods/ default/ghost 404");
        for (JsonNode l : lines) {
            assertThat(l.path("agent").asText()).isEqualTo(AGENT);
            assertThat(l.path("t").asLong()).isBetween(t0, t1);
            assertThat(l.has("injected")).isFalse();
        }
        String uid = created.getMetadata().getUid();

        JsonNode create = lines.get(0);
        assertThat(create.path("uid").asText()).isEqualTo(uid);
        assertThat(create.path("rv").asLong()).isEqualTo(rv(created));
        assertThat(create.path("phase").asText()).isEqualTo("Pending");
        assertThat(create.path("object").path("metadata").path("uid").asText()).isEqualTo(uid);
        assertThat(create.has("removed")).isFalse();

        JsonNode node = lines.get(1);
        assertThat(node.path("object").path("metadata").path("name").asText()).isEqualTo("n1");
        assertThat(node.has("uid")).isFalse();

        JsonNode binding = lines.get(2);
        assertThat(binding.path("uid").asText()).isEqualTo(uid);
        assertThat(binding.path("node").asText()).isEqualTo("n1");
        assertThat(binding.path("rv").asLong()).isEqualTo(rv(bound));
        assertThat(binding.path("phase").asText()).isEqualTo("Pending");
        assertThat(binding.has("object")).isFalse();

        JsonNode again = lines.get(3);
        assertThat(again.path("uid").asText()).isEqualTo(uid);
        assertThat(again.path("node").asText()).isEqualTo("n2");
        assertThat(again.has("rv")).as("nothing changed").isFalse();
        assertThat(again.has("phase")).isFalse();

        JsonNode otherUid = lines.get(4);
        assertThat(otherUid.path("uid").asText()).as("the binding's own uid").isEqualTo("not-the-pod");
        assertThat(otherUid.path("node").asText()).isEqualTo("n3");
        assertThat(otherUid.has("rv")).isFalse();

        JsonNode status = lines.get(5);
        assertThat(status.path("rv").asLong()).isEqualTo(rv(running));
        assertThat(status.path("phase").asText()).isEqualTo("Running");
        assertThat(status.path("uid").asText()).isEqualTo(uid);
        assertThat(status.has("object")).isFalse();

        assertThat(lines.get(6).path("object").path("data").path("k").asText()).isEqualTo("v1");
        assertThat(lines.get(7).path("object").path("data").path("k").asText()).isEqualTo("v2");
        assertThat(lines.get(7).path("rv").asLong()).isGreaterThan(lines.get(6).path("rv").asLong());

        JsonNode delete = lines.get(8);
        assertThat(delete.path("removed").asBoolean()).isTrue();
        assertThat(delete.path("uid").asText()).isEqualTo(uid);
        assertThat(delete.path("rv").asLong()).isGreaterThan(rv(running));
        assertThat(delete.path("phase").asText()).isEqualTo("Running");

        JsonNode ghost = lines.get(9);
        assertThat(ghost.has("uid")).isFalse();
        assertThat(ghost.has("rv")).isFalse();
        assertThat(ghost.has("removed")).isFalse();

        // a restart on the same file appends
        try (ApiServerProcess s = ApiServerProcess.start(dir, "--history", file.toString());
             KubernetesClient c = s.client(AGENT)) {
            c.resource(ApiServerTestSupport.pod("default", "q", Map.of())).create();
        }
        List<JsonNode> after = lines(file);
        assertThat(after).hasSize(lines.size() + 1);
        assertThat(after.subList(0, lines.size())).isEqualTo(lines);
        assertThat(what(after.get(lines.size()))).isEqualTo("create pods/ default/q 201");
    }
}
