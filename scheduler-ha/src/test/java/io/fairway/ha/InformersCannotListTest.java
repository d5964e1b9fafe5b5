package io.fairway.ha;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fairway.k8s.WatcherOptions;
import io.fairway.log.InMemoryEventLog;
import io.fairway.sandbox.apiserver.ApiServerOptions;
import io.fairway.sandbox.apiserver.LocalApiServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A replica is a ready follower before its informers' first lists are done; informers that cannot list at all (here
 * the API server answers every request of the replica's with an error) fail the replica instead of leaving a standby
 * that can never lead: it records why, stops, and never competes for the lease.
 */
class InformersCannotListTest {
    @TempDir
    Path tmp;

    @Test
    void aReplicaWhoseInformersCannotListFailsAndNeverLeads() throws Exception {
        try (LocalApiServer server = LocalApiServer.start(ApiServerOptions.defaults().withFaultEndpoints(true));
             KubernetesClient admin = new KubernetesClientBuilder()
                     .withConfig(new ConfigBuilder().withMasterUrl(server.url()).withUserAgent("admin").build()).build();
             KubernetesClient client = new KubernetesClientBuilder().withConfig(new ConfigBuilder()
                     .withMasterUrl(server.url()).withUserAgent("fairway/r0").build()).build();
             InMemoryEventLog log = new InMemoryEventLog()) {
            HttpResponse<String> set = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(server.url()
                            + "/chaos/faults")).header("content-type", "application/json")
                    .PUT(HttpRequest.BodyPublishers.ofString("{\"errorShare\": 1.0, \"agentPrefix\": \"fairway/\"}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(set.statusCode()).as(set.body()).isBetween(200, 299);

            ReplicaOptions options = ReplicaOptions.defaults("r0", tmp.resolve("r0"))
                    .withWatcher(WatcherOptions.defaults().withSyncTimeout(Duration.ofSeconds(2)));
            try (Replica r = Replica.start(client, log, options)) {
                await().atMost(Duration.ofSeconds(60)).until(() -> r.failure() != null);
                assertThat(r.failure()).hasMessageContaining("priority classes");
                await().atMost(Duration.ofSeconds(60)).until(() -> r.role() == Replica.Role.STOPPED);
                assertThat(r.leaderships()).isZero();
                assertThat(admin.leases().inNamespace(ElectionOptions.DEFAULT_NAMESPACE)
                        .withName(ElectionOptions.DEFAULT_NAME).get()).as("nobody competed for the lease").isNull();
            }
        }
    }
}
