package io.fairway.sandbox.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Faults set while the server runs, through {@code /chaos/*}, seen by clients over real HTTP. */
class ApiServerMainFaultsTest {
    /** Matches the default agentPrefix, as Fairway's own clients do. */
    private static final String FAIRWAY = "fairway/scheduler-test";
    private static final String HARNESS = "harness/kubelet";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    static Path dir;
    static ApiServerProcess server;
    static Path history;

    @BeforeAll
    static void start() {
        history = dir.resolve("history.jsonl");
        server = ApiServerProcess.start(dir, "--history", history.toString());
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @BeforeEach
    void noFaults() {
        assertThat(put("{}").statusCode()).isEqualTo(200);
    }

    static HttpResponse<String> call(String method, String path, String agent, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.url + path)).timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (agent != null) {
            b.header("User-Agent", agent);
        }
        try {
            return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static HttpResponse<String> put(String settings) {
        return call("PUT", "/chaos/faults", FAIRWAY, settings);
    }

    static JsonNode faults() {
        HttpResponse<String> r = call("GET", "/chaos/faults", FAIRWAY, null);
        assertThat(r.statusCode()).isEqualTo(200);
        return ApiServerTestSupport.json(r.body());
    }

    static String configMap(String name) {
        return "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"" + name + "\"},\"data\":{\"k\":\"v\"}}";
    }

    @Test
    void errorShareOneFailsEveryMatchingRequestCountsItAndRecordsItButSparesOtherAgentsAndTheControlPaths() {
        long before = faults().path("injected").path("error500").asLong() + faults().path("injected").path("error503").asLong();
        assertThat(put("{\"errorShare\":1}").statusCode()).isEqualTo(200);

        List<Integer> codes = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            HttpResponse<String> r = call("GET", "/api/v1/namespaces/default/pods", FAIRWAY, null);
            codes.add(r.statusCode());
            JsonNode status = ApiServerTestSupport.json(r.body());
            assertThat(status.path("kind").asText()).isEqualTo("Status");
            assertThat(status.path("code").asInt()).isEqualTo(r.statusCode());
        }
        HttpResponse<String> write = call("POST", "/api/v1/namespaces/default/configmaps", FAIRWAY, configMap("refused"));
        codes.add(write.statusCode());
        assertThat(codes).allSatisfy(c -> assertThat(c).isIn(500, 503));

        // not served: the object was not created
        assertThat(call("GET", "/api/v1/namespaces/default/configmaps/refused", HARNESS, null).statusCode()).isEqualTo(404);
        assertThat(call("POST", "/api/v1/namespaces/default/configmaps", HARNESS, configMap("served")).statusCode()).isEqualTo(201);
        for (String path : List.of("/healthz", "/readyz", "/version", "/api", "/api/v1", "/apis", "/apis/coordination.k8s.io/v1", "/chaos/faults")) {
            assertThat(call("GET", path, FAIRWAY, null).statusCode()).as(path).isEqualTo(200);
        }

        JsonNode injected = faults().path("injected");
        assertThat(injected.path("error500").asLong() + injected.path("error503").asLong() - before).isEqualTo(codes.size());

        JsonNode line = ApiServerMainHistoryTest.lines(history).stream()
                .filter(l -> l.path("name").asText().equals("refused")).findFirst().orElseThrow();
        assertThat(line.path("injected").asBoolean()).isTrue();
        assertThat(line.path("code").asInt()).isEqualTo(write.statusCode());
        assertThat(line.path("verb").asText() + " " + line.path("resource").asText()).isEqualTo("create configmaps");
        assertThat(line.path("agent").asText()).isEqualTo(FAIRWAY);
        assertThat(line.has("rv")).isFalse();
        JsonNode served = ApiServerMainHistoryTest.lines(history).stream()
                .filter(l -> l.path("name").asText().equals("served")).findFirst().orElseThrow();
        assertThat(served.has("injected")).isFalse();
        assertThat(served.path("code").asInt()).isEqualTo(201);
    }

    @Test
    void throttleShareAnswers429WithRetryAfter() {
        assertThat(put("{\"throttleShare\":1,\"retryAfterSeconds\":3}").statusCode()).isEqualTo(200);
        HttpResponse<String> r = call("GET", "/api/v1/nodes", FAIRWAY, null);
        assertThat(r.statusCode()).isEqualTo(429);
        assertThat(r.headers().firstValue("Retry-After")).hasValue("3");
        JsonNode status = ApiServerTestSupport.json(r.body());
        assertThat(status.path("reason").asText()).isEqualTo("TooManyRequests");
        assertThat(status.path("details").path("retryAfterSeconds").asInt()).isEqualTo(3);
        assertThat(call("GET", "/api/v1/nodes", HARNESS, null).statusCode()).isEqualTo(200);
        assertThat(faults().path("injected").path("throttled").asLong()).isPositive();
    }

    @Test
    void anEmptyAgentPrefixFaultsEveryClient() {
        assertThat(put("{\"throttleShare\":1,\"agentPrefix\":\"\"}").statusCode()).isEqualTo(200);
        assertThat(call("GET", "/api/v1/nodes", HARNESS, null).statusCode()).isEqualTo(429);
        assertThat(call("GET", "/api/v1/nodes", null, null).statusCode()).isEqualTo(429);
    }

    @Test
    void latencyDelaysMatchingReadsAndWritesByAtLeastItsAmount() {
        assertThat(put("{\"latencyMs\":400}").statusCode()).isEqualTo(200);
        long t0 = System.nanoTime();
        assertThat(call("GET", "/api/v1/namespaces/default/pods", FAIRWAY, null).statusCode()).isEqualTo(200);
        long read = (System.nanoTime() - t0) / 1_000_000;
        t0 = System.nanoTime();
        assertThat(call("POST", "/api/v1/namespaces/default/configmaps", FAIRWAY, configMap("slow")).statusCode()).isEqualTo(201);
        long write = (System.nanoTime() - t0) / 1_000_000;
        assertThat(read).isGreaterThanOrEqualTo(400);
        assertThat(write).isGreaterThanOrEqualTo(400);
        assertThat(faults().path("injected").path("delayed").asLong()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void goneOnRewatchRefusesResumedWatchesWith410ButNotFreshOnes() {
        String watch = server.url + "/api/v1/namespaces/default/configmaps?watch=true&timeoutSeconds=30";
        call("POST", "/api/v1/namespaces/default/configmaps", HARNESS, configMap("gone-test"));
        String rv = ApiServerTestSupport.json(call("GET", "/api/v1/namespaces/default/configmaps", FAIRWAY, null).body())
                .path("metadata").path("resourceVersion").asText();
        assertThat(put("{\"goneOnRewatch\":true}").statusCode()).isEqualTo(200);

        try (RawWatch resumed = new RawWatch(watch + "&resourceVersion=" + rv, FAIRWAY)) {
            JsonNode e = resumed.next();
            assertThat(RawWatch.type(e)).isEqualTo("ERROR");
            assertThat(e.path("object").path("code").asInt()).isEqualTo(410);
            assertThat(resumed.nextOrEnd()).isNull();
        }
        try (RawWatch fresh = new RawWatch(watch, FAIRWAY)) {
            assertThat(RawWatch.type(fresh.next())).isEqualTo("ADDED");
        }
        try (RawWatch other = new RawWatch(watch + "&resourceVersion=" + rv, HARNESS)) {
            call("POST", "/api/v1/namespaces/default/configmaps", HARNESS, configMap("gone-test-2"));
            JsonNode e = other.nextChange();
            assertThat(RawWatch.type(e) + " " + RawWatch.name(e)).isEqualTo("ADDED gone-test-2");
        }
        assertThat(faults().path("injected").path("gone").asLong()).isPositive();
    }

    @Test
    void cutWatchesEndsEveryOpenWatch() {
        call("POST", "/api/v1/namespaces/default/configmaps", HARNESS, configMap("cut-test"));
        try (RawWatch w = new RawWatch(server.url + "/api/v1/namespaces/default/configmaps?watch=true&timeoutSeconds=60&fieldSelector=metadata.name%3Dcut-test", HARNESS)) {
            // the first event proves the watch is registered (the store sends it when it registers the watch)
            assertThat(RawWatch.type(w.next())).isEqualTo("ADDED");
            HttpResponse<String> cut = call("POST", "/chaos/cut-watches", HARNESS, null);
            assertThat(cut.statusCode()).isEqualTo(200);
            assertThat(ApiServerTestSupport.json(cut.body()).path("closed").asInt()).isPositive();
            assertThat(w.nextOrEnd()).as("the watch ended").isNull();
        }
        assertThat(faults().path("injected").path("watchesCut").asLong()).isPositive();
    }

    @Test
    void theSameSeedGivesTheSameFaultsAgain() {
        List<List<Integer>> runs = new ArrayList<>();
        for (int run = 0; run < 2; run++) {
            assertThat(put("{\"errorShare\":0.5,\"seed\":7}").statusCode()).isEqualTo(200);
            List<Integer> codes = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                codes.add(call("GET", "/api/v1/nodes", FAIRWAY, null).statusCode());
            }
            runs.add(codes);
        }
        assertThat(runs.get(1)).isEqualTo(runs.get(0));
        assertThat(runs.get(0)).contains(200).containsAnyOf(500, 503);
    }

    @Test
    void invalidSettingsAreRefusedNamingTheFieldAndValueAndChangeNothing() {
        assertThat(put("{\"latencyMs\":5}").statusCode()).isEqualTo(200);
        record Bad(String body, String field, String value) {}
        for (Bad bad : List.of(
                new Bad("{\"errorShare\":1.5}", "errorShare", "1.5"),
                new Bad("{\"throttleShare\":-0.1}", "throttleShare", "-0.1"),
                new Bad("{\"latencyMs\":-5}", "latencyMs", "-5"),
                new Bad("{\"errorShare\":0.6,\"throttleShare\":0.6}", "errorShare + throttleShare", "0.6"),
                new Bad("{\"errShare\":0.1}", "errShare", "errShare"),
                new Bad("{\"goneOnRewatch\":\"yes\"}", "goneOnRewatch", "yes"),
                new Bad("not json", "JSON", "not"))) {
            HttpResponse<String> r = put(bad.body());
            assertThat(r.statusCode()).as(bad.body()).isEqualTo(400);
            String message = ApiServerTestSupport.json(r.body()).path("message").asText();
            assertThat(message).as(bad.body()).contains(bad.field()).contains(bad.value());
        }
        JsonNode now = faults();
        assertThat(now.path("latencyMs").asLong()).isEqualTo(5);
        assertThat(now.path("errorShare").asDouble()).isZero();
        assertThat(now.path("agentPrefix").asText()).isEqualTo("fairway/");
        assertThat(now.path("seed").asLong()).isZero();
        // what GET answers can be sent back as it is
        assertThat(put(now.toString()).statusCode()).isEqualTo(200);
    }
}
