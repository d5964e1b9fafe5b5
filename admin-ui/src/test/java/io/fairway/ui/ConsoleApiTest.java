package io.fairway.ui;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fairway.core.events.AdminAction;
import io.fairway.core.events.Event;
import io.fairway.core.events.LeaderElected;
import io.fairway.core.events.NodeObserved;
import io.fairway.core.events.Observation;
import io.fairway.core.events.PodObserved;
import io.fairway.core.events.QueueConfigObserved;
import io.fairway.core.objects.Node;
import io.fairway.core.state.ClusterState;
import io.fairway.log.EventLog;
import io.fairway.log.InMemoryEventLog;
import io.fairway.log.LoggedEvent;
import io.fairway.log.PodStory;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The console's API beyond the state views, over real HTTP: access by token, the config write path (validated, admin
 * only, CSRF-safe, recorded in the log), the log tail, pod stories, replicas and the live stream.
 */
class ConsoleApiTest {
    static final String ADMIN = "admin-token-0123456789abcdef";
    static final String VIEWER = "viewer-token-0123456789abcdef";
    static final String GOOD = """
            partitions:
              - name: default
                queues:
                  - name: root
                    queues:
                      - {name: a}
                      - {name: b}
            """;
    static final String BAD = """
            partitions:
              - name: default
                queues:
                  - name: root
                    queues:
                      - name: a
                        resources: {guaranteed: {memory: 20Gi}, max: {memory: 10Gi}}
            """;

    final HttpClient http = HttpClient.newHttpClient();
    final ObjectMapper json = new ObjectMapper();
    final InMemoryEventLog log = new InMemoryEventLog();
    final EventTail tail = new EventTail(5);
    final List<String[]> writes = new CopyOnWriteArrayList<>();
    ClusterState state;
    EventLog.Reader follower;
    AdminServer server;
    String base;
    /** What the fake ConfigMap holds: the version a write must start from. */
    volatile String configMapVersion = "1";

    /** Applies what the log holds, as a replica's follower does, filling the tail. */
    void follow() {
        while (follower.position() < log.endOffset()) {
            for (LoggedEvent e : follower.poll(Duration.ofMillis(100))) {
                tail.applied(e, state.apply(e.event()));
            }
        }
    }

    void observe(Observation... events) {
        log.append(List.of(events));
        follow();
    }

    void start(AccessControl access, QueueConfigWriter writer) {
        state = new ClusterState();
        follower = log.reader(0);
        log.openDecisionWriter(1).append(List.of(new LeaderElected(0, 1, "r0")));
        observe(new QueueConfigObserved(1, GOOD, "1"),
                new NodeObserved(2, new Node("n1", AdminServerTest.res("4", "16Gi", null),
                        AdminServerTest.res("4", "16Gi", null), Map.of(), List.of(), false, true, "1")));
        PodStory.Saved story = new PodStory.Saved("u-1", "team/p-1", "n1", "Running", "", 0, false, 0,
                List.of(new PodStory.Entry(3, 1000, "observed, pending in root.a"),
                        new PodStory.Entry(5, 1200, "allocated to node n1 by leader epoch 1")), "app-1");
        server = new AdminServer(ConsoleSources.of(() -> state, () -> new Leadership("r0", "LEADER", 1))
                .withAccess(access)
                .withTail(tail)
                .withLog(log)
                .withStories(ref -> ref.equals("u-1") || ref.equals("team/p-1") ? List.of(story) : List.of())
                .withConfigWriter(writer));
        base = "http://127.0.0.1:" + server.start("127.0.0.1", 0);
    }

    QueueConfigWriter fakeConfigMap() {
        return (yaml, baseVersion, user) -> {
            if (!baseVersion.isEmpty() && !baseVersion.equals(configMapVersion)) {
                throw new QueueConfigWriter.Conflict("the queue config changed since version " + baseVersion
                        + ": it is at " + configMapVersion + " now; reload it and apply your change again");
            }
            configMapVersion = String.valueOf(Long.parseLong(configMapVersion) + 1);
            writes.add(new String[] {yaml, baseVersion, user});
            return configMapVersion;
        };
    }

    static AccessControl tokens(boolean readsNeedToken) {
        return AccessControl.tokens(Map.of(ADMIN, new Principal("alice", Role.ADMIN),
                VIEWER, new Principal("victor", Role.VIEWER)), readsNeedToken);
    }

