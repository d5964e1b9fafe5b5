package io.fairway.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fairway.ha.Replica;
import io.fairway.ha.ReplicaOptions;
import io.fairway.log.kafka.KafkaEventLog;
import io.fairway.log.kafka.KafkaEventLogConfig;
import io.fairway.testsupport.EmbeddedKafka;
import io.fairway.testsupport.k8s.AuditLog;
import io.fairway.testsupport.k8s.KubeControlPlane;
import io.fairway.testsupport.k8s.PodReaper;
import io.fairway.testsupport.k8s.ReadyNodes;
import io.fairway.testsupport.k8s.ReplicaFixtures;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replicas against a real etcd + kube-apiserver (built by scripts/k8s-binaries.sh, RBAC on), with the service account
 * and roles of {@code deploy/base}: the real authorizer judges every request, and the server's audit log is the oracle
 * for what was bound, by whom, and how often.
 */
@Tag("real-apiserver")
class RealApiServerTest {
    private static final String NS = "fairway";
    private static final String USER = "system:serviceaccount:fairway:fairway";
    private static final Duration WAIT = Duration.ofSeconds(90);

    // kept when a test fails: kube-apiserver's log and audit log say what happened
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path tmp;

    /** deploy/base's namespace, service account and RBAC, created by the admin; a client with the account's token. */
    private static KubernetesClient deployBase(KubeControlPlane cp, KubernetesClient admin, List<HasMetadata> items) {
        for (HasMetadata item : items) {
            if (item instanceof Namespace || item instanceof ServiceAccount || item instanceof ClusterRole
                    || item instanceof ClusterRoleBinding || item instanceof Role || item instanceof RoleBinding) {
                admin.resource(item).create();
            }
        }
        String token = cp.serviceAccountToken(admin, NS, "fairway", Duration.ofHours(2));
        return new KubernetesClientBuilder().withConfig(cp.configWithToken(token)).build();
    }

    private static List<AuditLog.Entry> byFairway(KubeControlPlane cp) {
        return AuditLog.read(cp.auditLog()).stream().filter(e -> e.user().equals(USER)).toList();
    }

    /** The Events Fairway wrote in namespace jobs, for a failure's message. */
    private static List<String> said(KubernetesClient admin) {
        return admin.v1().events().inNamespace("jobs").list().getItems().stream()
                .map(e -> e.getInvolvedObject().getName() + ": " + e.getReason() + ": " + e.getMessage()).toList();
    }

    @Test
    void theRealAuthorizerAllowsEveryRequestOfAReplicaAndEveryPermissionIsUsed() throws Exception {
        List<HasMetadata> items = DeployManifestsTest.render("base");
        List<PolicyRule> cluster = items.stream().filter(ClusterRole.class::isInstance).map(ClusterRole.class::cast)
                .findFirst().orElseThrow().getRules();
        List<PolicyRule> namespaced = items.stream().filter(Role.class::isInstance).map(Role.class::cast)
                .findFirst().orElseThrow().getRules();
        try (KubeControlPlane cp = KubeControlPlane.start(tmp.resolve("k8s"), true);
             KubernetesClient admin = cp.adminClient();
             PodReaper reaper = PodReaper.start(admin);
             KubernetesClient asFairway = deployBase(cp, admin, items);
             EmbeddedKafka kafka = EmbeddedKafka.start();
             KafkaEventLog log = KafkaEventLog.open(KafkaEventLogConfig.of(kafka.bootstrapServers()))) {
            // requests to non-resource URLs (discovery, /version) carry no objectRef; every user may make them
            Supplier<List<RbacScenario.Request>> made = () -> byFairway(cp).stream()
                    .filter(e -> !e.resource().isEmpty())
                    .map(e -> new RbacScenario.Request(e.group(), e.resource(), e.verb(), e.namespace(), e.name()))
                    .toList();
            RbacScenario.run(admin, asFairway, log, tmp, NS, made);

            assertThat(byFairway(cp)).as("requests of %s the API server refused", USER)
                    .filteredOn(AuditLog.Entry::forbidden).isEmpty();
            RbacScenario.assertCoveredExactly(made.get(), cluster, namespaced, NS);
        }
    }

