package io.fairway.ha;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fairway.core.events.Allocated;
import io.fairway.core.events.LeaderElected;
import io.fairway.log.EventLog;
import io.fairway.log.LoggedEvent;
import io.fairway.log.kafka.KafkaEventLog;
import io.fairway.log.kafka.KafkaEventLogConfig;
import io.fairway.sandbox.apiserver.LocalApiServer;
import io.fairway.testsupport.EmbeddedKafka;
import io.fairway.testsupport.k8s.ReplicaFixtures;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two replicas in one process, each with its own client, store and log connection: one leads, the other follows the
 * log to the same state; on a graceful stop the standby takes over at once; a replica started while nobody led
 * appends what happened meanwhile (pods created and deleted) before it schedules.
 */
class FailoverTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path tmp;

    private static KubernetesClient client(LocalApiServer server) {
        return new KubernetesClientBuilder().withConfig(new ConfigBuilder().withMasterUrl(server.url()).build()).build();
    }

    private Replica replica(KubernetesClient client, EventLog log, String name) {
        return Replica.start(client, log, ReplicaOptions.defaults(name, tmp.resolve(name)));
    }

    private static void allBound(KubernetesClient client, int n) {
        await().atMost(WAIT).untilAsserted(() -> assertThat(client.pods().inNamespace("jobs").list().getItems())
                .hasSize(n).allSatisfy(p -> assertThat(p.getSpec().getNodeName()).startsWith("n")));
    }

    @Test
    void oneLeadsTheOtherFollowsAndTakesOverWhenTheLeaderStops() {
        try (EmbeddedKafka kafka = EmbeddedKafka.start();
             LocalApiServer server = LocalApiServer.start();
             KubernetesClient admin = client(server);
             KubernetesClient c0 = client(server);
             KubernetesClient c1 = client(server);
             KafkaEventLog log = KafkaEventLog.open(KafkaEventLogConfig.of(kafka.bootstrapServers()));
             KafkaEventLog log0 = KafkaEventLog.open(KafkaEventLogConfig.of(kafka.bootstrapServers()));
             KafkaEventLog log1 = KafkaEventLog.open(KafkaEventLogConfig.of(kafka.bootstrapServers()))) {
            ReplicaFixtures.namespaces(admin, "jobs", "fairway");
            ReplicaFixtures.node(admin, "n0", "8", "64Gi");
            ReplicaFixtures.node(admin, "n1", "8", "64Gi");
            Replica r0 = replica(c0, log0, "r0");
            Replica r1 = replica(c1, log1, "r1");
            try {
                await().atMost(WAIT).until(() -> r0.role() == Replica.Role.LEADER || r1.role() == Replica.Role.LEADER);
                Replica leader = r0.role() == Replica.Role.LEADER ? r0 : r1;
                Replica standby = leader == r0 ? r1 : r0;
                // the standby does not lead while the leader holds the lease
                assertThat(standby.role()).isEqualTo(Replica.Role.FOLLOWER);
                // as soon as its elector has seen the lease (it watches it)
                await().atMost(WAIT).until(() -> leader.name().equals(standby.election().leader()));

                for (int i = 0; i < 6; i++) {
                    admin.pods().inNamespace("jobs").resource(ReplicaFixtures.pod("p" + i)).create();
                }
                allBound(admin, 6);
                // the standby followed the log to the same state
                await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
                    assertThat(standby.follower().nextOffset()).isEqualTo(log.endOffset());
                    assertThat(leader.follower().nextOffset()).isEqualTo(log.endOffset());
                    assertThat(standby.follower().state().hash()).isEqualTo(leader.follower().state().hash());
                });
                assertThat(standby.role()).isEqualTo(Replica.Role.FOLLOWER);

                // a graceful stop releases the lease: the standby leads well before the lease would have run out
                long stopped = System.nanoTime();
                leader.close();
                await().atMost(WAIT).until(() -> standby.role() == Replica.Role.LEADER);
                long takeOverMillis = (System.nanoTime() - stopped) / 1_000_000;
                assertThat(takeOverMillis).as("take-over after a graceful stop, ms")
                        .isLessThan(standby.election().options().leaseDuration().toMillis() * 3);
                for (int i = 6; i < 10; i++) {
                    admin.pods().inNamespace("jobs").resource(ReplicaFixtures.pod("p" + i)).create();
                }
                allBound(admin, 10);

                List<LoggedEvent> events = HaFixtures.all(log);
                assertThat(events).filteredOn(e -> e.event() instanceof LeaderElected)
                        .extracting(e -> ((LeaderElected) e.event()).epoch()).containsExactly(1L, 2L);
                Map<String, Integer> allocations = new HashMap<>();
                for (LoggedEvent e : events) {
                    if (e.event() instanceof Allocated a) {
                        allocations.merge(a.podUid(), 1, Integer::sum);
                    }
                }
                // every pod allocated once: the new leader neither lost nor repeated anything
                assertThat(allocations).hasSize(10).allSatisfy((uid, n) -> assertThat(n).isEqualTo(1));
                assertThat(standby.failure()).isNull();
            } finally {
                r0.close();
                r1.close();
            }
        }
    }

    @Test
    void aLeaderStartedAfterAnOutageAppendsWhatHappenedMeanwhile() {
        try (EmbeddedKafka kafka = EmbeddedKafka.start();
             LocalApiServer server = LocalApiServer.start();
             KubernetesClient admin = client(server);
             KubernetesClient c0 = client(server);
             KubernetesClient c1 = client(server);
             KafkaEventLog log = KafkaEventLog.open(KafkaEventLogConfig.of(kafka.bootstrapServers()))) {
            ReplicaFixtures.namespaces(admin, "jobs", "fairway");
            ReplicaFixtures.node(admin, "n0", "8", "64Gi");
            admin.pods().inNamespace("jobs").resource(ReplicaFixtures.pod("before")).create();
            String doomed;
            try (Replica r0 = replica(c0, log, "r0")) {
                allBound(admin, 1);
                doomed = admin.pods().inNamespace("jobs").resource(ReplicaFixtures.pod("doomed")).create().getMetadata()
                        .getUid();
                allBound(admin, 2);
            }
            // nobody leads: a pod is deleted, two are created
            admin.pods().inNamespace("jobs").withName("doomed").delete();
            admin.pods().inNamespace("jobs").resource(ReplicaFixtures.pod("during-1")).create();
            admin.pods().inNamespace("jobs").resource(ReplicaFixtures.pod("during-2")).create();
            await().atMost(WAIT).until(() -> admin.pods().inNamespace("jobs").list().getItems().size() == 3);

            // the same store, started again: its informers list what is there, and as leader it appends the difference
            try (Replica r0 = replica(c1, log, "r0")) {
                allBound(admin, 3);
                await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
                    assertThat(r0.follower().state().pod(doomed)).isNull();
                    assertThat(r0.follower().state().pods()).hasSize(3);
                });
                assertThat(r0.failure()).isNull();
            }
        }
    }
}
