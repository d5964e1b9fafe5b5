package io.fairway.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fairway.core.events.Allocated;
import io.fairway.core.events.Released;
import io.fairway.core.objects.YuniKornLabels;
import io.fairway.core.resources.Resources;
import io.fairway.core.state.ApplyResult;
import io.fairway.core.state.ClusterState;
import io.fairway.k8s.KubeObjects;
import io.fairway.k8s.WatcherOptions;
import io.fairway.log.EventLog;
import io.fairway.log.LoggedEvent;
import io.fairway.log.Replay;
import io.fairway.log.kafka.KafkaEventLog;
import io.fairway.log.kafka.KafkaEventLogConfig;
import io.fairway.sandbox.kubelet.NodeFleet;
import io.fairway.sandbox.workload.WorkloadGenerator;
import io.fairway.sandbox.workload.WorkloadOptions;
import io.fairway.store.Snapshots;
import io.fairway.testsupport.EmbeddedKafka;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code fairway bench failover}: scheduler replicas as separate {@code fairway run} processes against the embedded
 * Kafka broker and the local API server, a steady stream of pods, and the leader killed with SIGKILL at random
 * moments (then started again from its store, as Kubernetes would restart its pod). For each kill it measures the
 * time to the first binding by the next leader (from the API server's own record of who bound what when); after the
 * run it checks from the API server and the log that every pod is bound once, where the log says, that no node is
 * over capacity and no queue over its max, and that every replica's state hash equals a replay of the log.
 */
public final class FailoverBenchmark {
    private static final Logger LOG = LoggerFactory.getLogger(FailoverBenchmark.class);
    private static final Pattern HEALTH_PORT = Pattern.compile("health on port (\\d+)");
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The capped queue: the invariant "no queue over its max" is checked against it. */
    static final String CAPPED_QUEUE = "root.tenants.team-a";
    /**
     * Its max cpu by default, in cores: at the default size (20,000 pods, a third of them team-a's) its pods ask for
     * many times that and wait at it. A smaller run needs a smaller max ({@link Options#cappedCores}), or the check
     * "no queue over its max" cannot fail.
     */
    public static final long DEFAULT_CAPPED_CORES = 400;

    /**
     * @param replicas  scheduler processes
     * @param kills     leaders killed
     * @param nodes     nodes registered
     * @param pods      pods created, at a steady rate over the run
     * @param seed      kill moments and the workload
     * @param apiServer the local API server or a real one
     * @param cappedCores the max cpu of {@value #CAPPED_QUEUE}, in cores: the config the replicas get says it, and
     *                  the check reads the queue's bound pods against it
     */
    public record Options(int replicas, int kills, int nodes, int pods, long seed,
                          SandboxCluster.ApiServerKind apiServer, long cappedCores) {
        public Options(int replicas, int kills, int nodes, int pods, long seed) {
            this(replicas, kills, nodes, pods, seed, SandboxCluster.ApiServerKind.LOCAL);
        }

        public Options(int replicas, int kills, int nodes, int pods, long seed, SandboxCluster.ApiServerKind apiServer) {
            this(replicas, kills, nodes, pods, seed, apiServer, DEFAULT_CAPPED_CORES);
        }

        public Options {
            if (replicas < 2) {
                throw new IllegalArgumentException("--replicas must be at least 2: someone must take over");
            }
            if (kills < 1 || nodes < 1 || pods < 1) {
                throw new IllegalArgumentException("--kills, --nodes and --pods must be at least 1");
            }
            if (cappedCores < 1) {
                throw new IllegalArgumentException("--capped-cores must be at least 1");
            }
        }
    }

    /**
     * What a run measured and found.
     *
     * @param elections        leader elections the log holds: one at the start and one per kill when none was needless
     * @param bindingsAccepted bindings the API server accepted, by its own record
     * @param bindingsRefused  bindings it answered 409 (the pod bound already: a deposed leader's, or a retry's)
     * @param capped           the capped queue at the end, from the API server's pods
     */
    public record Result(int kills, long[] failoverMillis, long failoverP50Ms, long failoverP99Ms, long failoverMaxMs,
                         int pods, int bound, List<String> violations, double seconds, long elections,
                         long bindingsAccepted, long bindingsRefused, CappedQueue capped) {
        /** Elections beyond the first leader's and those the kills caused: a leader lost for no reason. */
        public long needlessElections() {
            return Math.max(0, elections - 1 - kills);
        }
    }

    /**
     * The capped queue at the end of a run, from the API server's pods.
     *
     * @param maxMillicores   the max the check reads against
     * @param boundMillicores cpu requested by its bound pods
     * @param bound           its pods bound
     * @param waiting         its pods not bound: waiting at its max (or rejected, a gang larger than the max)
     */
    public record CappedQueue(String queue, long maxMillicores, long boundMillicores, int bound, int waiting) {
        /** True when some of its pods waited: the max was in the way, and the check could have found it exceeded. */
        public boolean reachedMax() {
            return waiting > 0;
        }
    }

    private record Proc(String name, Process process, Path output) {
        int healthPort() {
            try {
                Matcher m = HEALTH_PORT.matcher(Files.readString(output));
                return m.find() ? Integer.parseInt(m.group(1)) : -1;
            } catch (IOException e) {
                return -1;
            }
        }
    }

    private FailoverBenchmark() {
    }

    public static Result run(Options o) {
        return run(o, o.cappedCores(), client -> { });
    }

    /**
     * A run whose replicas get a config with {@code configuredCores} as the capped queue's max (the check still reads
     * against {@link Options#cappedCores}: a larger one plants a bug the check must find), and {@code atEnd} called
     * with the API server's client once the run is checked, before it stops.
     */
    @SuppressWarnings("try") // the replicas' resource is there to be closed, first
    static Result run(Options o, long configuredCores, Consumer<KubernetesClient> atEnd) {
        Path work;
        try {
            work = Files.createTempDirectory("fairway-failover");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Proc> procs = new ArrayList<>();
        try (EmbeddedKafka kafka = EmbeddedKafka.start();
             BenchApiServer api = BenchApiServer.start(o.apiServer(), work);
             WorkloadGenerator workload = new WorkloadGenerator(WorkloadOptions.defaults().toBuilder()
                     .mix(new WorkloadOptions.Mix(1, 1, 0, 0)).seed(o.seed()).build());
             // closed first: the replicas stop while the broker and the API server they talk to are still up
             Replicas replicas = new Replicas(procs)) {
            KubernetesClient client = api.admin();
            // the replicas' identity first: on a real API server it brings namespace fairway
            Path kubeconfig = api.replicaKubeconfig(work);
            api.namespace(WatcherOptions.DEFAULT_CONFIG_NAMESPACE);
            client.configMaps().inNamespace(WatcherOptions.DEFAULT_CONFIG_NAMESPACE).resource(new ConfigMapBuilder()
                    .withNewMetadata().withName(WatcherOptions.DEFAULT_CONFIG_NAME).endMetadata()
                    .withData(Map.of(WatcherOptions.CONFIG_KEY, E2eBenchmark.benchQueues(configuredCores))).build()).create();
            NodeFleet.uniformCpu(o.nodes()).register(client, 32);
            List<Pod> generated = workload.burstPods(client, o.pods());
            // one probe pod created at each kill, in a queue without a max, so that the next leader always has
            // something to bind at once
            List<Pod> probePods = new ArrayList<>();
            for (int k = 0; k < o.kills(); k++) {
                Pod probe = new io.fabric8.kubernetes.api.model.PodBuilder(generated.stream()
                        .filter(p -> !CAPPED_QUEUE.equals(queueOf(p))).findFirst().orElseThrow())
                        .editMetadata().withName("failover-probe-" + k).withResourceVersion(null).withUid(null)
                        .endMetadata().build();
                probePods.add(probe);
            }
            List<Pod> pods = generated;
            List<Pod> probes = probePods;
            int total = pods.size() + probes.size();
            Map<String, Proc> byName = new HashMap<>();
            for (int i = 0; i < o.replicas(); i++) {
                Proc p = start("replica-" + i, kafka.bootstrapServers(), kubeconfig, work);
                procs.add(p);
                byName.put(p.name(), p);
            }
            for (Proc p : procs) {
                awaitReady(p, Duration.ofSeconds(120));
            }
            long t0 = System.nanoTime();
            // the stream: the pods spread over about 10 s per kill (a random wait, the take-over, the restart)
            double perSecond = o.pods() / (o.kills() * 10.0);
            Thread stream = Thread.ofPlatform().name("failover-pod-stream").start(() -> {
                int sent = 0;
                long start = System.nanoTime();
                while (sent < pods.size() && !Thread.currentThread().isInterrupted()) {
                    int due = (int) Math.min(pods.size(), (System.nanoTime() - start) / 1e9 * perSecond + 1);
                    if (due > sent) {
                        api.create(pods.subList(sent, due), 16);
                        sent = due;
                    } else {
                        try {
                            Thread.sleep(20);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                }
            });
            Random random = new Random(o.seed());
            long[] failovers = new long[o.kills()];
            for (int k = 0; k < o.kills(); k++) {
                sleep(2_000 + random.nextInt(3_000));
                String leader = awaitLeader(client, Duration.ofSeconds(60));
                Proc victim = byName.get(leader);
                if (victim == null) {
                    throw new IllegalStateException("the lease names " + leader + ", which is not one of the replicas");
                }
                victim.process().destroyForcibly();
                long killedAt = System.nanoTime();
                Instant killedAtInstant = Instant.now();
                api.create(probes.subList(k, k + 1), 1);
                try {
                    victim.process().waitFor(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                LOG.info("failover bench: killed the leader {} ({} of {})", leader, k + 1, o.kills());
                failovers[k] = api.millisToFirstBindBy("fairway/" + leader, killedAt, killedAtInstant,
                        Duration.ofSeconds(60));
                LOG.info("failover bench: first binding by the next leader {} ms after the kill", failovers[k]);
                // the killed replica comes back from its store, as Kubernetes restarts a pod
                Proc again = start(leader, kafka.bootstrapServers(), kubeconfig, work);
                procs.add(again);
                byName.put(leader, again);
                awaitReady(again, Duration.ofSeconds(120));
            }
            stream.join(TimeUnit.MINUTES.toMillis(10));
            List<String> violations = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
            // pods of the capped queue may wait at its max; every other pod must be bound
            int[] counts = count(client);
            while (counts[1] > 0 && System.nanoTime() < deadline) {
                sleep(500);
                counts = count(client);
            }
            int bound = counts[0];
            double seconds = (System.nanoTime() - t0) / 1e9;
            if (counts[1] > 0) {
                violations.add(counts[1] + " pods outside " + CAPPED_QUEUE + " not bound 3 minutes after the last "
                        + "creation");
            }
            LOG.info("failover bench: {} pods bound, {} waiting at the max of {}", bound, counts[2], CAPPED_QUEUE);
            List<Pod> atCheck = client.pods().inAnyNamespace().list().getItems();
            long elections = check(client, atCheck, kafka.bootstrapServers(),
                    procs.stream().filter(p -> p.process().isAlive()).toList(), violations);
            CappedQueue capped = capped(atCheck, o.cappedCores() * 1000);
            overMax(capped).ifPresent(violations::add);
            // the API server's own record, not the log's: a pod bound twice would show here however it happened
            List<BenchApiServer.Binding> bindings = api.bindings();
            Map<String, Integer> acceptedPerPod = new HashMap<>();
            bindings.stream().filter(BenchApiServer.Binding::accepted)
                    .forEach(b -> acceptedPerPod.merge(b.pod(), 1, Integer::sum));
            acceptedPerPod.forEach((pod, n) -> {
                if (n > 1) {
                    violations.add("pod " + pod + " was bound " + n + " times (the API server accepted each)");
                }
            });
            long accepted = bindings.stream().filter(BenchApiServer.Binding::accepted).count();
            long refused = bindings.stream().filter(b -> b.code() == 409).count();
            long[] measured = Arrays.stream(failovers).filter(f -> f >= 0).sorted().toArray();
            if (measured.length < failovers.length) {
                violations.add((failovers.length - measured.length) + " kills without a binding by a new leader "
                        + "within 60 s");
            }
            Result result = new Result(o.kills(), failovers, PodTracker.percentile(measured, 50),
                    PodTracker.percentile(measured, 99), measured.length == 0 ? 0 : measured[measured.length - 1],
                    total, bound, violations, seconds, elections, accepted, refused, capped);
            atEnd.accept(client);
            return result;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } finally {
            Snapshots.deleteTree(work);
        }
    }

    /** The replica processes, stopped (SIGTERM, then SIGKILL after 20 s) when closed. */
    private record Replicas(List<Proc> procs) implements AutoCloseable {
        @Override
        public void close() {
            long t0 = System.nanoTime();
            for (Proc p : procs) {
                p.process().destroy();
            }
            for (Proc p : procs) {
                try {
                    if (!p.process().waitFor(20, TimeUnit.SECONDS)) {
                        LOG.warn("failover bench: replica {} did not stop within 20 s of SIGTERM; killed", p.name());
                        p.process().destroyForcibly();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    p.process().destroyForcibly();
                }
            }
            LOG.info("failover bench: replicas stopped in {} ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
        }
    }

    private static Proc start(String name, String kafka, Path kubeconfig, Path work) {
        Path out = work.resolve(name + "-" + System.nanoTime() + ".log");
        List<String> cmd = FairwayRun.command("io.fairway.cli.Fairway", List.of("-Xmx1g", "-XX:+UseSerialGC"), name,
                kafka, kubeconfig, work.resolve("data-" + name));
        try {
            return new Proc(name, new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile())
                    .start(), out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start replica " + name + ": " + e.getMessage(), e);
        }
    }

    private static JsonNode get(int port, String path) {
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(15)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return JSON.readTree(r.body());
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static void awaitReady(Proc p, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!p.process().isAlive()) {
                throw new IllegalStateException("replica " + p.name() + " exited; its output is in " + p.output());
            }
            int port = p.healthPort();
            JsonNode r = port > 0 ? get(port, "/readyz") : null;
            if (r != null && r.path("ready").asBoolean()) {
                return;
            }
            sleep(200);
        }
        throw new IllegalStateException("replica " + p.name() + " was not ready within " + timeout + "; see "
                + p.output());
    }

    private static String awaitLeader(KubernetesClient client, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Lease l = client.leases().inNamespace(WatcherOptions.DEFAULT_CONFIG_NAMESPACE).withName("fairway-leader")
                    .get();
            if (l != null && l.getSpec().getHolderIdentity() != null && !l.getSpec().getHolderIdentity().isEmpty()) {
                return l.getSpec().getHolderIdentity();
            }
            sleep(50);
        }
        throw new IllegalStateException("nobody took the lease within " + timeout);
    }

    /** The queue the pod asks for, read as the watcher reads it (YuniKorn's labels and annotations). */
    private static String queueOf(Pod p) {
        return YuniKornLabels.queue(
                p.getMetadata().getLabels() == null ? Map.of() : p.getMetadata().getLabels(),
                p.getMetadata().getAnnotations() == null ? Map.of() : p.getMetadata().getAnnotations());
    }

    /** {bound, unbound outside the capped queue, unbound in it}. */
    private static int[] count(KubernetesClient client) {
        int[] n = new int[3];
        for (Pod p : client.pods().inAnyNamespace().list().getItems()) {
            if (!"fairway".equals(p.getSpec().getSchedulerName())) {
                continue;
            }
            if (p.getSpec().getNodeName() != null && !p.getSpec().getNodeName().isEmpty()) {
                n[0]++;
            } else if (CAPPED_QUEUE.equals(queueOf(p))) {
                n[2]++;
            } else {
                n[1]++;
            }
        }
        return n;
    }

    /** Checks the invariants against the log and the cluster; returns how many leaders the log elected. */
    private static long check(KubernetesClient client, List<Pod> pods, String kafka, List<Proc> live,
                              List<String> violations) {
        // the log's verdict per pod: the node of its allocation still in effect
        Map<String, String> allocatedTo = new HashMap<>();
        Map<String, Integer> allocations = new HashMap<>();
        ClusterState replayed = new ClusterState(WatcherOptions.DEFAULT_SCHEDULER_NAME);
        try (KafkaEventLog log = KafkaEventLog.open(KafkaEventLogConfig.of(kafka))) {
            Replay.Result replay = Replay.run(log, replayed, 0, new Replay.End(),
                    (LoggedEvent e, ApplyResult r) -> {
                if (!r.applied()) {
                    return;
                }
                switch (e.event()) {
                    case Allocated a -> {
                        allocatedTo.put(a.podUid(), a.nodeName());
                        allocations.merge(a.podUid(), 1, Integer::sum);
                    }
                    case Released rel -> {
                        allocatedTo.remove(rel.podUid());
                        allocations.merge(rel.podUid(), -1, Integer::sum);
                    }
                    default -> {
                    }
                }
            }, n -> { });
            // the replay's next offset, not the log end: a transaction's commit marker takes an offset of its own
            long end = replay.nextOffset();
            String hash = replayed.hash();
            for (Proc p : live) {
                JsonNode mark = null;
                for (int attempt = 0; attempt < 100; attempt++) {
                    mark = get(p.healthPort(), "/statez");
                    if (mark != null && mark.path("offset").asLong() >= end) {
                        break;
                    }
                    sleep(200);
                }
                if (mark == null || mark.path("offset").asLong() != end) {
                    violations.add("replica " + p.name() + " did not reach the log end " + end + ": " + mark);
                } else if (!hash.equals(mark.path("stateHash").asText())) {
                    violations.add("replica " + p.name() + " state hash " + mark.path("stateHash").asText()
                            + " differs from the replay's " + hash);
                }
            }
        }
        Map<String, long[]> perNode = new HashMap<>();
        for (Pod p : pods) {
            if (!"fairway".equals(p.getSpec().getSchedulerName())) {
                continue;
            }
            String uid = p.getMetadata().getUid();
            String node = p.getSpec().getNodeName();
            if (node == null || node.isEmpty()) {
                continue;
            }
            if (!node.equals(allocatedTo.get(uid))) {
                violations.add("pod " + p.getMetadata().getNamespace() + "/" + p.getMetadata().getName() + " is on "
                        + node + " but the log allocated it to " + allocatedTo.get(uid));
            }
            // a pod is allocated again only after a release: more than one allocation in effect is a double booking
            if (allocations.getOrDefault(uid, 0) != 1) {
                violations.add("pod " + p.getMetadata().getNamespace() + "/" + p.getMetadata().getName() + " has "
                        + allocations.getOrDefault(uid, 0) + " allocations in effect in the log");
            }
            Resources req = KubeObjects.pod(p, n -> 0, ns -> null).requests();
            long[] used = perNode.computeIfAbsent(node, n -> new long[2]);
            used[0] += req.get("cpu");
            used[1] += req.get("memory");
        }
        for (Node n : client.nodes().list().getItems()) {
            long[] used = perNode.getOrDefault(n.getMetadata().getName(), new long[2]);
            io.fairway.core.objects.Node node = KubeObjects.node(n);
            if (used[0] > node.allocatable().get("cpu") || used[1] > node.allocatable().get("memory")) {
                violations.add("node " + n.getMetadata().getName() + " is over capacity: cpu " + used[0] + "m of "
                        + node.allocatable().get("cpu") + "m, memory " + used[1] + " of "
                        + node.allocatable().get("memory"));
            }
        }
        // epochs count from 1, one per election
        return replayed.leaderEpoch();
    }

    /** The check "no queue over its max": the violation, if the capped queue's bound pods ask for more than it. */
    static Optional<String> overMax(CappedQueue q) {
        return q.boundMillicores() <= q.maxMillicores() ? Optional.empty()
                : Optional.of("queue " + q.queue() + " uses " + q.boundMillicores() + "m cpu, over its max "
                        + q.maxMillicores() + "m");
    }

    /** The capped queue's bound cpu and its pods bound and waiting, among the scheduler's pods. */
    static CappedQueue capped(List<Pod> pods, long maxMillicores) {
        long millicores = 0;
        int bound = 0;
        int waiting = 0;
        for (Pod p : pods) {
            if (!"fairway".equals(p.getSpec().getSchedulerName()) || !CAPPED_QUEUE.equals(queueOf(p))) {
                continue;
            }
            if (p.getSpec().getNodeName() == null || p.getSpec().getNodeName().isEmpty()) {
                waiting++;
            } else {
                bound++;
                millicores += KubeObjects.pod(p, n -> 0, ns -> null).requests().get("cpu");
            }
        }
        return new CappedQueue(CAPPED_QUEUE, maxMillicores, millicores, bound, waiting);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
