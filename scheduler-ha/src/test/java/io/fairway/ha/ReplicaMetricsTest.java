package io.fairway.ha;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fairway.core.events.Allocated;
import io.fairway.core.resources.ResourceNames;
import io.fairway.core.state.AppState;
import io.fairway.core.state.ClusterState;
import io.fairway.core.state.QueueState;
import io.fairway.k8s.WatcherOptions;
import io.fairway.log.InMemoryEventLog;
import io.fairway.sandbox.apiserver.LocalApiServer;
import io.fairway.testsupport.k8s.ReplicaFixtures;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /metrics} scraped over real HTTP from the health ports of two running replicas (the sandbox's API server, a
 * shared log): the leader's after it scheduled pods, and the follower's.
 */
class ReplicaMetricsTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String NS = "jobs";
    private static final String QUEUES = """
            partitions:
              - name: default
                queues:
                  - name: root
                    queues:
                      - name: a
                        resources: {guaranteed: {vcore: 4}, max: {vcore: 6}}
                      - name: b
            """;
    private static final int PLACED = 5;

    @TempDir
    Path tmp;

    private final HttpClient http = HttpClient.newHttpClient();

    /** One line of the text format: a name, its labels and a value. */
    record Sample(String name, Map<String, String> labels, double value) {
    }

    private static final Pattern LINE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})?\\s+(\\S+)$");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    record Scrape(String contentType, List<Sample> samples) {
        /** The one sample of {@code name} whose labels include {@code labels} (pairs). */
        double value(String name, String... labels) {
            List<Sample> found = find(name, labels);
            assertThat(found).as("samples of %s %s", name, List.of(labels)).hasSize(1);
            return found.get(0).value();
        }

        List<Sample> find(String name, String... labels) {
            List<Sample> out = new ArrayList<>();
            for (Sample s : samples) {
                if (!s.name().equals(name)) {
                    continue;
                }
                boolean all = true;
                for (int i = 0; i < labels.length; i += 2) {
                    all &= labels[i + 1].equals(s.labels().get(labels[i]));
                }
                if (all) {
                    out.add(s);
                }
            }
            return out;
        }

        double sum(String name) {
            return find(name).stream().mapToDouble(Sample::value).sum();
        }

        boolean has(String name) {
            return !find(name).isEmpty();
        }
    }

    private Scrape scrape(HealthServer health) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + health.port() + "/metrics")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("GET /metrics: %s", r.body()).isEqualTo(200);
        List<Sample> samples = new ArrayList<>();
        for (String line : r.body().split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            Matcher m = LINE.matcher(line);
            assertThat(m.matches()).as("a sample line: %s", line).isTrue();
            Map<String, String> labels = new LinkedHashMap<>();
            if (m.group(2) != null) {
                Matcher l = LABEL.matcher(m.group(2));
                while (l.find()) {
                    labels.put(l.group(1), l.group(2));
                }
            }
            samples.add(new Sample(m.group(1), labels, Double.parseDouble(m.group(3))));
        }
        return new Scrape(r.headers().firstValue("content-type").orElse(""), samples);
    }

    private static KubernetesClient client(LocalApiServer server) {
        return new KubernetesClientBuilder().withConfig(new ConfigBuilder().withMasterUrl(server.url()).build()).build();
    }

    /** With a long lease: the first replica keeps the lead on a loaded machine, so the counts stay its own. */
    private Replica replica(KubernetesClient client, InMemoryEventLog log, String name) {
        return Replica.start(client, log, ReplicaOptions.defaults(name, tmp.resolve(name))
                .withElection(ElectionOptions.defaults()
                        .withTimings(Duration.ofSeconds(15), Duration.ofSeconds(12), Duration.ofMillis(250))));
    }

    private static Pod pod(String name, String queue, String cpu) {
        return new PodBuilder(ReplicaFixtures.pod(name)).editMetadata().addToLabels("queue", queue).endMetadata()
                .editSpec().editFirstContainer().editResources()
                .withRequests(Map.of("cpu", new Quantity(cpu), "memory", new Quantity("1Gi")))
                .endResources().endContainer().endSpec().build();
    }

    /** The queue and app gauges of a scrape are the state's numbers (read once the state is still). */
    private static void gaugesMatchTheState(Scrape s, ClusterState state) {
        for (QueueState q : state.queues().all().values()) {
            String name = q.fullName();
            long pending = 0;
            for (QueueState leaf : state.queues().all().values()) {
                if (q.contains(leaf)) {
                    pending += leaf.apps().values().stream().mapToLong(AppState::pendingPods).sum();
                }
            }
            assertThat(s.value("fairway_queue_pending_pods", "queue", name)).as("pending pods of %s", name)
                    .isEqualTo(pending);
            for (String r : List.of("cpu", "memory")) {
                int id = ResourceNames.id(r);
                assertThat(s.value("fairway_queue_resource", "queue", name, "resource", r, "kind", "allocated"))
                        .as("%s allocated %s", name, r).isEqualTo(q.allocated().get(id));
                assertThat(s.value("fairway_queue_resource", "queue", name, "resource", r, "kind", "pending"))
                        .as("%s pending %s", name, r).isEqualTo(q.pending().get(id));
            }
            q.guaranteed().toMap().forEach((r, v) -> assertThat(s.value("fairway_queue_resource", "queue", name,
                    "resource", r, "kind", "guaranteed")).as("%s guaranteed %s", name, r).isEqualTo(v.doubleValue()));
            q.max().toMap().forEach((r, v) -> assertThat(s.value("fairway_queue_resource", "queue", name,
                    "resource", r, "kind", "max")).as("%s max %s", name, r).isEqualTo(v.doubleValue()));
        }
        for (AppState.Status st : AppState.Status.values()) {
            long n = state.apps().values().stream().filter(a -> a.status() == st).count();
            assertThat(s.value("fairway_apps", "state", st.name())).as("apps %s", st).isEqualTo(n);
        }
        // and what those numbers are here: five 1-cpu pods placed in root.a, the 5-cpu pod of root.b waiting
        assertThat(s.value("fairway_queue_resource", "queue", "root.a", "resource", "cpu", "kind", "allocated"))
                .isEqualTo(PLACED * 1_000);
        assertThat(s.value("fairway_queue_resource", "queue", "root.a", "resource", "cpu", "kind", "guaranteed"))
                .isEqualTo(4_000);
        assertThat(s.value("fairway_queue_resource", "queue", "root.a", "resource", "cpu", "kind", "max"))
                .isEqualTo(6_000);
        assertThat(s.value("fairway_queue_resource", "queue", "root.b", "resource", "cpu", "kind", "pending"))
                .isEqualTo(5_000);
        assertThat(s.value("fairway_queue_pending_pods", "queue", "root.a")).isZero();
        assertThat(s.value("fairway_queue_pending_pods", "queue", "root.b")).isEqualTo(1);
        assertThat(s.value("fairway_queue_pending_pods", "queue", "root")).isEqualTo(1);
        assertThat(s.value("fairway_apps", "state", "RUNNING")).isEqualTo(PLACED);
    }

    @Test
    void theLeaderAndTheFollowerServeTheirMetricsOnTheirHealthPorts() throws Exception {
        InMemoryEventLog log = new InMemoryEventLog();
        try (LocalApiServer server = LocalApiServer.start();
             KubernetesClient admin = client(server);
             KubernetesClient c0 = client(server);
             KubernetesClient c1 = client(server)) {
            ReplicaFixtures.namespaces(admin, NS, WatcherOptions.DEFAULT_CONFIG_NAMESPACE);
            admin.configMaps().inNamespace(WatcherOptions.DEFAULT_CONFIG_NAMESPACE).resource(new ConfigMapBuilder()
                    .withNewMetadata().withName(WatcherOptions.DEFAULT_CONFIG_NAME).endMetadata()
                    .withData(Map.of(WatcherOptions.CONFIG_KEY, QUEUES)).build()).create();
            ReplicaFixtures.node(admin, "n0", "4", "32Gi");
            ReplicaFixtures.node(admin, "n1", "4", "32Gi");
            try (Replica leader = replica(c0, log, "r0");
                 HealthServer leaderHealth = HealthServer.start(leader, log, "127.0.0.1", 0)) {
                await().atMost(WAIT).until(() -> leader.role() == Replica.Role.LEADER);
                try (Replica follower = replica(c1, log, "r1");
                     HealthServer followerHealth = HealthServer.start(follower, log, "127.0.0.1", 0)) {
                    for (int i = 0; i < PLACED; i++) {
                        admin.pods().inNamespace(NS).resource(pod("a-" + i, "root.a", "1")).create();
                    }
                    // fits no 4-cpu node: it waits in root.b
                    admin.pods().inNamespace(NS).resource(pod("b-big", "root.b", "5")).create();
                    await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
                        assertThat(leader.failure()).isNull();
                        assertThat(leader.follower().state().pods()).filteredOn(p -> p.isBound())
                                .hasSize(PLACED);
                    });

                    long allocatedInLog = HaFixtures.all(log).stream()
                            .filter(e -> e.event() instanceof Allocated a && a.epoch() == leader.loop().epoch())
                            .count();
                    assertThat(allocatedInLog).isEqualTo(PLACED);

                    // the state gauges are copied at most once a second, and the log end is probed: both settle
                    await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
                        Scrape s = scrape(leaderHealth);
                        gaugesMatchTheState(s, leader.follower().state());
                        assertThat(s.value("fairway_log_lag")).isZero();
                        // b-big was told why it waits
                        assertThat(s.value("fairway_decisions_total", "type", "Unschedulable")).isPositive();
                    });
                    Scrape s = scrape(leaderHealth);
                    assertThat(s.contentType()).startsWith("text/plain; version=0.0.4");

                    // histograms with counts: cycles that wrote decisions, binding requests answered 2xx
                    assertThat(s.value("fairway_cycle_latency_seconds_count", "outcome", "committed")).isPositive();
                    assertThat(s.value("fairway_cycle_latency_seconds_bucket", "outcome", "committed", "le", "+Inf"))
                            .isEqualTo(s.value("fairway_cycle_latency_seconds_count", "outcome", "committed"));
                    assertThat(s.find("fairway_cycle_latency_seconds_bucket", "outcome", "committed"))
                            .hasSizeGreaterThan(5);
                    assertThat(s.value("fairway_bind_latency_seconds_count", "outcome", "ok")).isPositive();
                    assertThat(s.sum("fairway_bind_latency_seconds_count")).isGreaterThanOrEqualTo(PLACED);
                    assertThat(s.value("fairway_binds_total", "outcome", "bound")).isEqualTo(PLACED);

                    assertThat(s.value("fairway_decisions_total", "type", "Allocated")).isEqualTo(allocatedInLog);
                    assertThat(s.value("fairway_decisions_total", "type", "PreemptionRequested")).isZero();

                    assertThat(s.value("fairway_leader")).isEqualTo(1);
                    assertThat(s.value("fairway_leader_epoch")).isEqualTo(leader.loop().epoch())
                            .isEqualTo(leader.follower().state().leaderEpoch());
                    assertThat(s.value("fairway_leaderships_total")).isEqualTo(1);
                    assertThat(s.value("fairway_step_downs_total")).isZero();
                    assertThat(s.value("fairway_log_applied_offset")).isPositive();
                    assertThat(s.value("fairway_fpga_reprograms_total")).isZero();
                    assertThat(s.value("fairway_preemptions_total")).isZero();
                    assertThat(s.value("fairway_evictions_total", "outcome", "deleted")).isZero();

                    // the JVM's own, from Micrometer's binders
                    for (String jvm : List.of("jvm_memory_used_bytes", "jvm_gc_memory_allocated_bytes_total",
                            "jvm_threads_live_threads", "jvm_classes_loaded_classes", "system_cpu_count",
                            "process_uptime_seconds")) {
                        assertThat(s.has(jvm)).as(jvm).isTrue();
                    }
                    // every series says which replica it comes from
                    assertThat(s.samples()).allSatisfy(x -> assertThat(x.labels()).containsEntry("replica", "r0"));

                    // the follower: not leading, the same epoch, the same queues from its replicated state, and no
                    // decisions or cycles of its own
                    await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
                        Scrape f = scrape(followerHealth);
                        gaugesMatchTheState(f, follower.follower().state());
                        assertThat(f.value("fairway_log_lag")).isZero();
                    });
                    Scrape f = scrape(followerHealth);
                    assertThat(f.value("fairway_leader")).isZero();
                    assertThat(f.value("fairway_leader_epoch")).isEqualTo(leader.loop().epoch());
                    assertThat(f.value("fairway_leaderships_total")).isZero();
                    assertThat(f.value("fairway_decisions_total", "type", "Allocated")).isZero();
                    assertThat(f.sum("fairway_cycle_latency_seconds_count")).isZero();
                    assertThat(f.sum("fairway_bind_latency_seconds_count")).isZero();
                    assertThat(f.samples()).allSatisfy(x -> assertThat(x.labels()).containsEntry("replica", "r1"));
                }
            }
        }
    }
}
