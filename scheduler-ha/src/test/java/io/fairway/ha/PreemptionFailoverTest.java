package io.fairway.ha;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.fairway.core.events.PreemptionRequested;
import io.fairway.core.objects.GangAnnotations;
import io.fairway.core.state.PodState;
import io.fairway.k8s.Evictor;
import io.fairway.k8s.WatcherOptions;
import io.fairway.log.EventLog;
import io.fairway.log.LoggedEvent;
import io.fairway.log.kafka.KafkaEventLog;
import io.fairway.log.kafka.KafkaEventLogConfig;
import io.fairway.sandbox.apiserver.ApiRequest;
import io.fairway.sandbox.apiserver.LocalApiServer;
import io.fairway.testsupport.EmbeddedKafka;
import io.fairway.testsupport.k8s.ReplicaFixtures;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A preemption committed to the log but not carried out by the leader that committed it: the next leader deletes the
 * victim (once, with one {@code Preempted} Event), the preemptor is bound into the victim's room, and nothing else is
 * deleted. And a victim whose deletion was refused is deleted again {@link LeaderLoop#EVICTION_RETRY} later, and not
 * before.
 *
 * <p>How a leader is kept from carrying a preemption out, with no hook in the production code: its own client carries
 * an HTTP interceptor that, while switched on, makes every pod DELETE it sends invalid (an unsupported
 * {@code propagationPolicy}), so the local API server refuses it with 400 and deletes nothing, as it would refuse a
 * leader whose role lacks {@code pods delete}. Everything else (the informers, binds, Events, the lease) goes through
 * as usual.
 */
class PreemptionFailoverTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String NS = "jobs";
    private static final String QUEUES = """
            partitions:
              - name: default
                queues:
                  - name: root
                    queues:
                      - name: a
                        resources: {guaranteed: {vcore: 4}}
                        properties: {preemption.delay: 1s}
                      - name: b
                        resources: {guaranteed: {vcore: 4}}
                        properties: {preemption.delay: 1s}
            """;

    @TempDir
    Path tmp;

    /** System time plus an offset the test moves: time goes on (the preemption delay passes), and can jump. */
    private static final class JumpingClock extends Clock {
        private volatile Duration offset = Duration.ZERO;

        void jump(Duration d) {
            offset = offset.plus(d);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.now().plus(offset);
        }
    }

    /**
     * A client that says who it is ({@code User-Agent}, as the API server records it), and whose pod deletions the
     * API server refuses while {@code refuseDeletes} is true.
     */
    private static KubernetesClient client(LocalApiServer server, String agent, AtomicBoolean refuseDeletes) {
        Interceptor refuse = new Interceptor() {
            @Override
            public void before(BasicBuilder builder, HttpRequest request, Interceptor.RequestTags tags) {
                URI uri = request.uri();
                if (refuseDeletes.get() && "DELETE".equals(request.method()) && uri.getPath().contains("/pods/")) {
                    builder.uri(URI.create(uri + (uri.getQuery() == null ? "?" : "&") + "propagationPolicy=Refused"));
                }
            }
        };
        return new KubernetesClientBuilder()
                .withConfig(new ConfigBuilder().withMasterUrl(server.url()).withUserAgent(agent).build())
                .withHttpClientBuilderConsumer(b -> b.addOrReplaceInterceptor("refuse-pod-deletes", refuse))
                .build();
    }

    private Replica replica(KubernetesClient client, EventLog log, String name, Clock clock) {
        return Replica.start(client, log, ReplicaOptions.defaults(name, tmp.resolve(name)).withClock(clock));
    }

    private static Pod pod(String name, String queue, boolean allowPreemption) {
        Pod p = ReplicaFixtures.pod(name);
        return new PodBuilder(p).editMetadata().addToLabels("queue", queue)
                .addToAnnotations(GangAnnotations.ALLOW_PREEMPTION, Boolean.toString(allowPreemption)).endMetadata()
                .build();
    }

    /** Name → node ("" while pending), with "†" after the node of a pod being deleted: short to read in a failure. */
    private static Map<String, String> pods(KubernetesClient client) {
        return client.pods().inNamespace(NS).list().getItems().stream().collect(Collectors.toMap(
                p -> p.getMetadata().getName(),
                p -> Objects.requireNonNullElse(p.getSpec().getNodeName(), "")
                        + (p.getMetadata().getDeletionTimestamp() == null ? "" : "†"),
                (x, y) -> x, TreeMap::new));
    }

    private static List<Event> events(KubernetesClient client, String pod, String reason) {
        return client.v1().events().inNamespace(NS).list().getItems().stream()
                .filter(e -> pod.equals(e.getInvolvedObject().getName()) && reason.equals(e.getReason())).toList();
    }

    /** The pod DELETEs the API server was sent since it started recording, as "agent pod". */
    private static List<String> podDeletes(LocalApiServer server) {
        return server.requests().stream()
                .filter(r -> r.verb().equals("delete") && r.rbacResource().equals("pods"))
                .map(r -> agent(r) + " " + r.name()).toList();
    }

    private static String agent(ApiRequest r) {
        return r.userAgent() == null ? "" : r.userAgent();
    }

    private static List<PreemptionRequested> preemptions(EventLog log) {
        return HaFixtures.all(log).stream().map(LoggedEvent::event).filter(e -> e instanceof PreemptionRequested)
                .map(e -> (PreemptionRequested) e).toList();
    }

    /**
     * Queues, two 4-cpu nodes, b filling both (only b-7 may be preempted, so that the victim is known), then a-0 of
     * queue a, below its guarantee. Returns the victim's node and uid once the leader committed the preemption and
     * its deletion was refused.
     */
    private static String[] preemptionRefused(KubernetesClient admin, LocalApiServer server, EventLog log,
                                              Replica leader) {
        for (int i = 0; i < 8; i++) {
            admin.pods().inNamespace(NS).resource(pod("b-" + i, "root.b", i == 7)).create();
        }
        await().atMost(WAIT).untilAsserted(() -> assertThat(pods(admin)).hasSize(8)
                .allSatisfy((name, node) -> assertThat(node).as("node of %s", name).isIn("n0", "n1")));
        Pod victim = admin.pods().inNamespace(NS).withName("b-7").get();
        String victimNode = victim.getSpec().getNodeName();
        String victimUid = victim.getMetadata().getUid();

        admin.pods().inNamespace(NS).resource(pod("a-0", "root.a", true)).create();
        // committed and read back applied; the leader tried to delete the victim and was refused
        await().atMost(WAIT).until(() -> leader.evictor().failedCount() == 1);
        assertThat(preemptions(log)).singleElement().satisfies(p -> {
            assertThat(p.victims()).containsExactly(victimUid);
            assertThat(p.nodeName()).isEqualTo(victimNode);
            assertThat(p.epoch()).isEqualTo(leader.loop().epoch());
        });
        assertThat(podDeletes(server)).containsExactly(leader.name() + " b-7");
        PodState marked = leader.follower().state().pod(victimUid);
        assertThat(marked.isPreempted()).isTrue();
        assertThat(marked.role()).isEqualTo(PodState.Role.PLACED);
        // nothing reached the cluster: the victim runs on, untouched and untold, and the preemptor waits
        assertThat(pods(admin)).containsEntry("b-7", victimNode).containsEntry("a-0", "");
        assertThat(events(admin, "b-7", Evictor.PREEMPTED)).isEmpty();
        assertThat(leader.evictor().deletedCount()).isZero();
        return new String[] {victimNode, victimUid};
    }

    /** The victim is gone, told once; a-0 runs in its room; every other pod of b is where it was. */
    private static void carriedOutOnce(KubernetesClient admin, String victimNode, String victimUid,
                                       Map<String, String> before) {
        await().atMost(WAIT).untilAsserted(() -> assertThat(pods(admin)).doesNotContainKey("b-7")
                .containsEntry("a-0", victimNode));
        assertThat(events(admin, "b-7", Evictor.PREEMPTED)).singleElement().satisfies(e -> {
            assertThat(e.getType()).isEqualTo("Warning");
            assertThat(e.getInvolvedObject().getUid()).isEqualTo(victimUid);
            assertThat(e.getMessage()).startsWith("Preempted by pod jobs/a-0 (queue root.a) on node " + victimNode);
        });
        Map<String, String> others = new TreeMap<>(before);
        others.remove("b-7");
        others.put("a-0", victimNode);
        assertThat(pods(admin)).isEqualTo(others);
    }

    @Test
    void aNewLeaderDeletesTheVictimOfAPreemptionTheOldLeaderCommittedButDidNotCarryOut() {
        AtomicBoolean refuse1 = new AtomicBoolean(true);
        try (EmbeddedKafka kafka = EmbeddedKafka.start();
             LocalApiServer server = LocalApiServer.start();
             KubernetesClient admin = client(server, "admin", new AtomicBoolean());
             KubernetesClient c1 = client(server, "r1", refuse1);
             KubernetesClient c2 = client(server, "r2", new AtomicBoolean());
             KafkaEventLog log = KafkaEventLog.open(KafkaEventLogConfig.of(kafka.bootstrapServers()));
             KafkaEventLog log1 = KafkaEventLog.open(KafkaEventLogConfig.of(kafka.bootstrapServers()));
             KafkaEventLog log2 = KafkaEventLog.open(KafkaEventLogConfig.of(kafka.bootstrapServers()))) {
            ReplicaFixtures.namespaces(admin, NS, WatcherOptions.DEFAULT_CONFIG_NAMESPACE);
            admin.configMaps().inNamespace(WatcherOptions.DEFAULT_CONFIG_NAMESPACE).resource(new ConfigMapBuilder()
                    .withNewMetadata().withName(WatcherOptions.DEFAULT_CONFIG_NAME).endMetadata()
                    .withData(Map.of(WatcherOptions.CONFIG_KEY, QUEUES)).build()).create();
            ReplicaFixtures.node(admin, "n0", "4", "32Gi");
            ReplicaFixtures.node(admin, "n1", "4", "32Gi");
            server.recordRequests();
            Replica r1 = replica(c1, log1, "r1", Clock.systemUTC());
            Replica r2 = null;
            boolean crashed = false;
            try {
                await().atMost(WAIT).until(() -> r1.role() == Replica.Role.LEADER);
                Replica standby = r2 = replica(c2, log2, "r2", Clock.systemUTC());
                String[] victim = preemptionRefused(admin, server, log, r1);
                String victimNode = victim[0];
                String victimUid = victim[1];
                Map<String, String> before = pods(admin);
                // the standby follows the log to the same mark: a victim still to be deleted
                await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
                    PodState v = standby.follower().state().pod(victimUid);
                    assertThat(v.isPreempted()).isTrue();
                    assertThat(v.role()).isEqualTo(PodState.Role.PLACED);
                });
                assertThat(standby.role()).isEqualTo(Replica.Role.FOLLOWER);

                // the leader dies before it tries again (its retry would come 30 s later); the standby takes over
                r1.crash();
                crashed = true;
                await().atMost(WAIT).until(() -> standby.role() == Replica.Role.LEADER);
                assertThat(standby.loop().epoch()).isGreaterThan(preemptions(log).get(0).epoch());

                carriedOutOnce(admin, victimNode, victimUid, before);
                // one deletion reached the cluster, the new leader's; the old leader's only try was refused
                assertThat(podDeletes(server)).containsExactly("r1 b-7", "r2 b-7");
                // and it stays at that while the new leader keeps cycling: no second deletion, no second preemption
                long cyclesThen = standby.loop().cycles();
                await().atMost(WAIT).during(Duration.ofSeconds(3)).untilAsserted(() -> {
                    assertThat(podDeletes(server)).containsExactly("r1 b-7", "r2 b-7");
                    assertThat(standby.follower().state().preemptions()).isEqualTo(1);
                    assertThat(standby.follower().state().pod(victimUid)).isNull();
                });
                assertThat(standby.loop().cycles()).isGreaterThan(cyclesThen);
                assertThat(preemptions(log)).hasSize(1);
                assertThat(events(admin, "b-7", Evictor.PREEMPTED)).hasSize(1);
                // re-issued on taking the lead, not carried out from a read-back of its own
                assertThat(standby.loop().preemptionsCarriedOut()).isZero();
                assertThat(standby.loop().evictionsRequested()).isEqualTo(1);
                assertThat(standby.evictor().deletedCount()).isEqualTo(1);
                assertThat(standby.evictor().failedCount()).isZero();
                assertThat(standby.failure()).isNull();
            } finally {
                if (!crashed) {
                    r1.close();
                }
                if (r2 != null) {
                    r2.close();
                }
            }
        }
    }

    @Test
    void aRefusedDeletionIsTriedAgainAfterTheRetryIntervalAndNotBefore() {
        AtomicBoolean refuse = new AtomicBoolean(true);
        JumpingClock clock = new JumpingClock();
        try (EmbeddedKafka kafka = EmbeddedKafka.start();
             LocalApiServer server = LocalApiServer.start();
             KubernetesClient admin = client(server, "admin", new AtomicBoolean());
             KubernetesClient c = client(server, "r", refuse);
             KafkaEventLog log = KafkaEventLog.open(KafkaEventLogConfig.of(kafka.bootstrapServers()))) {
            ReplicaFixtures.namespaces(admin, NS, WatcherOptions.DEFAULT_CONFIG_NAMESPACE);
            admin.configMaps().inNamespace(WatcherOptions.DEFAULT_CONFIG_NAMESPACE).resource(new ConfigMapBuilder()
                    .withNewMetadata().withName(WatcherOptions.DEFAULT_CONFIG_NAME).endMetadata()
                    .withData(Map.of(WatcherOptions.CONFIG_KEY, QUEUES)).build()).create();
            ReplicaFixtures.node(admin, "n0", "4", "32Gi");
            ReplicaFixtures.node(admin, "n1", "4", "32Gi");
            server.recordRequests();
            try (Replica r = replica(c, log, "r", clock)) {
                await().atMost(WAIT).until(() -> r.role() == Replica.Role.LEADER);
                String[] victim = preemptionRefused(admin, server, log, r);
                String victimNode = victim[0];
                String victimUid = victim[1];
                Map<String, String> before = pods(admin);

                // the API server would take it now, but the leader waits out the retry interval, the room held
                refuse.set(false);
                await().atMost(WAIT).during(Duration.ofSeconds(3)).untilAsserted(() -> {
                    assertThat(podDeletes(server)).containsExactly("r b-7");
                    assertThat(pods(admin)).containsEntry("b-7", victimNode).containsEntry("a-0", "");
                });
                clock.jump(LeaderLoop.EVICTION_RETRY);

                carriedOutOnce(admin, victimNode, victimUid, before);
                // the same leader's retry tells the victim why, as its first try would have
                assertThat(events(admin, "b-7", Evictor.PREEMPTED)).singleElement()
                        .satisfies(e -> assertThat(e.getMessage()).contains("is within its guarantee"));
                assertThat(podDeletes(server)).containsExactly("r b-7", "r b-7");
                await().atMost(WAIT).during(Duration.ofSeconds(2)).untilAsserted(() -> {
                    assertThat(podDeletes(server)).hasSize(2);
                    assertThat(r.follower().state().preemptions()).isEqualTo(1);
                });
                assertThat(preemptions(log)).hasSize(1);
                assertThat(r.loop().preemptionsCarriedOut()).isEqualTo(1);
                assertThat(r.loop().evictionsRequested()).isEqualTo(2);
                assertThat(r.evictor().deletedCount()).isEqualTo(1);
                assertThat(r.evictor().failedCount()).isEqualTo(1);
                assertThat(r.failure()).isNull();
            }
        }
    }
}