    @BeforeEach
    void defaults() {
        configMapVersion = "1";
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    record Answer(int status, JsonNode body, HttpResponse<String> raw) {
    }

    Answer get(String path, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).GET();
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return send(b.build());
    }

    Answer post(String path, String token, String body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        boolean typed = false;
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
            typed |= headers[i].equalsIgnoreCase("Content-Type");
        }
        if (!typed) {
            b.header("Content-Type", "application/json");
        }
        return send(b.build());
    }

    Answer send(HttpRequest r) throws Exception {
        HttpResponse<String> resp = http.send(r, HttpResponse.BodyHandlers.ofString());
        return new Answer(resp.statusCode(), json.readTree(resp.body()), resp);
    }

    String configBody(String yaml, String baseVersion) throws Exception {
        return json.writeValueAsString(Map.of("yaml", yaml, "baseVersion", baseVersion));
    }

    @Test
    void openReadsNeedNoTokenButAWrongTokenIsRefused() throws Exception {
        start(AccessControl.open(), fakeConfigMap());
        assertThat(get("/api/v1/summary", null).status()).isEqualTo(200);
        Answer who = get("/api/v1/whoami", null);
        assertThat(who.body().get("user").asText()).isEqualTo("anonymous");
        assertThat(who.body().get("writesAllowed").asBoolean()).isFalse();
        Answer bad = get("/api/v1/summary", "not-a-token-anyone-knows");
        assertThat(bad.status()).isEqualTo(401);
        assertThat(bad.body().get("error").asText()).contains("not known");
        // no admin token exists: writes are off, and the answer says why
        Answer write = post("/api/v1/config", null, configBody(GOOD, ""));
        assertThat(write.status()).isEqualTo(401);
        assertThat(write.body().get("error").asText()).contains("no admin token configured");
        assertThat(writes).isEmpty();
    }

    @Test
    void readsWithTokensNeedOneAndViewersAndAdminsGetThrough() throws Exception {
        start(tokens(true), fakeConfigMap());
        Answer none = get("/api/v1/queues", null);
        assertThat(none.status()).isEqualTo(401);
        assertThat(none.raw().headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"fairway\"");
        assertThat(get("/api/v1/queues", "wrong-token-0123456789abcdef").status()).isEqualTo(401);
        assertThat(get("/api/v1/queues", VIEWER).status()).isEqualTo(200);
        assertThat(get("/api/v1/queues", ADMIN).status()).isEqualTo(200);
        Answer who = get("/api/v1/whoami", ADMIN);
        assertThat(who.body().get("user").asText()).isEqualTo("alice");
        assertThat(who.body().get("role").asText()).isEqualTo("admin");
        assertThat(who.body().get("writesAllowed").asBoolean()).isTrue();
        assertThat(get("/api/v1/whoami", VIEWER).body().get("writesAllowed").asBoolean()).isFalse();
        // the non-bearer scheme is named
        Answer basic = send(HttpRequest.newBuilder(URI.create(base + "/api/v1/queues"))
                .header("Authorization", "Basic YWxpY2U6c2VjcmV0").build());
        assertThat(basic.status()).isEqualTo(401);
        assertThat(basic.body().get("error").asText()).contains("not a bearer token");
    }

    @Test
    void onlyAnAdminAppliesAConfigAndTheWriteIsRecordedInTheLog() throws Exception {
        start(tokens(false), fakeConfigMap());
        assertThat(post("/api/v1/config", null, configBody(GOOD, "1")).status()).isEqualTo(401);
        Answer viewer = post("/api/v1/config", VIEWER, configBody(GOOD, "1"));
        assertThat(viewer.status()).isEqualTo(403);
        assertThat(viewer.body().get("error").asText()).contains("victor").contains("admin role");
        assertThat(writes).isEmpty();

        long before = log.endOffset();
        Answer ok = post("/api/v1/config", ADMIN, configBody(GOOD, "1"));
        assertThat(ok.status()).isEqualTo(200);
        assertThat(ok.body().get("version").asText()).isEqualTo("2");
        assertThat(writes).singleElement().satisfies(w -> assertThat(w).containsExactly(GOOD, "1", "alice"));

        List<Event> recorded = new ArrayList<>();
        try (EventLog.Reader r = log.reader(before)) {
            r.poll(Duration.ofMillis(100)).forEach(e -> recorded.add(e.event()));
        }
        assertThat(recorded).singleElement().isInstanceOfSatisfying(AdminAction.class, a -> {
            assertThat(a.user()).isEqualTo("alice");
            assertThat(a.role()).isEqualTo("admin");
            assertThat(a.action()).isEqualTo(AdminAction.CONFIG_APPLY);
            assertThat(a.target()).isEqualTo("2");
            assertThat(a.detail()).contains("replaced version 1");
        });
        // the watcher's observation of the new version joins the audit in the history
        follow();
        observe(new QueueConfigObserved(9, GOOD, "2"));
        JsonNode history = get("/api/v1/config/history", null).body().get("entries");
        assertThat(history.get(0).get("version").asText()).isEqualTo("2");
        assertThat(history.get(0).get("outcome").asText()).isEqualTo("applied");
        assertThat(history.get(0).get("author").asText()).isEqualTo("alice");
        assertThat(history.get(1).get("version").asText()).isEqualTo("1");
        assertThat(history.get(1).get("author").asText()).isEmpty();
        JsonNode active = get("/api/v1/config", null).body();
        assertThat(active.get("version").asText()).isEqualTo("2");
        assertThat(active.get("yaml").asText()).isEqualTo(GOOD);
    }

    @Test
    void afterARejectedConfigAWriteStartsFromTheRejectedVersion() throws Exception {
        start(tokens(false), fakeConfigMap());
        // someone applied a bad config with kubectl: the ConfigMap is at 2, the state keeps 1 in force
        configMapVersion = "2";
        observe(new QueueConfigObserved(30, BAD, "2"));
        JsonNode config = get("/api/v1/config", null).body();
        assertThat(config.get("version").asText()).isEqualTo("1");
        assertThat(config.get("latestVersion").asText()).isEqualTo("2");
        assertThat(post("/api/v1/config", ADMIN, configBody(GOOD, config.get("version").asText())).status())
                .isEqualTo(409);
        assertThat(post("/api/v1/config", ADMIN, configBody(GOOD, config.get("latestVersion").asText())).status())
                .isEqualTo(200);
    }

    @Test
    void noSpellingOfTheWritePathGetsPastTheAdminCheck() throws Exception {
        start(tokens(false), fakeConfigMap());
        for (String path : List.of("/api/v1/config/", "/api/v1//config", "/api/v1/./config", "/api/v1/%63onfig",
                "/api/v1/x/../config", "/api//v1/config")) {
            Answer anonymous = post(path, null, configBody(GOOD, ""));
            assertThat(anonymous.status()).as("anonymous POST " + path).isIn(401, 404, 405);
            Answer viewer = post(path, VIEWER, configBody(GOOD, ""));
            assertThat(viewer.status()).as("viewer POST " + path).isIn(403, 404, 405);
        }
        assertThat(writes).isEmpty();
        // the admin's own request still goes through
        assertThat(post("/api/v1/config", ADMIN, configBody(GOOD, "")).status()).isEqualTo(200);
    }

    @Test
    void aBadConfigIsRejectedWithItsProblemsAndChangesNothing() throws Exception {
        start(tokens(false), fakeConfigMap());
        long end = log.endOffset();
        Answer bad = post("/api/v1/config", ADMIN, configBody(BAD, "1"));
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.body().get("error").asText()).contains("nothing was changed");
        assertThat(bad.body().get("problems").get(0).asText()).contains("root.a").contains("10Gi").contains("20Gi");
        assertThat(writes).isEmpty();
        assertThat(log.endOffset()).isEqualTo(end);

        Answer validated = post("/api/v1/config/validate", VIEWER, configBody(BAD, ""));
        assertThat(validated.status()).isEqualTo(400);
        assertThat(validated.body().get("problems")).isNotEmpty();
        Answer good = post("/api/v1/config/validate", null, configBody(GOOD, ""));
        assertThat(good.status()).isEqualTo(200);
        assertThat(good.body().get("valid").asBoolean()).isTrue();
        assertThat(good.body().get("queues").asInt()).isEqualTo(3);

        assertThat(post("/api/v1/config", ADMIN, "{\"yaml\": ").body().get("error").asText()).contains("not JSON");
        assertThat(post("/api/v1/config", ADMIN, "{\"other\": 1}").body().get("error").asText()).contains("field yaml");
        assertThat(writes).isEmpty();
    }

    @Test
    void writesAreCsrfSafeAndAStaleBaseVersionIsAConflict() throws Exception {
        start(tokens(false), fakeConfigMap());
        Answer form = post("/api/v1/config", ADMIN, "yaml=x", "Content-Type", "application/x-www-form-urlencoded");
        assertThat(form.status()).isEqualTo(415);
        Answer crossSite = post("/api/v1/config", ADMIN, configBody(GOOD, "1"), "Origin", "https://evil.example");
        assertThat(crossSite.status()).isEqualTo(403);
        assertThat(crossSite.body().get("error").asText()).contains("cross-site");
        Answer fetchMeta = post("/api/v1/config", ADMIN, configBody(GOOD, "1"), "Sec-Fetch-Site", "cross-site");
        assertThat(fetchMeta.status()).isEqualTo(403);
        assertThat(writes).isEmpty();
        // the console's own page sends its own origin
        String own = base;
        assertThat(post("/api/v1/config", ADMIN, configBody(GOOD, "1"), "Origin", own).status()).isEqualTo(200);

        Answer stale = post("/api/v1/config", ADMIN, configBody(GOOD, "1"));
        assertThat(stale.status()).isEqualTo(409);
        assertThat(stale.body().get("error").asText()).contains("it is at 2 now");
        assertThat(writes).hasSize(1);
    }

    @Test
    void withoutAWriterTheApplyIsRefusedAndTheServerSaysWhatToDo() throws Exception {
        start(tokens(false), null);
        Answer a = post("/api/v1/config", ADMIN, configBody(GOOD, ""));
        assertThat(a.status()).isEqualTo(503);
        assertThat(a.body().get("error").asText()).contains("kubectl");
        assertThat(get("/api/v1/config", null).status()).isEqualTo(200);
        assertThat(send(HttpRequest.newBuilder(URI.create(base + "/api/v1/config"))
                .DELETE().build()).status()).isEqualTo(405);
    }

    @Test
    void theLogTailComesFromMemoryAndOlderEventsFromTheLog() throws Exception {
        start(AccessControl.open(), fakeConfigMap());
        for (int i = 0; i < 6; i++) {
            observe(new PodObserved(10 + i, AdminServerTest.pod("p" + i, "app-1", "root.a", "alice")));
        }
        long end = log.endOffset();
        JsonNode newest = get("/api/v1/log?limit=2", null).body();
        assertThat(newest.get("end").asLong()).isEqualTo(end);
        assertThat(newest.get("events")).hasSize(2);
        assertThat(newest.at("/events/1/offset").asLong()).isEqualTo(end - 1);
        assertThat(newest.at("/events/1/type").asText()).isEqualTo("PodObserved");
        assertThat(newest.at("/events/1/result").asText()).isEqualTo("applied");
        assertThat(newest.at("/events/1/summary").asText()).contains("pod team/p5");
        assertThat(newest.at("/events/1/event/pod/uid").asText()).isEqualTo("p5");

        // the tail holds 5: offset 0 is read from the log itself
        JsonNode old = get("/api/v1/log?from=0&limit=3", null).body();
        assertThat(old.get("events")).extracting(e -> e.get("offset").asLong()).containsExactly(0L, 1L, 2L);
        assertThat(old.at("/events/0/type").asText()).isEqualTo("LeaderElected");
        assertThat(old.get("next").asLong()).isEqualTo(3);

        JsonNode configs = get("/api/v1/log?from=0&type=QueueConfigObserved", null).body();
        assertThat(configs.get("events")).singleElement()
                .satisfies(e -> assertThat(e.get("summary").asText()).isEqualTo("queue config version 1"));

        assertThat(get("/api/v1/log?type=Nonsense", null).body().get("error").asText()).contains("not an event type");
        assertThat(get("/api/v1/log?from=-1", null).status()).isEqualTo(400);
        assertThat(get("/api/v1/log?limit=5000", null).status()).isEqualTo(400);
    }

    @Test
    void aPodsStoryIsFoundByUidOrNameAndAnUnknownPodIsNotFound() throws Exception {
        start(AccessControl.open(), fakeConfigMap());
        JsonNode byName = get("/api/v1/story?pod=team/p-1", null).body();
        assertThat(byName.get("stories")).singleElement().satisfies(s -> {
            assertThat(s.get("uid").asText()).isEqualTo("u-1");
            assertThat(s.get("entries")).hasSize(2);
            assertThat(s.get("lines").toString()).contains("allocated to node n1");
        });
        assertThat(get("/api/v1/story?pod=u-1", null).status()).isEqualTo(200);
        Answer unknown = get("/api/v1/story?pod=team/nope", null);
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.body().get("error").asText()).contains("team/nope");
        assertThat(get("/api/v1/story", null).status()).isEqualTo(400);
    }

    @Test
    void leadersAreEveryTermNewestFirst() throws Exception {
        start(AccessControl.open(), fakeConfigMap());
        log.openDecisionWriter(2).append(List.of(new LeaderElected(50, 2, "r1")));
        follow();
        JsonNode terms = get("/api/v1/leaders", null).body().get("terms");
        assertThat(terms).hasSize(2);
        assertThat(terms.get(0).get("replica").asText()).isEqualTo("r1");
        assertThat(terms.get(0).get("epoch").asLong()).isEqualTo(2);
        assertThat(terms.get(0).get("since").asLong()).isEqualTo(50);
        assertThat(terms.get(1).get("replica").asText()).isEqualTo("r0");
    }

    @Test
    void replicasWithoutADirectoryIsThisOne() throws Exception {
        start(AccessControl.open(), fakeConfigMap());
        JsonNode r = get("/api/v1/replicas", null).body();
        assertThat(r.get("leader").asText()).isEqualTo("r0");
        assertThat(r.get("replicas")).singleElement().satisfies(x -> {
            assertThat(x.get("name").asText()).isEqualTo("r0");
            assertThat(x.get("self").asBoolean()).isTrue();
        });
    }

    @Test
    void theLiveStreamSendsTheSummaryAndEveryEventAppliedAfterItOpened() throws Exception {
        start(AccessControl.open(), fakeConfigMap());
        HttpResponse<InputStream> resp = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/stream"))
                .build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(resp.statusCode()).isEqualTo(200);
        assertThat(resp.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
        try (BufferedReader in = new BufferedReader(new InputStreamReader(resp.body(), StandardCharsets.UTF_8))) {
            JsonNode summary = next(in, "summary");
            assertThat(summary.get("leader").asText()).isEqualTo("r0");
            assertThat(summary.get("nodes").asInt()).isEqualTo(1);
            observe(new PodObserved(20, AdminServerTest.pod("late", "app-2", "root.b", "bob")));
            JsonNode item = next(in, "log");
            assertThat(item.get("type").asText()).isEqualTo("PodObserved");
            assertThat(item.at("/event/pod/uid").asText()).isEqualTo("late");
            assertThat(next(in, "summary").get("pendingPods").asInt()).isEqualTo(1);
        }
    }

    @Test
    void aRevokedTokenLosesItsStream() throws Exception {
        AtomicReference<AccessControl> access =
                new AtomicReference<>(tokens(true));
        start(AccessControl.open(), fakeConfigMap());
        server.close();
        server = new AdminServer(ConsoleSources.of(() -> state, () -> new Leadership("r0", "LEADER", 1))
                .withAccess(access::get)
                .withTail(tail));
        base = "http://127.0.0.1:" + server.start("127.0.0.1", 0);
        HttpResponse<InputStream> resp = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/stream"))
                .header("Authorization", "Bearer " + VIEWER).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(resp.statusCode()).isEqualTo(200);
        try (BufferedReader in = new BufferedReader(new InputStreamReader(resp.body(), StandardCharsets.UTF_8))) {
            assertThat(next(in, "summary").get("leader").asText()).isEqualTo("r0");
            // the tokens are reloaded without victor's
            access.set(AccessControl.tokens(Map.of(ADMIN, new Principal("alice", Role.ADMIN)), true));
            assertThat(next(in, "error").get("error").asText()).contains("no longer valid");
            assertThat(in.readLine()).isEmpty();
            assertThat(in.readLine()).as("the server ended the stream").isNull();
        }
        assertThat(get("/api/v1/summary", VIEWER).status()).isEqualTo(401);
    }

    /** The data of the next server-sent event named {@code name}. */
    JsonNode next(BufferedReader in, String name) throws Exception {
        String event = null;
        for (String line; (line = in.readLine()) != null; ) {
            if (line.startsWith("event: ")) {
                event = line.substring(7);
            } else if (line.startsWith("data: ") && name.equals(event)) {
                return json.readTree(line.substring(6));
            }
        }
        throw new AssertionError("the stream ended before a " + name + " event");
    }
}
