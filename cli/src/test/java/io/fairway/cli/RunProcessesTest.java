package io.fairway.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
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
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code fairway run} as separate processes against the real broker and the local API server: two replicas, the
 * leader killed with SIGKILL (the standby takes over and nothing is allocated twice), the killed one restarted from
 * its RocksDB store as a follower, then the leader stopped with SIGTERM (it releases the lease and the restarted one
 * leads at once).
 */
class RunProcessesTest {
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final Pattern HEALTH_PORT = Pattern.compile("health on port (\\d+)");

    @TempDir
    Path tmp;

    private record Proc(String name, Process process, Path output) {
        int healthPort() throws IOException {
            Matcher m = HEALTH_PORT.matcher(Files.readString(output));
            return m.find() ? Integer.parseInt(m.group(1)) : -1;
        }
    }

    private Proc start(String name, String kafka, Path kubeconfig) throws IOException {
        Path out = tmp.resolve(name + "-" + System.nanoTime() + ".log");
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-Xmx512m", "-XX:+UseSerialGC", "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), Fairway.class.getName(), "run",
                "--kafka", kafka, "--kubeconfig", kubeconfig.toString(), "--replica", name,
                "--data", tmp.resolve("data-" + name).toString(), "--health-port", "0",
                "--set", "kafka.replicationFactor=1", "--set", "kafka.minInsyncReplicas=1"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        return new Proc(name, p, out);
    }

    private static int status(int port, String path) {
        try {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static void ready(Proc p) {
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(p.process().isAlive()).as(p.name() + " runs: " + Files.readString(p.output())).isTrue();
            int port = p.healthPort();
            assertThat(port).isPositive();
            assertThat(status(port, "/healthz")).isEqualTo(200);
            assertThat(status(port, "/readyz")).isEqualTo(200);
            // every replica serves the console's API from its own state
            assertThat(status(port, "/api/v1/summary")).isEqualTo(200);
        });
    }

    private static String holder(KubernetesClient c) {
        Lease l = c.leases().inNamespace("fairway").withName("fairway-leader").get();
        return l == null || l.getSpec().getHolderIdentity() == null ? "" : l.getSpec().getHolderIdentity();
    }

    private static Pod pod(String name) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace("jobs")
                .withLabels(Map.of("yunikorn.apache.org/app-id", "app-" + name, "queue", "root.default")).endMetadata()
                .withNewSpec().withSchedulerName("fairway").addNewContainer().withName("main").withImage("busybox")
                .withNewResources().withRequests(Map.of("cpu", new Quantity("500m"), "memory", new Quantity("1Gi")))
                .endResources().endContainer().endSpec().build();
    }

    private static void create(KubernetesClient c, String prefix, int n) {
        for (int i = 0; i < n; i++) {
            c.pods().inNamespace("jobs").resource(pod(prefix + i)).create();
        }
    }

    private static void allBound(KubernetesClient c, int n) {
        await().atMost(WAIT).untilAsserted(() -> assertThat(c.pods().inNamespace("jobs").list().getItems())
                .hasSize(n).allSatisfy(p -> assertThat(p.getSpec().getNodeName()).as(p.getMetadata().getName())
                        .startsWith("n")));
    }

    /** Namespaces, three nodes, and replicas r0 and r1 ready, one of them holding the lease. */
    private void twoReplicas(KubernetesClient c, EmbeddedKafka kafka, Path kubeconfig, List<Proc> procs)
            throws IOException {
        for (String ns : List.of("jobs", "fairway")) {
            c.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
                    .create();
        }
        for (int i = 0; i < 3; i++) {
            c.nodes().resource(new NodeBuilder().withNewMetadata().withName("n" + i).endMetadata()
                    .withNewStatus().withCapacity(Map.of("cpu", new Quantity("16"), "memory", new Quantity("64Gi"),
                            "pods", new Quantity("110")))
                    .addNewCondition().withType("Ready").withStatus("True").endCondition().endStatus().build())
                    .create();
        }
        Proc r0 = start("r0", kafka.bootstrapServers(), kubeconfig);
        Proc r1 = start("r1", kafka.bootstrapServers(), kubeconfig);
        procs.add(r0);
        procs.add(r1);
        ready(r0);
        ready(r1);
        await().atMost(WAIT).until(() -> !holder(c).isEmpty());
    }

    private record Leading(Proc proc, long epoch) {
    }

    private static final Pattern LEADING = Pattern.compile("\"role\":\"leader\"");
    private static final Pattern EPOCH = Pattern.compile("\"epoch\":(\\d+)");

    /**
     * The replica that leads now, by the lease and by its own word, with its epoch: which one leads, and in which
     * epoch, depends on how the start-up went on a busy machine, so the tests ask rather than assume.
     */
    private static Leading leading(KubernetesClient c, List<Proc> procs) {
        Leading[] found = new Leading[1];
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
            String holder = holder(c);
            Proc p = procs.stream().filter(q -> q.name().equals(holder) && q.process().isAlive()).findFirst()
                    .orElseThrow(() -> new AssertionError("no live replica holds the lease (holder '" + holder + "')"));
            String body = readyz(p.healthPort());
            assertThat(body).containsPattern(LEADING);
            Matcher m = EPOCH.matcher(body);
            assertThat(m.find()).as("epoch in " + body).isTrue();
            found[0] = new Leading(p, Long.parseLong(m.group(1)));
        });
        return found[0];
    }

    /**
     * What the log must show whoever led: epochs only grow, and every allocation carries the epoch of the newest
     * leader elected before it (a deposed leader's decisions never reach the log). Returns where each pod was put.
     */
    private static Map<String, String> checkDecisions(List<LoggedEvent> events) {
        long current = 0;
        Map<String, String> allocatedTo = new HashMap<>();
        for (LoggedEvent e : events) {
            if (e.event() instanceof LeaderElected l) {
                assertThat(l.epoch()).as("epoch elected at offset " + e.offset()).isGreaterThan(current);
                current = l.epoch();
            } else if (e.event() instanceof Allocated a) {
                assertThat(a.epoch()).as("epoch of " + a + " at offset " + e.offset()).isEqualTo(current);
                assertThat(allocatedTo.put(a.podUid(), a.nodeName())).as("allocated twice: " + a).isNull();
            }
        }
        return allocatedTo;
    }

    /** The lines of each replica's output about leading, for a failure message: why was there another election? */
    private static String leaseLines(List<Proc> procs) {
        StringBuilder b = new StringBuilder();
        for (Proc p : procs) {
            try {
                Files.readAllLines(p.output()).stream()
                        .filter(l -> l.contains("lease") || l.contains("leading") || l.contains("not answered"))
                        .forEach(l -> b.append(p.name()).append(": ").append(l).append('\n'));
            } catch (IOException e) {
                b.append(p.name()).append(": output unreadable: ").append(e.getMessage()).append('\n');
            }
        }
        return b.toString();
    }

    private static List<LoggedEvent> all(EventLog log) {
        List<LoggedEvent> out = new ArrayList<>();
        long end = log.endOffset();
        try (EventLog.Reader r = log.reader(0)) {
            while (r.position() < end) {
                out.addAll(r.poll(Duration.ofMillis(200)));
            }
        }
        return out;
    }

    @Test
    void replicasAsProcessesSurviveAKilledLeaderAndHandOverOnSigterm() throws Exception {
        List<Proc> procs = new ArrayList<>();
        try (EmbeddedKafka kafka = EmbeddedKafka.start();
             LocalApiServer server = LocalApiServer.start();
             KubernetesClient c = new KubernetesClientBuilder()
                     .withConfig(new ConfigBuilder().withMasterUrl(server.url()).build()).build()) {
            Path kubeconfig = server.writeKubeconfig(tmp.resolve("kubeconfig"));
            twoReplicas(c, kafka, kubeconfig, procs);
            create(c, "a", 5);
            allBound(c, 5);
            Leading killed = leading(c, procs);
            Proc leader = killed.proc();
            Proc standby = procs.get(0) == leader ? procs.get(1) : procs.get(0);

            // SIGKILL: no goodbye; the standby takes over when the lease runs out
            leader.process().destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            create(c, "b", 5);
            await().atMost(WAIT).until(() -> holder(c).equals(standby.name()));
            allBound(c, 10);

            // the killed replica comes back from its store, as a follower
            Proc back = start(leader.name(), kafka.bootstrapServers(), kubeconfig);
            procs.add(back);
            ready(back);
            assertThat(Files.readString(back.output())).contains("state recovered");

            // SIGTERM: the leader steps down and releases the lease, the other replica leads
            Leading terminated = leading(c, procs);
            Proc stopped = terminated.proc();
            Proc other = stopped == back ? standby : back;
            stopped.process().destroy();
            assertThat(stopped.process().waitFor(30, TimeUnit.SECONDS)).as("stopped on SIGTERM").isTrue();
            assertThat(Files.readString(stopped.output())).contains("stopped");
            await().atMost(WAIT).until(() -> holder(c).equals(other.name()));
            create(c, "c", 3);
            allBound(c, 13);

            try (KafkaEventLog log = KafkaEventLog.open(KafkaEventLogConfig.of(kafka.bootstrapServers()))) {
                List<LoggedEvent> events = all(log);
                // the elections this test caused, whatever else a busy machine brought: the standby after the kill,
                // the other replica after SIGTERM, each in a newer epoch than the leader it replaced
                assertThat(events).as(() -> "leaders elected; what the replicas said about their lease:\n"
                                + leaseLines(procs))
                        .anySatisfy(e -> assertThat(e.event()).isInstanceOfSatisfying(LeaderElected.class, l -> {
                            assertThat(l.replica()).isEqualTo(standby.name());
                            assertThat(l.epoch()).isGreaterThan(killed.epoch());
                        }))
                        .anySatisfy(e -> assertThat(e.event()).isInstanceOfSatisfying(LeaderElected.class, l -> {
                            assertThat(l.replica()).isEqualTo(other.name());
                            assertThat(l.epoch()).isGreaterThan(terminated.epoch());
                        }));
                Map<String, String> allocations = checkDecisions(events);
                assertThat(allocations).hasSize(13);
            }
        } finally {
            for (Proc p : procs) {
                p.process().destroyForcibly();
            }
        }
    }

    private static void signal(Proc p, String sig) throws Exception {
        assertThat(new ProcessBuilder("kill", "-" + sig, Long.toString(p.process().pid())).start().waitFor())
                .isZero();
    }

    private static String readyz(int port) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/readyz"))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    @Test
    void aLeaderPausedPastItsLeaseDoesNothingWhenItResumes() throws Exception {
        List<Proc> procs = new ArrayList<>();
        try (EmbeddedKafka kafka = EmbeddedKafka.start();
             LocalApiServer server = LocalApiServer.start();
             KubernetesClient c = new KubernetesClientBuilder()
                     .withConfig(new ConfigBuilder().withMasterUrl(server.url()).build()).build()) {
            Path kubeconfig = server.writeKubeconfig(tmp.resolve("kubeconfig"));
            twoReplicas(c, kafka, kubeconfig, procs);
            create(c, "a", 3);
            allBound(c, 3);
            Leading paused = leading(c, procs);
            Proc leader = paused.proc();
            Proc standby = procs.get(0) == leader ? procs.get(1) : procs.get(0);

            // paused (a stalled VM, a long GC): the standby takes over while the old leader knows nothing of it
            signal(leader, "STOP");
            try {
                create(c, "b", 4);
                await().atMost(WAIT).until(() -> holder(c).equals(standby.name()));
                allBound(c, 7);
                // meanwhile a third replica joins with an empty store and follows
                Proc fresh = start("r2", kafka.bootstrapServers(), kubeconfig);
                procs.add(fresh);
                ready(fresh);
            } finally {
                signal(leader, "CONT");
            }
            // resumed, it finds its lease not renewed in time: it steps down and decides and binds nothing
            await().atMost(WAIT).untilAsserted(() -> assertThat(Files.readString(leader.output()))
                    .contains("stops leading (epoch " + paused.epoch() + ")"));
            await().atMost(WAIT).untilAsserted(() -> assertThat(readyz(leader.healthPort()))
                    .contains("\"role\":\"follower\"").doesNotContain("\"leader\":\"" + leader.name() + "\""));
            create(c, "c", 2);
            allBound(c, 9);

            try (KafkaEventLog log = KafkaEventLog.open(KafkaEventLogConfig.of(kafka.bootstrapServers()))) {
                List<LoggedEvent> events = all(log);
                assertThat(events).filteredOn(e -> e.event() instanceof LeaderElected l
                        && l.epoch() > paused.epoch() && !l.replica().equals(leader.name()))
                        .as("another replica elected after the pause").isNotEmpty();
                Map<String, String> allocatedTo = checkDecisions(events);
                // every pod runs where the log put it: nobody bound anything the log does not say
                for (Pod p : c.pods().inNamespace("jobs").list().getItems()) {
                    assertThat(p.getSpec().getNodeName()).as(p.getMetadata().getName())
                            .isEqualTo(allocatedTo.get(p.getMetadata().getUid()));
                }
                assertThat(allocatedTo).hasSize(9);
            }
        } finally {
            for (Proc p : procs) {
                p.process().destroyForcibly();
            }
        }
    }
}