    @Test
    void replicasBindEveryPodOnceAndAStandbyTakesOverWhenTheLeaderDies() throws Exception {
        try (KubeControlPlane cp = KubeControlPlane.start(tmp.resolve("k8s"), true);
             KubernetesClient admin = cp.adminClient();
             PodReaper reaper = PodReaper.start(admin);
             KubernetesClient asFairway = deployBase(cp, admin, DeployManifestsTest.render("base"));
             // each replica its own connections, as two pods would have
             KubernetesClient asFairway1 = new KubernetesClientBuilder().withConfig(asFairway.getConfiguration())
                     .build();
             EmbeddedKafka kafka = EmbeddedKafka.start();
             KafkaEventLog log0 = KafkaEventLog.open(KafkaEventLogConfig.of(kafka.bootstrapServers()));
             KafkaEventLog log1 = KafkaEventLog.open(KafkaEventLogConfig.of(kafka.bootstrapServers()))) {
            ReplicaFixtures.namespaces(admin, "jobs");
            for (int i = 0; i < 3; i++) {
                Map<String, Quantity> room = Map.of("cpu", new Quantity("4"), "memory", new Quantity("32Gi"),
                        "pods", new Quantity("110"));
                ReadyNodes.create(admin, new NodeBuilder().withNewMetadata().withName("n" + i).endMetadata()
                        .withNewStatus().withCapacity(room).withAllocatable(room).addNewCondition().withType("Ready")
                        .withStatus("True").endCondition().endStatus().build());
            }
            Replica r0 = Replica.start(asFairway, log0, ReplicaOptions.defaults("r0", tmp.resolve("r0")));
            Replica r1 = Replica.start(asFairway1, log1, ReplicaOptions.defaults("r1", tmp.resolve("r1")));
            Replica dead = null;
            try {
                for (int i = 0; i < 5; i++) {
                    admin.pods().inNamespace("jobs").resource(ReplicaFixtures.pod("before-" + i)).create();
                }
                await().atMost(WAIT).untilAsserted(() -> assertThat(admin.pods().inNamespace("jobs").list().getItems())
                        .as(() -> "pods bound; what Fairway said: " + said(admin)).hasSize(5).allSatisfy(p -> assertThat(p.getSpec().getNodeName()).isNotNull()));

                // as SIGKILL would: no step-down, the lease left to run out
                dead = r0.role() == Replica.Role.LEADER ? r0 : r1;
                Replica standby = dead == r0 ? r1 : r0;
                dead.crash();
                for (int i = 0; i < 5; i++) {
                    admin.pods().inNamespace("jobs").resource(ReplicaFixtures.pod("after-" + i)).create();
                }
                await().atMost(WAIT).untilAsserted(() -> assertThat(admin.pods().inNamespace("jobs").list().getItems())
                        .as(() -> "pods bound; what Fairway said: " + said(admin)).hasSize(10).allSatisfy(p -> assertThat(p.getSpec().getNodeName()).isNotNull()));
                assertThat(standby.role()).isEqualTo(Replica.Role.LEADER);
            } finally {
                for (Replica r : List.of(r0, r1)) {
                    if (r != dead) {
                        r.close();
                    }
                }
            }

            // the API server's own record: one accepted binding per pod, all by Fairway's account
            List<AuditLog.Entry> bindings = AuditLog.read(cp.auditLog()).stream()
                    .filter(e -> e.resource().equals("pods/binding") && e.verb().equals("create")).toList();
            Map<String, Integer> accepted = new HashMap<>();
            bindings.stream().filter(e -> e.code() == 201).forEach(e -> accepted.merge(e.name(), 1, Integer::sum));
            assertThat(accepted).hasSize(10).allSatisfy((pod, n) -> assertThat(n).as(pod).isEqualTo(1));
            assertThat(bindings).allSatisfy(e -> assertThat(e.user()).isEqualTo(USER));
            // no node holds more than its 4 cpus (each pod asks 1)
            Map<String, Integer> perNode = new HashMap<>();
            for (Pod p : admin.pods().inNamespace("jobs").list().getItems()) {
                perNode.merge(p.getSpec().getNodeName(), 1, Integer::sum);
            }
            assertThat(perNode.values()).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(4));
        }
    }

    @Test
    void afterTheApiServerRestartsTheReplicaCatchesUpAndBindsAgain() throws Exception {
        try (KubeControlPlane cp = KubeControlPlane.start(tmp.resolve("k8s"), true);
             KubernetesClient admin = cp.adminClient();
             PodReaper reaper = PodReaper.start(admin);
             KubernetesClient asFairway = deployBase(cp, admin, DeployManifestsTest.render("base"));
             EmbeddedKafka kafka = EmbeddedKafka.start();
             KafkaEventLog log = KafkaEventLog.open(KafkaEventLogConfig.of(kafka.bootstrapServers()))) {
            ReplicaFixtures.namespaces(admin, "jobs");
            ReplicaFixtures.node(admin, "n0", "4", "32Gi");
            try (Replica r = Replica.start(asFairway, log, ReplicaOptions.defaults("r0", tmp.resolve("r")))) {
                for (int i = 0; i < 4; i++) {
                    admin.pods().inNamespace("jobs").resource(ReplicaFixtures.pod("before-" + i)).create();
                }
                await().atMost(WAIT).untilAsserted(() -> assertThat(admin.pods().inNamespace("jobs").list().getItems())
                        .as(() -> "pods bound; what Fairway said: " + said(admin)).hasSize(4)
                        .allSatisfy(p -> assertThat(p.getSpec().getNodeName()).isEqualTo("n0")));

                // every watch breaks; the new server's watch cache starts afresh; the lease cannot be renewed
                cp.restartApiServer();
                // the node is full: a new pod fits only once the deletions are seen
                admin.pods().inNamespace("jobs").withName("before-0").delete();
                admin.pods().inNamespace("jobs").withName("before-1").delete();
                for (int i = 0; i < 2; i++) {
                    admin.pods().inNamespace("jobs").resource(ReplicaFixtures.pod("after-" + i)).create();
                }
                await().atMost(WAIT).untilAsserted(() -> assertThat(admin.pods().inNamespace("jobs").list().getItems())
                        .as(() -> "pods bound; what Fairway said: " + said(admin))
                        .extracting(p -> p.getMetadata().getName() + "@" + p.getSpec().getNodeName())
                        .containsExactlyInAnyOrder("before-2@n0", "before-3@n0", "after-0@n0", "after-1@n0"));
                await().atMost(WAIT).untilAsserted(() -> assertThat(r.follower().state().nodes().get("n0").pods())
                        .hasSize(4));
                assertThat(r.failure()).isNull();
            }
            Map<String, Integer> accepted = new HashMap<>();
            AuditLog.read(cp.auditLog()).stream().filter(e -> e.resource().equals("pods/binding")
                    && e.verb().equals("create") && e.code() == 201).forEach(e -> accepted.merge(e.name(), 1, Integer::sum));
            assertThat(accepted).hasSize(6).allSatisfy((pod, n) -> assertThat(n).as(pod).isEqualTo(1));
        }
    }
}
