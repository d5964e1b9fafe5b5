package io.fairway.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fairway.ha.Replica;
import io.fairway.ha.ReplicaOptions;
import io.fairway.ha.RunSettings;
import io.fairway.k8s.WatcherOptions;
import io.fairway.log.kafka.KafkaEventLog;
import io.fairway.testsupport.k8s.ReadyNodes;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * A replica's whole life as it touches the API server: it elects, watches, binds, reports a waiting pod, preempts one,
 * reads the console's Secret, beats its status Lease and applies a queue config; then every request it made is checked
 * against the RBAC of {@code deploy/base}. Run against the local API server (rules matched here) and against a real
 * kube-apiserver (its own authorizer decides).
 */
final class RbacScenario {
    private RbacScenario() {
    }

    /** One request as RBAC sees it: {@code resource} with its subresource ({@code pods/binding}). */
    record Request(String group, String resource, String verb, String namespace, String name) {
    }

    /**
     * Runs the scenario: {@code admin} sets the cluster up, {@code asFairway} is the replica's client; namespace
     * {@code ns} (the replica's own) must exist. {@code made} returns the replica's requests so far.
     */
    static void run(KubernetesClient admin, KubernetesClient asFairway, KafkaEventLog log, Path dir, String ns,
                    Supplier<List<Request>> made) {
        admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("jobs").endMetadata().build())
                .create();
        ReadyNodes.create(admin, new NodeBuilder().withNewMetadata().withName("n0").endMetadata()
                .withNewStatus().withCapacity(Map.of("cpu", new Quantity("4"), "memory", new Quantity("16Gi"),
                        "pods", new Quantity("110")))
                .withAllocatable(Map.of("cpu", new Quantity("4"), "memory", new Quantity("16Gi"),
                        "pods", new Quantity("110")))
                .addNewCondition().withType("Ready").withStatus("True").endCondition().endStatus().build());
        // b is over its guarantee and a is under its own: a's pod preempts one of b's (the pods delete verb)
        admin.configMaps().inNamespace(WatcherOptions.DEFAULT_CONFIG_NAMESPACE).resource(
                new io.fabric8.kubernetes.api.model.ConfigMapBuilder().withNewMetadata()
                        .withName(WatcherOptions.DEFAULT_CONFIG_NAME).endMetadata()
                        .withData(Map.of(WatcherOptions.CONFIG_KEY, """
                                partitions:
                                  - name: default
                                    queues:
                                      - name: root
                                        queues:
                                          - name: default
                                          - {name: a, resources: {guaranteed: {vcore: 1}}, properties: {preemption.delay: 1s}}
                                          - {name: b, resources: {guaranteed: {vcore: 1}}, properties: {preemption.delay: 1s}}
                                """)).build()).create();
        try (Replica r = Replica.start(asFairway, log, ReplicaOptions.defaults("r0", dir.resolve("r")))) {
            for (String name : List.of("fits", "too-big")) {
                admin.pods().inNamespace("jobs").resource(new PodBuilder().withNewMetadata().withName(name)
                        .withNamespace("jobs").endMetadata().withNewSpec().withSchedulerName("fairway")
                        .addNewContainer().withName("c").withImage("busybox").withNewResources()
                        .withRequests(Map.of("cpu", new Quantity(name.equals("fits") ? "1" : "64")))
                        .endResources().endContainer().endSpec().build()).create();
            }
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                assertThat(admin.pods().inNamespace("jobs").withName("fits").get().getSpec().getNodeName())
                        .isEqualTo("n0");
                assertThat(admin.v1().events().inNamespace("jobs").list().getItems()).isNotEmpty();
                // the lease was created and renewed (its watch shows in a real API server's audit log only once it
                // ends, as the informers' do: the coverage check after the replica stopped counts it)
                assertThat(made.get()).anySatisfy(q -> assertThat(q.verb() + " " + q.resource())
                        .isEqualTo("update leases"));
            });
            for (String name : List.of("b-0", "b-1", "b-2", "a-0")) {
                if (name.equals("a-0")) {
                    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(List.of("b-0", "b-1", "b-2"))
                            .allSatisfy(b -> assertThat(admin.pods().inNamespace("jobs").withName(b).get().getSpec()
                                    .getNodeName()).isEqualTo("n0")));
                }
                admin.pods().inNamespace("jobs").resource(new PodBuilder().withNewMetadata().withName(name)
                        .withNamespace("jobs").withLabels(Map.of("queue", "root." + name.charAt(0), "yunikorn.apache.org/app-id", "app-" + name))
                        .endMetadata()
                        .withNewSpec().withSchedulerName("fairway").addNewContainer().withName("c")
                        .withImage("busybox").withNewResources().withRequests(Map.of("cpu", new Quantity("1")))
                        .endResources().endContainer().endSpec().build()).create();
            }
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(admin.pods().inNamespace("jobs")
                    .withName("a-0").get().getSpec().getNodeName()).isEqualTo("n0"));

            // the console: tokens from a Secret, the replica's status Lease, and a queue config apply
            admin.secrets().inNamespace(ns).resource(new io.fabric8.kubernetes.api.model.SecretBuilder()
                    .withNewMetadata().withName("fairway-console").endMetadata()
                    .withStringData(Map.of(RunSettings.Console.TOKENS_KEY, "0123456789abcdef01,alice,admin\n"))
                    .build()).create();
            assertThat(ConsoleTokens.read(new RunSettings.Console("secret:" + ns + "/fairway-console", false,
                    null), asFairway).writesPossible()).isTrue();
            try (ReplicaBeacon beacon = ReplicaBeacon.start(asFairway, r, ns, Duration.ofMillis(200),
                    Clock.systemUTC())) {
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(beacon.replicas().replicas())
                        .singleElement().satisfies(x -> assertThat(x.name()).isEqualTo("r0")));
                // a second beat updates the Lease it created
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(made.get())
                        .anySatisfy(q -> assertThat(q.verb() + " " + q.resource()).isEqualTo("update leases")));
            }
            String version = admin.configMaps().inNamespace(WatcherOptions.DEFAULT_CONFIG_NAMESPACE)
                    .withName(WatcherOptions.DEFAULT_CONFIG_NAME).get().getMetadata().getResourceVersion();
            new QueueConfigMapWriter(asFairway, WatcherOptions.DEFAULT_CONFIG_NAMESPACE,
                    WatcherOptions.DEFAULT_CONFIG_NAME, Clock.systemUTC()).write(
                    "partitions: [{name: default, queues: [{name: root}]}]", version, "alice");
        }
    }

    /** Every request allowed by the rules (the Role's only in its namespace), and every permission granted used. */
    static void assertCoveredExactly(List<Request> made, List<PolicyRule> cluster, List<PolicyRule> namespaced,
                                     String ns) {
        assertThat(made).isNotEmpty();
        assertThat(made).allSatisfy(q -> assertThat(allowed(q, cluster, namespaced, ns))
                .as("allowed by deploy/base/rbac.yaml: " + q).isTrue());
        Set<String> used = new TreeSet<>();
        made.forEach(q -> used.add(q.group() + "|" + q.resource() + "|" + q.verb()));
        Set<String> granted = new TreeSet<>();
        for (PolicyRule rule : Stream.concat(cluster.stream(), namespaced.stream()).toList()) {
            for (String g : rule.getApiGroups()) {
                for (String res : rule.getResources()) {
                    for (String v : rule.getVerbs()) {
                        granted.add(g + "|" + res + "|" + v);
                    }
                }
            }
        }
        assertThat(granted).as("every permission granted is used").isEqualTo(used);
    }

    private static boolean allowed(Request r, List<PolicyRule> cluster, List<PolicyRule> namespaced, String ns) {
        return cluster.stream().anyMatch(rule -> matches(rule, r))
                || (r.namespace().equals(ns) && namespaced.stream().anyMatch(rule -> matches(rule, r)));
    }

    private static boolean matches(PolicyRule rule, Request r) {
        return rule.getApiGroups().contains(r.group()) && rule.getResources().contains(r.resource())
                && rule.getVerbs().contains(r.verb())
                && (rule.getResourceNames() == null || rule.getResourceNames().isEmpty()
                || rule.getResourceNames().contains(r.name()));
    }
}
