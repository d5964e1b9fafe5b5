package io.fairway.chaos.harness;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fairway.chaos.FaultProxy;
import io.fairway.chaos.faults.DiskFull;
import io.fairway.chaos.kafka.Brokers;
import io.fairway.chaos.kafka.KafkaCluster;
import io.fairway.chaos.kafka.TestcontainersKafka;
import io.fairway.chaos.replica.Sabotage;
import io.fairway.sandbox.kubelet.KubeletOptions;
import io.fairway.sandbox.kubelet.NodeFleet;
import io.fairway.sandbox.kubelet.SimulatedKubelets;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The system under test, every part its own process: three KRaft brokers, the local API server (its store kept across
 * restarts), and the replicas, each reaching every broker and the API server through a {@link FaultProxy} of its own;
 * the nodes' kubelets and the harness's own client talk to the API server directly.
 */
public final class ChaosCluster implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ChaosCluster.class);
    public static final String TOPIC = "fairway.events";
    public static final String CONFIG_NAMESPACE = "fairway";
    public static final String CONFIG_NAME = "fairway-queues";

    /** How the cluster is built. */
    public record Options(int replicas, int nodes, long seed, Sabotage sabotage, Duration leaseDuration,
                          boolean testcontainers) {
        public static Options defaults(long seed) {
            return new Options(3, 20, seed, null, Duration.ofSeconds(2), false);
        }

        public Options withSabotage(Sabotage s) {
            return new Options(replicas, nodes, seed, s, leaseDuration, testcontainers);
        }

        public Options withReplicas(int n) {
            return new Options(n, nodes, seed, sabotage, leaseDuration, testcontainers);
        }

        /** Brokers as Testcontainers containers where a Docker engine is present (else the process brokers). */
        public Options withTestcontainers(boolean t) {
            return new Options(replicas, nodes, seed, sabotage, leaseDuration, t);
        }
    }

    private final Path dir;
    private Options options;
    private final List<AutoCloseable> parts = new ArrayList<>();
    private final Map<String, List<FaultProxy>> kafkaProxies = new LinkedHashMap<>();
    private final Map<String, FaultProxy> apiProxies = new LinkedHashMap<>();
    private final Map<String, ReplicaProcess> replicas = new LinkedHashMap<>();
    private Brokers kafka;
    /** Set when the brokers are containers: Toxiproxy, not our proxies, sits between them and the replicas. */
    private TestcontainersKafka containers;
    private ApiServerProcess api;
    private KubernetesClient client;
    private SimulatedKubelets kubelets;
    private DiskFull diskFull;
    private String diskFullWhyNot = "";

    private ChaosCluster(Path dir, Options options) {
        this.dir = dir;
        this.options = options;
    }

    public static ChaosCluster start(Path dir, Options o) {
        ChaosCluster c = new ChaosCluster(dir, o);
        try {
            c.startParts();
            return c;
        } catch (RuntimeException | IOException e) {
            c.close();
            throw e instanceof RuntimeException r ? r : new UncheckedIOException((IOException) e);
        }
    }

    private void startParts() throws IOException {
        Files.createDirectories(dir.resolve("chaos"));
        List<String> names = new ArrayList<>();
        for (int i = 0; i < options.replicas(); i++) {
            names.add("replica-" + i);
        }
        long t0 = System.nanoTime();
        CompletableFuture<ApiServerProcess> apiStart = CompletableFuture.supplyAsync(() -> ApiServerProcess.start(dir));
        if (options.testcontainers() && TestcontainersKafka.available()) {
            containers = TestcontainersKafka.start(3, names);
            kafka = containers;
            parts.add(kafka);
            names.forEach(r -> kafkaProxies.put(r, List.of()));
        } else {
            if (options.testcontainers()) {
                LOG.warn("chaos: {}", TestcontainersKafka.whyNot());
            }
            startProcessBrokers(names);
        }
        kafka.createTopic(TOPIC, 1);
        api = apiStart.join();
        parts.add(api);
        LOG.info("chaos: 3 brokers and the API server up in {} ms", (System.nanoTime() - t0) / 1_000_000);
        for (String r : names) {
            FaultProxy p = FaultProxy.start(r + "-api", "127.0.0.1", api.port());
            parts.add(p);
            apiProxies.put(r, p);
        }
        client = new KubernetesClientBuilder().withConfig(new ConfigBuilder().withMasterUrl(api.url())
                .withHttp2Disable(true).withUserAgent("chaos-harness").withRequestTimeout(30_000).build()).build();
        parts.add(client);
        for (String ns : List.of(CONFIG_NAMESPACE, "team-a", "team-b", "team-c", "chaos-probe")) {
            client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
                    .createOr(io.fabric8.kubernetes.client.dsl.NonDeletingOperation::update);
        }
        writeQueues(ChaosQueues.yaml(24));
        NodeFleet.mixed(options.nodes(), options.seed()).register(client, 8);
        kubelets = SimulatedKubelets.start(client, KubeletOptions.defaults());
        parts.add(kubelets);
        String last = names.get(names.size() - 1);
        try {
            diskFull = DiskFull.mount(last, dir.resolve("data-" + last), 512);
            parts.add(diskFull);
        } catch (IOException e) {
            diskFullWhyNot = "no small disk for a replica here (" + e.getMessage() + ")";
            LOG.info("chaos: the disk-full fault will be skipped: {}", diskFullWhyNot);
        }
        List<CompletableFuture<Void>> starting = new ArrayList<>();
        for (String r : names) {
            ReplicaProcess p = replicaProcess(r);
            replicas.put(r, p);
            starting.add(CompletableFuture.runAsync(p::start));
        }
        starting.forEach(CompletableFuture::join);
        LOG.info("chaos: {} replicas started in {} ms", names.size(), (System.nanoTime() - t0) / 1_000_000);
    }

    private void startProcessBrokers(List<String> names) throws IOException {
        KafkaCluster cluster = KafkaCluster.plan(dir.resolve("kafka"), 3, names);
        kafka = cluster;
        parts.add(cluster);
        for (String r : names) {
            List<FaultProxy> ps = new ArrayList<>();
            for (int b = 1; b <= 3; b++) {
                FaultProxy p = FaultProxy.start(r + "-broker-" + b, "127.0.0.1", cluster.listenerPort(r, b));
                parts.add(p);
                ps.add(p);
            }
            kafkaProxies.put(r, ps);
        }
        cluster.start((client, broker) -> kafkaProxies.get(client).get(broker - 1).address());
    }

    /** Blackholes (true) or heals (false) a replica's paths to every broker, whichever brokers run. */
    public void cutFromKafka(String replica, boolean cut) {
        if (containers != null) {
            if (cut) {
                containers.partition(replica);
            } else {
                containers.heal(replica);
            }
            return;
        }
        kafkaProxies.get(replica).forEach(cut ? FaultProxy::partition : FaultProxy::clear);
    }

    private ReplicaProcess replicaProcess(String r) {
        Path kubeconfig = writeKubeconfig(r, "http://" + apiProxies.get(r).address());
        Map<String, String> s = new LinkedHashMap<>();
        s.put("replica", r);
        s.put("dataDir", dir.resolve("data-" + r).toString());
        s.put("kafka.bootstrapServers", kafka.bootstrapFor(r));
        s.put("kubernetes.kubeconfig", kubeconfig.toString());
        s.put("health.host", "127.0.0.1");
        s.put("health.port", "0");
        // all three timings, in the proportions the faults are calibrated to (pauses and cuts in leases; CPU bursts
        // of up to 800 ms that must not cost the lease): not the defaults, which are shorter
        long lease = options.leaseDuration().toMillis();
        s.put("election.leaseDuration", lease + "ms");
        s.put("election.renewDeadline", lease * 3 / 4 + "ms");
        s.put("election.retryPeriod", Math.max(50, lease / 8) + "ms");
        List<String> chaos = new ArrayList<>(List.of("--chaos-dir", dir.resolve("chaos").toString(),
                "--api", "http://" + apiProxies.get(r).address()));
        if (options.sabotage() != null) {
            chaos.add("--sabotage");
            chaos.add(options.sabotage().label());
        }
        return new ReplicaProcess(r, dir, s, chaos);
    }

    private Path writeKubeconfig(String replica, String server) {
        Path f = dir.resolve("kubeconfig-" + replica);
        try {
            Files.writeString(f, """
                    apiVersion: v1
                    kind: Config
                    clusters:
                    - name: chaos
                      cluster:
                        server: %s
                    contexts:
                    - name: chaos
                      context:
                        cluster: chaos
                        user: chaos
                    current-context: chaos
                    users:
                    - name: chaos
                      user: {}
                    """.formatted(server));
            return f;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Stops every replica (SIGTERM: they step down) and starts them again on their stores with {@code sabotage}
     * planted (null: none); waits for a leader.
     */
    public void restartReplicas(Sabotage sabotage) {
        options = options.withSabotage(sabotage);
        for (ReplicaProcess r : replicas.values()) {
            if (r.alive()) {
                r.process().resume();
                r.process().terminate(Duration.ofSeconds(15));
            }
        }
        List<CompletableFuture<Void>> starting = new ArrayList<>();
        for (String name : List.copyOf(replicas.keySet())) {
            ReplicaProcess p = replicaProcess(name);
            replicas.put(name, p);
            starting.add(CompletableFuture.runAsync(p::start));
        }
        starting.forEach(CompletableFuture::join);
    }

    /** Writes the queue ConfigMap (creating it the first time). */
    public void writeQueues(String yaml) {
        client.configMaps().inNamespace(CONFIG_NAMESPACE).resource(new ConfigMapBuilder().withNewMetadata()
                .withName(CONFIG_NAME).endMetadata().withData(Map.of("queues.yaml", yaml)).build()).createOr(
                        io.fabric8.kubernetes.client.dsl.NonDeletingOperation::update);
    }

    /** The replica whose data lives on a small disk of its own, or null when this machine cannot give it one. */
    public DiskFull diskFull() {
        return diskFull;
    }

    public String diskFullWhyNot() {
        return diskFullWhyNot;
    }

    public Path directory() {
        return dir;
    }

    public Brokers kafka() {
        return kafka;
    }

    public ApiServerProcess api() {
        return api;
    }

    public KubernetesClient client() {
        return client;
    }

    public List<ReplicaProcess> replicas() {
        return List.copyOf(replicas.values());
    }

    public ReplicaProcess replica(String name) {
        return replicas.get(name);
    }

    /** Our proxies between a replica and the brokers; none when the brokers are containers (Toxiproxy's then). */
    public List<FaultProxy> kafkaProxies(String replica) {
        return kafkaProxies.get(replica);
    }

    public FaultProxy apiProxy(String replica) {
        return apiProxies.get(replica);
    }

    /** The replica that says it leads, or null. */
    public ReplicaProcess leader() {
        for (ReplicaProcess r : replicas.values()) {
            if (r.leads()) {
                return r;
            }
        }
        return null;
    }

    /** Waits for a leader; null when none within {@code timeout}. */
    public ReplicaProcess awaitLeader(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            ReplicaProcess l = leader();
            if (l != null) {
                return l;
            }
            JavaProcess.sleep(200);
        }
        return null;
    }

    /** A running replica that does not lead, or null. */
    public ReplicaProcess follower() {
        ReplicaProcess l = leader();
        for (ReplicaProcess r : replicas.values()) {
            if (r != l && r.alive()) {
                return r;
            }
        }
        return null;
    }

    @Override
    public void close() {
        for (ReplicaProcess r : replicas.values()) {
            if (r.alive()) {
                r.process().resume();
                r.process().terminate(Duration.ofSeconds(10));
            }
        }
        for (int i = parts.size() - 1; i >= 0; i--) {
            try {
                parts.get(i).close();
            } catch (Exception e) {
                LOG.warn("chaos: stopping {} failed: {}", parts.get(i).getClass().getSimpleName(), e.toString());
            }
        }
        parts.clear();
    }
}
