package io.fairway.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fairway.ha.HealthServer;
import io.fairway.ha.Replica;
import io.fairway.ha.RunSettings;
import io.fairway.k8s.WatcherOptions;
import io.fairway.sandbox.apiserver.LocalApiServer;
import io.fairway.testsupport.EmbeddedKafka;
import io.fairway.testsupport.k8s.ReplicaFixtures;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The console of {@code fairway run}, two real replicas on a real broker and API server: TLS with a configured
 * certificate, bearer tokens from a file, a queue config applied through a follower's console that lands in the
 * ConfigMap, is applied by every replica from the log and is told with its author; every replica listed with its lag.
 */
class ConsoleReplicaTest {
    static final Duration WAIT = Duration.ofSeconds(60);
    static final String ADMIN = "admin-0123456789abcdef";
    static final String VIEWER = "viewer-0123456789abcdef";
    static final String CONFIG = """
            partitions:
              - name: default
                queues:
                  - name: root
                    queues:
                      - name: default
            """;
    static final String NEW_CONFIG = CONFIG + "          - {name: spark, resources: {max: {vcore: 8}}}\n";

    @TempDir
    Path tmp;
    final ObjectMapper json = new ObjectMapper();

    /** A self-signed certificate for localhost, made with the JDK's keytool, and a client that trusts it. */
    HttpClient tlsClient(Path store) throws Exception {
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Process p = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "console", "-keyalg", "EC",
                "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "2",
                "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", "changeit")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            ks.load(in, "changeit".toCharArray());
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        return HttpClient.newBuilder().sslContext(ssl).build();
    }

    static FairwayServer server(String name, String kafka, Path kubeconfig, Path data, Path tokens, Path store) {
        Map<String, String> o = new HashMap<>();
        o.put("replica", name);
        o.put("dataDir", data.toString());
        o.put("kafka.bootstrapServers", kafka);
        o.put("kafka.replicationFactor", "1");
        o.put("kafka.minInsyncReplicas", "1");
        o.put("kubernetes.kubeconfig", kubeconfig.toString());
        o.put("health.host", "127.0.0.1");
        o.put("health.port", "0");
        o.put("console.tokens", tokens.toString());
        o.put("console.readsNeedToken", "true");
        o.put("console.tls.keyStore", store.toString());
        o.put("console.tls.keyStorePassword", "changeit");
        return FairwayServer.start(RunSettings.load(null, Map.of(), o));
    }

    record Answer(int status, JsonNode body) {
    }

    Answer call(HttpClient http, HttpRequest.Builder r, String token) throws Exception {
        if (token != null) {
            r.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> resp = http.send(r.build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(resp.statusCode(), json.readTree(resp.body()));
    }

    @Test
    void aConfigAppliedThroughAFollowersConsoleReachesEveryReplicaWithItsAuthor() throws Exception {
        Path store = tmp.resolve("console.p12");
        HttpClient https = tlsClient(store);
        Path tokens = Files.writeString(tmp.resolve("tokens.csv"), "# console\n" + ADMIN + ",alice,admin\n"
                + VIEWER + ",victor,viewer\n");
        try (EmbeddedKafka kafka = EmbeddedKafka.start();
             LocalApiServer api = LocalApiServer.start();
             KubernetesClient admin = new KubernetesClientBuilder()
                     .withConfig(new ConfigBuilder().withMasterUrl(api.url()).build()).build()) {
            ReplicaFixtures.namespaces(admin, "jobs", "fairway");
            ReplicaFixtures.node(admin, "n0", "8", "32Gi");
            admin.configMaps().inNamespace("fairway").resource(new ConfigMapBuilder().withNewMetadata()
                    .withName(WatcherOptions.DEFAULT_CONFIG_NAME).endMetadata()
                    .withData(Map.of(WatcherOptions.CONFIG_KEY, CONFIG)).build()).create();
            admin.pods().inNamespace("jobs").resource(ReplicaFixtures.pod("p0")).create();
            Path kubeconfig = api.writeKubeconfig(tmp.resolve("kubeconfig"));
            try (FairwayServer a = server("r0", kafka.bootstrapServers(), kubeconfig, tmp.resolve("r0"), tokens, store);
                 FairwayServer b = server("r1", kafka.bootstrapServers(), kubeconfig, tmp.resolve("r1"), tokens, store)) {
                await().atMost(WAIT).until(() -> a.replica().role() == Replica.Role.LEADER
                        || b.replica().role() == Replica.Role.LEADER);
                FairwayServer follower = a.replica().role() == Replica.Role.LEADER ? b : a;
                String base = "https://localhost:" + follower.health().port();

                // reads need a token here
                assertThat(call(https, HttpRequest.newBuilder(URI.create(base + "/api/v1/summary")), null).status())
                        .isEqualTo(401);
                await().atMost(WAIT).untilAsserted(() -> {
                    JsonNode s = call(https, HttpRequest.newBuilder(URI.create(base + "/api/v1/summary")), VIEWER).body();
                    assertThat(s.at("/replica/role").asText()).isEqualTo("FOLLOWER");
                    assertThat(s.get("runningPods").asInt()).isEqualTo(1);
                });
                // both replicas report through their status Leases, with their lag
                await().atMost(WAIT).untilAsserted(() -> {
                    JsonNode r = call(https, HttpRequest.newBuilder(URI.create(base + "/api/v1/replicas")), VIEWER).body();
                    assertThat(r.get("leader").asText()).isIn("r0", "r1");
                    assertThat(r.get("replicas")).hasSize(2).allSatisfy(x -> {
                        assertThat(x.get("stale").asBoolean()).isFalse();
                        assertThat(x.get("lag").asLong()).isBetween(0L, HealthServer.READY_LAG);
                    });
                    assertThat(r.get("replicas").findValuesAsText("role")).containsExactlyInAnyOrder("leader", "follower");
                });
                // the pod's story, from the follower's own store
                await().atMost(WAIT).untilAsserted(() -> {
                    Answer story = call(https, HttpRequest.newBuilder(URI.create(base + "/api/v1/story?pod=jobs/p0")),
                            VIEWER);
                    assertThat(story.status()).isEqualTo(200);
                    assertThat(story.body().at("/stories/0/lines").toString()).contains("n0");
                });

                String version = call(https, HttpRequest.newBuilder(URI.create(base + "/api/v1/config")), VIEWER)
                        .body().get("version").asText();
                String body = json.writeValueAsString(Map.of("yaml", NEW_CONFIG, "baseVersion", version));
                HttpRequest.Builder apply = HttpRequest.newBuilder(URI.create(base + "/api/v1/config"))
                        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
                assertThat(call(https, apply, VIEWER).status()).isEqualTo(403);
                Answer applied = call(https, HttpRequest.newBuilder(URI.create(base + "/api/v1/config"))
                        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)), ADMIN);
                assertThat(applied.status()).as(applied.body().toString()).isEqualTo(200);
                String written = applied.body().get("version").asText();

                ConfigMap cm = admin.configMaps().inNamespace("fairway").withName(WatcherOptions.DEFAULT_CONFIG_NAME).get();
                assertThat(cm.getData().get(WatcherOptions.CONFIG_KEY)).isEqualTo(NEW_CONFIG);
                assertThat(cm.getMetadata().getResourceVersion()).isEqualTo(written);
                assertThat(cm.getMetadata().getAnnotations()).containsEntry(QueueConfigMapWriter.CHANGED_BY, "alice");

                for (FairwayServer s : List.of(a, b)) {
                    String at = "https://localhost:" + s.health().port();
                    await().atMost(WAIT).untilAsserted(() -> {
                        JsonNode h = call(https, HttpRequest.newBuilder(URI.create(at + "/api/v1/config/history")),
                                VIEWER).body().get("entries");
                        assertThat(h.get(0).get("version").asText()).isEqualTo(written);
                        assertThat(h.get(0).get("outcome").asText()).isEqualTo("applied");
                        assertThat(h.get(0).get("author").asText()).isEqualTo("alice");
                        JsonNode queues = call(https, HttpRequest.newBuilder(URI.create(at + "/api/v1/queues")), VIEWER)
                                .body();
                        assertThat(queues.findValuesAsText("name")).contains("root.spark");
                    });
                }
                // YuniKorn's read API on the same port, behind the same tokens
                assertThat(call(https, HttpRequest.newBuilder(URI.create(base + "/ws/v1/partitions")), null).status())
                        .isEqualTo(401);
                JsonNode partitions = call(https, HttpRequest.newBuilder(URI.create(base + "/ws/v1/partitions")),
                        VIEWER).body();
                assertThat(partitions.get(0).get("name").asText()).isEqualTo("default");
                // the write is in the log, with who made it
                JsonNode audit = call(https, HttpRequest.newBuilder(URI.create(base
                        + "/api/v1/log?from=0&limit=1000&type=AdminAction")), VIEWER).body();
                assertThat(audit.get("events")).singleElement().satisfies(e -> {
                    assertThat(e.at("/event/user").asText()).isEqualTo("alice");
                    assertThat(e.at("/event/target").asText()).isEqualTo(written);
                });
                // a second apply from the version first edited is refused: somebody changed it meanwhile
                Answer stale = call(https, HttpRequest.newBuilder(URI.create(base + "/api/v1/config"))
                        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)), ADMIN);
                assertThat(stale.status()).isEqualTo(409);
                assertThat(stale.body().get("error").asText()).contains("changed since the version you edited");
            }
        }
    }
}
