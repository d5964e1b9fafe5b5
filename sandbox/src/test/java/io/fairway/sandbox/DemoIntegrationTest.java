package io.fairway.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fairway.core.state.LeaderTerm;
import io.fairway.ha.LeaderLoop;
import io.fairway.ha.Replica;
import io.fairway.sandbox.kubelet.KubeletOptions;
import io.fairway.sandbox.kubelet.NodeFleet;
import io.fairway.sandbox.kubelet.NodeSpec;
import io.fairway.sandbox.kubelet.PodLifecycle;
import io.fairway.sandbox.workload.WorkloadGenerator;
import io.fairway.ui.ReadView;
import io.fairway.ui.ReadViewPublisher;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.slf4j.LoggerFactory;

/**
 * What {@code fairway demo} shows, against the sandbox with two replicas: the rows per queue come from the queue the
 * scheduler placed each app in (not from the pods' labels), their completed column counts every finished pod once and
 * keeps it after the pod is deleted; and a kill of the leader is a kill: no step-down, no lease release, the standby
 * takes over with the next epoch once the lease has run out.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DemoIntegrationTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String NS = "demo-test";

    private SandboxCluster cluster;
    private PodTracker tracker;

    @BeforeAll
    void start() {
        cluster = SandboxCluster.start(NodeFleet.of(NodeSpec.cpu("n0", 8, 32), NodeSpec.cpu("n1", 8, 32)),
                KubeletOptions.defaults().withStartDelay(Duration.ZERO).withDeleteFinishedAfter(Duration.ofSeconds(3)),
                SandboxCluster.demoQueues(), LeaderLoop.Options.defaults("replica-0"), 2);
        tracker = new PodTracker(cluster.client(), "fairway");
        WorkloadGenerator.ensureNamespaces(cluster.client(), List.of(NS));
    }

    @AfterAll
    void stop() {
        if (tracker != null) {
            tracker.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    /** A pod of {@code app}, with {@code labels} saying which queue it asks for, running {@code seconds}. */
    private static Pod pod(String name, Map<String, String> labels, String cpu, int seconds) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace(NS).withLabels(labels)
                .withAnnotations(Map.of(PodLifecycle.RUN_SECONDS, String.valueOf(seconds))).endMetadata()
                .withNewSpec().withSchedulerName("fairway").addNewContainer().withName("main").withImage("busybox")
                .withNewResources().withRequests(Map.of("cpu", new Quantity(cpu), "memory", new Quantity("1Gi")))
                .endResources().endContainer().endSpec().build();
    }

    private static Map<String, String> labels(String... kv) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    private static DemoBoard.Row row(List<DemoBoard.Row> rows, String queue) {
        return rows.stream().filter(r -> r.queue().equals(queue)).findFirst().orElse(null);
    }

    @Test
    @Order(1)
    void rowsAreTheQueuesFairwayPlacedTheAppsInAndCompletedNeverGoesDown() {
        KubernetesClient client = cluster.client();
        // asks for "tenants.team-a" with YuniKorn's label only: Fairway places it in root.tenants.team-a
        for (int i = 0; i < 3; i++) {
            client.pods().inNamespace(NS).resource(pod("a-" + i, labels("yunikorn.apache.org/app-id", "app-a",
                    "yunikorn.apache.org/queue", "tenants.team-a"), "1", 1)).create();
        }
        // Spark's way: the legacy "queue" label
        for (int i = 0; i < 2; i++) {
            client.pods().inNamespace(NS).resource(pod("b-" + i, labels("applicationId", "app-b", "queue",
                    "root.tenants.team-b"), "1", 1)).create();
        }
        // no queue at all: root.default
        client.pods().inNamespace(NS).resource(pod("d-0", labels("yunikorn.apache.org/app-id", "app-d"), "1", 1))
                .create();
        // and what stays: two that run on, one that fits no node
        for (int i = 0; i < 2; i++) {
            client.pods().inNamespace(NS).resource(pod("c-" + i, labels("yunikorn.apache.org/app-id", "app-c",
                    "yunikorn.apache.org/queue", "tenants.team-c"), "1", 600)).create();
        }
        client.pods().inNamespace(NS).resource(pod("c-big", labels("yunikorn.apache.org/app-id", "app-c",
                "yunikorn.apache.org/queue", "tenants.team-c"), "64", 600)).create();

        DemoBoard board = new DemoBoard();
        List<List<DemoBoard.Row>> samples = new ArrayList<>();
        // until the finished pods are gone from the cluster (deleted 3 s after they finished)
        await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            ReadView view = Demo.view(cluster);
            List<DemoBoard.Row> rows = board.rows(view, tracker.completedByApp());
            samples.add(rows);
            assertThat(client.pods().inNamespace(NS).list().getItems()).extracting(p -> p.getMetadata().getName())
                    .containsExactlyInAnyOrder("c-0", "c-1", "c-big");
            assertThat(rows).contains(new DemoBoard.Row("root.tenants.team-a", 0, 0, 3),
                    new DemoBoard.Row("root.tenants.team-b", 0, 0, 2),
                    new DemoBoard.Row("root.default", 0, 0, 1),
                    new DemoBoard.Row("root.tenants.team-c", 1, 2, 0));
        });
        List<DemoBoard.Row> last = samples.getLast();
        assertThat(last).extracting(DemoBoard.Row::queue).containsExactly("root.default", "root.tenants.team-a",
                "root.tenants.team-b", "root.tenants.team-c");
        // cumulative: in every queue, each summary's completed is at least the one before
        for (String q : List.of("root.tenants.team-a", "root.tenants.team-b", "root.default")) {
            long before = 0;
            for (List<DemoBoard.Row> rows : samples) {
                DemoBoard.Row r = row(rows, q);
                long now = r == null ? 0 : r.completed();
                assertThat(now).as("completed of %s", q).isGreaterThanOrEqualTo(before);
                before = now;
            }
        }
        assertThat(tracker.completed()).isEqualTo(6);
        assertThat(tracker.lastCompleted()).startsWith(NS + "/");
    }

    @Test
    @Order(2)
    void aKilledLeaderDoesNotStepDownNorReleaseItsLeaseAndTheStandbyTakesOverWithTheNextEpoch() throws Exception {
        KubernetesClient client = cluster.client();
        await().atMost(WAIT).until(() -> cluster.leader() != null && cluster.replicas().size() == 2
                && cluster.replicas().stream().allMatch(r -> r.role() != Replica.Role.STOPPED));
        List<Replica> up = cluster.replicas();
        var options = up.getFirst().election().options();
        List<String> holders = Collections.synchronizedList(new ArrayList<>());
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        ch.qos.logback.classic.Logger fairway = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger("io.fairway");
        fairway.addAppender(logs);
        String killed = null;
        Map<String, Long> stepDownsBefore = new HashMap<>();
        for (Replica r : cluster.replicas()) {
            stepDownsBefore.put(r.name(), r.stepDowns());
        }
        try (Watch w = client.leases().inNamespace(options.namespace()).withName(options.name())
                .watch(new Watcher<Lease>() {
                    @Override
                    public void eventReceived(Action action, Lease lease) {
                        holders.add(Objects.requireNonNullElse(lease.getSpec().getHolderIdentity(), ""));
                    }

                    @Override
                    public void onClose(WatcherException cause) {
                    }
                })) {
            // it stays down for the whole test: the standby is the one that takes over
            killed = cluster.killLeader(Duration.ofMinutes(10));
            assertThat(killed).isNotNull();
            String gone = killed;
            String standby = cluster.replicaNames().stream().filter(n -> !n.equals(gone)).findFirst().orElseThrow();
            await().atMost(WAIT).until(() -> cluster.leader() != null);
            Replica next = cluster.leader();
            assertThat(next.name()).isEqualTo(standby);

            // the log tells the take-over: the term after the killed replica's newest is the standby's, one epoch on
            ReadViewPublisher view = cluster.feed(next).readView();
            await().atMost(WAIT).until(() -> view.get() != null
                    && view.get().summary().leaderEpoch() == next.loop().epoch());
            List<LeaderTerm> terms = view.get().leaderTerms();
            LeaderTerm killedTerm = terms.stream().filter(t -> t.replica().equals(gone))
                    .max(Comparator.comparingLong(LeaderTerm::epoch)).orElseThrow();
            assertThat(terms.getFirst().replica()).isEqualTo(standby);
            assertThat(terms.getFirst().epoch()).isEqualTo(killedTerm.epoch() + 1);
            assertThat(next.loop().epoch()).isEqualTo(killedTerm.epoch() + 1);

            // the lease went from the killed replica to the standby: never released (an empty holder) in between
            await().atMost(WAIT).until(() -> holders.contains(standby));
            List<String> seen;
            synchronized (holders) {
                seen = List.copyOf(holders);
            }
            assertThat(seen.subList(0, seen.indexOf(standby))).allMatch(gone::equals);
        } finally {
            fairway.detachAppender(logs);
        }
        String name = killed;
        Replica leader = up.stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow();
        assertThat(leader.role()).isEqualTo(Replica.Role.STOPPED);
        assertThat(leader.stepDowns()).as("graceful step-downs of the killed replica")
                .isEqualTo(stepDownsBefore.get(killed));
        List<String> lines = logs.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        assertThat(lines).anyMatch(l -> l.startsWith("killed " + name + " (as SIGKILL would"));
        assertThat(lines).noneMatch(l -> l.contains("the replica is stopping"));
        assertThat(lines).noneMatch(l -> l.contains("replica " + name + " stops leading"));
        assertThat(lines).noneMatch(l -> l.contains(name + " no longer holds the lease"));
    }
}
