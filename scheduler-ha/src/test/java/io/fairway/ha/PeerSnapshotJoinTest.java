package io.fairway.ha;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fairway.log.EventLog;
import io.fairway.log.LoggedEvent;
import io.fairway.log.kafka.KafkaEventLog;
import io.fairway.log.kafka.KafkaEventLogConfig;
import io.fairway.sandbox.apiserver.LocalApiServer;
import io.fairway.store.Recovery;
import io.fairway.store.StoreException;
import io.fairway.testsupport.EmbeddedKafka;
import io.fairway.testsupport.k8s.ReplicaFixtures;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A brand-new replica joins a cluster whose log no longer starts at 0 ({@code deleteRecords}, as retention does) from
 * the snapshot a running replica serves on its health port, over real HTTP, Kafka, RocksDB and API server, and reaches
 * the running replica's state hash.
 */
class PeerSnapshotJoinTest {
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private static KubernetesClient client(LocalApiServer server) {
        return new KubernetesClientBuilder().withConfig(new ConfigBuilder().withMasterUrl(server.url()).build()).build();
    }

    private static void create(KubernetesClient admin, int from, int to) {
        for (int i = from; i < to; i++) {
            admin.pods().inNamespace("jobs").resource(ReplicaFixtures.pod("p" + i)).create();
        }
        await().atMost(WAIT).untilAsserted(() -> assertThat(admin.pods().inNamespace("jobs").list().getItems())
                .hasSize(to).allSatisfy(p -> assertThat(p.getSpec().getNodeName()).isNotNull()));
    }

    /** A port nothing listens on: a peer that is down. */
    private static int deadPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void aNewReplicaJoinsATruncatedLogFromARunningReplicasSnapshot() throws Exception {
        KafkaEventLogConfig config;
        try (EmbeddedKafka kafka = EmbeddedKafka.start();
             LocalApiServer server = LocalApiServer.start();
             KubernetesClient admin = client(server);
             KubernetesClient c0 = client(server);
             KubernetesClient c1 = client(server);
             Admin kafkaAdmin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
             KafkaEventLog log0 = KafkaEventLog.open(config = KafkaEventLogConfig.of(kafka.bootstrapServers()));
             KafkaEventLog log1 = KafkaEventLog.open(KafkaEventLogConfig.of(kafka.bootstrapServers()))) {
            ReplicaFixtures.namespaces(admin, "jobs", "fairway");
            ReplicaFixtures.node(admin, "n0", "64", "256Gi");
            ReplicaFixtures.node(admin, "n1", "64", "256Gi");
            try (Replica r0 = Replica.start(c0, log0, ReplicaOptions.defaults("r0", tmp.resolve("r0")));
                 HealthServer health = HealthServer.start(r0, log0, "127.0.0.1", 0)) {
                create(admin, 0, 12);
                String base = "http://127.0.0.1:" + health.port();
                HttpClient http = HttpClient.newHttpClient();

                // r0 has no snapshot yet (its policy takes one every 100,000 events): asking makes it take one
                HttpResponse<String> m = http.send(HttpRequest.newBuilder(URI.create(base + "/snapshot/manifest"))
                        .build(), HttpResponse.BodyHandlers.ofString());
                assertThat(m.statusCode()).as(m.body()).isEqualTo(200);
                JsonNode manifest = JSON.readTree(m.body());
                long snapshotAt = manifest.get("nextOffset").asLong();
                assertThat(snapshotAt).isPositive();
                assertThat(manifest.get("files").size()).isPositive();
                HttpResponse<String> gone = http.send(HttpRequest.newBuilder(URI.create(base + "/snapshot?offset=1"))
                        .build(), HttpResponse.BodyHandlers.ofString());
                assertThat(gone.statusCode()).isEqualTo(404);
                assertThat(gone.body()).contains("no longer has a snapshot at offset 1").contains("" + snapshotAt);

                create(admin, 12, 20);
                // retention: the events before the snapshot are deleted
                kafkaAdmin.deleteRecords(Map.of(new TopicPartition(config.topic(), 0),
                        RecordsToDelete.beforeOffset(snapshotAt))).all().get(30, TimeUnit.SECONDS);
                assertThat(log0.startOffset()).isEqualTo(snapshotAt);

                // without peers a new replica cannot start, and says what to do
                assertThatThrownBy(() -> Replica.start(c1, log1, ReplicaOptions.defaults("lonely",
                        tmp.resolve("lonely"))))
                        .isInstanceOf(StoreException.class)
                        .hasMessageContaining("the log starts at offset " + snapshotAt)
                        .hasMessageContaining("Set snapshot.peers");

                // a peer that is down first, then r0: the new replica starts from r0's snapshot and the log after it
                PeerSnapshots peers = new PeerSnapshots(List.of("http://127.0.0.1:" + deadPort(), base),
                        Duration.ofMinutes(1));
                try (Replica r1 = Replica.start(c1, log1, ReplicaOptions.defaults("r1", tmp.resolve("r1"))
                        .withPeers(peers))) {
                    Recovery rec = r1.follower().recovery();
                    assertThat(rec.source()).isEqualTo(Recovery.Source.PEER);
                    assertThat(rec.startOffset()).isEqualTo(snapshotAt);
                    assertThat(rec.events()).isPositive();
                    create(admin, 20, 24);
                    await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
                        Replica.StateMark a = r0.stateMark().get(10, TimeUnit.SECONDS);
                        Replica.StateMark b = r1.stateMark().get(10, TimeUnit.SECONDS);
                        assertThat(a.offset()).isEqualTo(afterLastEvent(log0));
                        assertThat(b.offset()).isEqualTo(a.offset());
                        assertThat(b.hash()).isEqualTo(a.hash());
                    });
                    assertThat(r1.failure()).isNull();
                }
            }
        }
    }

    @Test
    void peerUrlsAreCheckedAndNamed() {
        assertThatThrownBy(() -> new PeerSnapshots(List.of("ftp://x:21"), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'ftp://x:21'");
        assertThatThrownBy(() -> new PeerSnapshots(List.of(), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no snapshot peers");
        assertThat(new PeerSnapshots(List.of("http://fairway-console.fairway.svc/"), Duration.ofSeconds(1)).peers())
                .containsExactly("http://fairway-console.fairway.svc");
    }

    /**
     * The offset after the log's last event: its end, unless it ends with transaction markers (a leader's commit takes
     * an offset that no reader ever returns), so a replica that applied every event stands there, not at the end.
     */
    private static long afterLastEvent(EventLog log) {
        long end = log.endOffset();
        long from = Math.max(log.startOffset(), end - 100);
        long after = from;
        try (EventLog.Reader r = log.reader(from)) {
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            // a reader may stop short of markers at the very end: ten empty answers in a row say nothing more comes
            int empty = 0;
            while ((r.position() < end || !r.answered()) && empty < 10) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("the log did not read to its end " + end + " from " + from);
                }
                List<LoggedEvent> got = r.poll(Duration.ofMillis(100));
                empty = got.isEmpty() && r.answered() ? empty + 1 : 0;
                for (LoggedEvent e : got) {
                    after = e.offset() + 1;
                }
            }
        }
        return after;
    }
}
