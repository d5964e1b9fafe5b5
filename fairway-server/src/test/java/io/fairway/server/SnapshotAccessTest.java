package io.fairway.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fairway.core.events.NodeObserved;
import io.fairway.ha.HealthServer;
import io.fairway.ha.PeerSnapshots;
import io.fairway.ha.Replica;
import io.fairway.ha.ReplicaOptions;
import io.fairway.k8s.KubeObjects;
import io.fairway.log.InMemoryEventLog;
import io.fairway.sandbox.apiserver.LocalApiServer;
import io.fairway.store.SnapshotSource;
import io.fairway.testsupport.k8s.ReplicaFixtures;
import io.fairway.ui.ConsoleFeed;
import io.fairway.ui.access.AccessControl;
import io.fairway.ui.access.Principal;
import io.fairway.ui.access.Role;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A snapshot holds a replica's whole state, so a console whose reads need a token serves snapshots only with one:
 * without it, or with an unknown one, the manifest and the archive are refused; a peer given a viewer token
 * ({@code snapshot.peerToken}) fetches the snapshot; one without finds no offer.
 */
class SnapshotAccessTest {
    private static final String VIEWER = "viewer-0123456789abcdef";

    @TempDir
    Path tmp;

    @Test
    void snapshotsNeedATokenWhenTheConsoleReadsDo() throws Exception {
        InMemoryEventLog log = new InMemoryEventLog();
        AccessControl access = AccessControl.tokens(Map.of(VIEWER, new Principal("ops", Role.VIEWER)), true);
        ConsoleOptions console = new ConsoleOptions(() -> access, null, null, null);
        ConsoleFeed feed = new ConsoleFeed();
        try (LocalApiServer server = LocalApiServer.start();
             KubernetesClient client = new KubernetesClientBuilder().withConfig(new ConfigBuilder()
                     .withMasterUrl(server.url()).build()).build()) {
            ReplicaFixtures.node(client, "n0", "8", "64Gi");
            log.append(List.of(new NodeObserved(1, KubeObjects.node(client.nodes().withName("n0").get()))));
            try (Replica replica = Replica.start(client, log, ReplicaOptions.defaults("r0", tmp.resolve("r0"))
                    .withPublisher(feed));
                 HealthServer health = ConsoleServer.start(replica, feed, log, "127.0.0.1", 0, console)) {
                String base = "http://127.0.0.1:" + health.port();
                HttpClient http = HttpClient.newHttpClient();

                HttpResponse<String> none = http.send(HttpRequest.newBuilder(URI.create(base + "/snapshot/manifest"))
                        .build(), HttpResponse.BodyHandlers.ofString());
                assertThat(none.statusCode()).isEqualTo(401);
                assertThat(none.body()).contains("snapshots:").contains("token");
                HttpResponse<String> wrong = http.send(HttpRequest.newBuilder(URI.create(base
                        + "/snapshot?offset=0")).header("Authorization", "Bearer not-a-token").build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(wrong.statusCode()).isBetween(401, 403);
                HttpResponse<String> viewer = http.send(HttpRequest.newBuilder(URI.create(base
                        + "/snapshot/manifest")).header("Authorization", "Bearer " + VIEWER).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(viewer.statusCode()).as(viewer.body()).isEqualTo(200);
                assertThat(viewer.body()).contains("\"stateHash\"");

                // a peer without the token finds no offer; with it, it fetches and checks the snapshot
                Optional<SnapshotSource.Fetched> refused = new PeerSnapshots(List.of(base), Duration.ofMinutes(1))
                        .fetch(0, Long.MAX_VALUE, tmp.resolve("refused"));
                assertThat(refused).isEmpty();
                assertThat(tmp.resolve("refused")).doesNotExist();
                Optional<SnapshotSource.Fetched> fetched = new PeerSnapshots(List.of(base), Duration.ofMinutes(1),
                        VIEWER).fetch(0, Long.MAX_VALUE, tmp.resolve("fetched"));
                assertThat(fetched).isPresent();
                assertThat(fetched.get().origin()).contains(base);
                try (var files = Files.list(fetched.get().directory())) {
                    assertThat(files).isNotEmpty();
                }
            }
        }
    }
}
