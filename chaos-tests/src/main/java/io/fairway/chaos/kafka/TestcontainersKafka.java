package io.fairway.chaos.kafka;

import com.github.dockerjava.api.DockerClient;
import eu.rekawek.toxiproxy.Proxy;
import eu.rekawek.toxiproxy.ToxiproxyClient;
import eu.rekawek.toxiproxy.model.ToxicDirection;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.Network;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.lifecycle.Startables;
import org.testcontainers.toxiproxy.ToxiproxyContainer;

/**
 * The same cluster as {@link KafkaCluster}, in Docker: N Kafka containers (KRaft, broker and controller) on one
 * network, each client (and the harness) reaching every broker through a Toxiproxy proxy of its own. Only where a
 * Docker engine is ({@link #available()}); the build machines have none, so this path is compiled there, not run.
 *
 * <p>Every address handed out goes through Toxiproxy, the harness's too: a restarted container may come back on
 * other host ports, the Toxiproxy container keeps its own.
 */
public final class TestcontainersKafka implements Brokers {
    private static final Logger LOG = LoggerFactory.getLogger(TestcontainersKafka.class);
    /** The same Kafka as the clients on the classpath. */
    public static final String KAFKA_IMAGE = "apache/kafka:4.3.1";
    public static final String TOXIPROXY_IMAGE = "ghcr.io/shopify/toxiproxy:2.12.0";
    /** ToxiproxyContainer exposes 8666..8697 for proxies. */
    private static final int FIRST_PROXY_PORT = 8666;
    private static final int PROXY_PORTS = 32;
    private static final int FIRST_CLIENT_PORT = 19090;
    private static final int CONTROLLER_PORT = 9094;
    private static final String HARNESS = "harness";
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(120);
    private static volatile Boolean dockerAvailable;

    private final Network network;
    private final ToxiproxyContainer toxiproxy;
    private final List<KafkaContainer> brokers;
    /** By client name (the harness first): one proxy per broker, in node order. */
    private final Map<String, List<Proxy>> proxies;
    private final ClusterAdmin admin;

    private TestcontainersKafka(Network network, ToxiproxyContainer toxiproxy, List<KafkaContainer> brokers,
                                Map<String, List<Proxy>> proxies) {
        this.network = network;
        this.toxiproxy = toxiproxy;
        this.brokers = brokers;
        this.proxies = proxies;
        this.admin = new ClusterAdmin(bootstrap(), "the Kafka containers");
    }

    /** Whether a Docker engine answers (asked once). */
    public static boolean available() {
        if (dockerAvailable == null) {
            dockerAvailable = DockerClientFactory.instance().isDockerAvailable();
        }
        return dockerAvailable;
    }

    /** Empty when {@link #available()}; else why the caller falls back to {@link KafkaCluster}. */
    public static String whyNot() {
        return available() ? "" : "no Docker engine: using process brokers";
    }

    /** Starts the Toxiproxy container, then all brokers together (a node waits for a controller quorum). */
    public static TestcontainersKafka start(int brokers, List<String> clients) {
        if (!available()) {
            throw new IllegalStateException(whyNot() + " (TestcontainersKafka needs one; check available() first)");
        }
        List<String> names = new ArrayList<>(List.of(HARNESS));
        clients.forEach(c -> names.add(ClientListener.of(c).client()));
        if (names.size() * brokers > PROXY_PORTS) {
            throw new IllegalArgumentException(brokers + " brokers for " + clients.size() + " clients and the harness"
                    + " need " + names.size() * brokers + " proxies; Toxiproxy's container offers " + PROXY_PORTS);
        }
        long t0 = System.nanoTime();
        Network network = Network.newNetwork();
        ToxiproxyContainer toxiproxy = new ToxiproxyContainer(TOXIPROXY_IMAGE).withNetwork(network);
        toxiproxy.start();
        ToxiproxyClient control = new ToxiproxyClient(toxiproxy.getHost(), toxiproxy.getControlPort());

        StringJoiner voters = new StringJoiner(",");
        for (int b = 1; b <= brokers; b++) {
            voters.add(b + "@" + alias(b) + ":" + CONTROLLER_PORT);
        }
        List<KafkaContainer> containers = new ArrayList<>();
        Map<String, List<Proxy>> proxies = new LinkedHashMap<>();
        names.forEach(n -> proxies.put(n, new ArrayList<>()));
        for (int b = 1; b <= brokers; b++) {
            KafkaContainer kafka = new KafkaContainer(KAFKA_IMAGE)
                    .withNetwork(network)
                    .withNetworkAliases(alias(b))
                    .withEnv("KAFKA_NODE_ID", String.valueOf(b))
                    .withEnv("KAFKA_CONTROLLER_QUORUM_VOTERS", voters.toString())
                    .withEnv(brokerSettings(brokers))
                    .withStartupTimeout(READY_TIMEOUT);
            for (int c = 0; c < names.size(); c++) {
                int proxyPort = FIRST_PROXY_PORT + c * brokers + (b - 1);
                String listener = alias(b) + ":" + (FIRST_CLIENT_PORT + c);
                proxies.get(names.get(c)).add(createProxy(control, names.get(c) + "-" + b, proxyPort, listener));
                // clients are told the proxy's address on this machine, never the broker's own
                kafka.withListener(listener, () -> toxiproxy.getHost() + ":" + toxiproxy.getMappedPort(proxyPort));
            }
            containers.add(kafka);
        }
        Startables.deepStart(containers).join();
        TestcontainersKafka cluster = new TestcontainersKafka(network, toxiproxy, containers, proxies);
        cluster.admin.awaitBrokers(brokers, READY_TIMEOUT);
        LOG.info("{} Kafka containers ready in {} ms behind Toxiproxy", brokers, (System.nanoTime() - t0) / 1_000_000);
        return cluster;
    }

    private static Map<String, String> brokerSettings(int brokers) {
        String rf = String.valueOf(Math.min(3, brokers));
        String minIsr = String.valueOf(Math.max(1, Math.min(3, brokers) - 1));
        Map<String, String> env = new LinkedHashMap<>();
        env.put("KAFKA_DEFAULT_REPLICATION_FACTOR", rf);
        env.put("KAFKA_MIN_INSYNC_REPLICAS", minIsr);
        env.put("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", rf);
        env.put("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR", rf);
        env.put("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR", minIsr);
        env.put("KAFKA_TRANSACTION_STATE_LOG_NUM_PARTITIONS", "1");
        env.put("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "false");
        env.put("KAFKA_UNCLEAN_LEADER_ELECTION_ENABLE", "false");
        env.put("KAFKA_BROKER_SESSION_TIMEOUT_MS", "5000");
        env.put("KAFKA_BROKER_HEARTBEAT_INTERVAL_MS", "500");
        env.put("KAFKA_HEAP_OPTS", "-Xmx384m");
        return env;
    }

    private static Proxy createProxy(ToxiproxyClient control, String name, int port, String upstream) {
        try {
            return control.createProxy(name, "0.0.0.0:" + port, upstream);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create Toxiproxy proxy " + name + " on port " + port + " to "
                    + upstream, e);
        }
    }

    private static String alias(int broker) {
        return "kafka-" + broker;
    }

    @Override
    public String bootstrap() {
        return bootstrapFor(HARNESS);
    }

    @Override
    public String bootstrapFor(String client) {
        List<Proxy> list = proxies.get(client);
        if (list == null) {
            throw new IllegalArgumentException("no client '" + client + "'; the clients are "
                    + proxies.keySet().stream().filter(n -> !n.equals(HARNESS)).toList());
        }
        StringJoiner j = new StringJoiner(",");
        for (Proxy p : list) {
            int port = Integer.parseInt(p.getListen().substring(p.getListen().lastIndexOf(':') + 1));
            j.add(toxiproxy.getHost() + ":" + toxiproxy.getMappedPort(port));
        }
        return j.toString();
    }

    /** Nothing flows between {@code client} and any broker (data dropped, connections kept) until {@link #heal}. */
    public void partition(String client) {
        for (Proxy p : clientProxies(client)) {
            toxiproxy(p, "partition", () -> {
                p.toxics().timeout("partition-up", ToxicDirection.UPSTREAM, 0);
                p.toxics().timeout("partition-down", ToxicDirection.DOWNSTREAM, 0);
            });
        }
    }

    /** Ends a partition; the connections it cut into are reset, since bytes were dropped mid-stream. */
    public void heal(String client) {
        for (Proxy p : clientProxies(client)) {
            toxiproxy(p, "heal", () -> {
                for (var t : p.toxics().getAll()) {
                    t.remove();
                }
                p.disable();
                p.enable();
            });
        }
    }

    @Override
    public void kill(int broker) {
        docker().killContainerCmd(container(broker).getContainerId()).exec();
        disconnectIfAllDown();
    }

    @Override
    public void stop(int broker) {
        docker().stopContainerCmd(container(broker).getContainerId()).withTimeout(30).exec();
        disconnectIfAllDown();
    }

    @Override
    public void restart(int... which) {
        if (which.length == 0) {
            throw new IllegalArgumentException("restart() of no broker; name at least one of 1.." + brokers.size());
        }
        Arrays.stream(which).forEach(b -> docker().startContainerCmd(container(b).getContainerId()).exec());
        long up = IntStream.rangeClosed(1, brokers.size()).filter(this::running).count();
        admin.awaitBrokers((int) up, READY_TIMEOUT);
    }

    @Override
    public boolean running(int broker) {
        Boolean r = docker().inspectContainerCmd(container(broker).getContainerId()).exec().getState().getRunning();
        return Boolean.TRUE.equals(r);
    }

    /** -1: a container's process is not necessarily one of this machine's (Docker Desktop runs a VM). */
    @Override
    public long pid(int broker) {
        container(broker);
        return -1;
    }

    @Override
    public int partitionLeader(String topic, int partition) {
        return admin.partitionLeader(topic, partition);
    }

    @Override
    public Set<Integer> inSyncReplicas(String topic, int partition) {
        return admin.inSyncReplicas(topic, partition);
    }

    @Override
    public void createTopic(String name, int partitions) {
        admin.createTopic(name, partitions, brokers.size());
    }

    @Override
    public void close() {
        admin.close();
        brokers.forEach(KafkaContainer::stop);
        toxiproxy.stop();
        network.close();
    }

    /** With no broker left, the admin client would only log a failed reconnect every few hundred ms. */
    private void disconnectIfAllDown() {
        if (IntStream.rangeClosed(1, brokers.size()).noneMatch(this::running)) {
            admin.disconnect();
        }
    }

    private List<Proxy> clientProxies(String client) {
        if (HARNESS.equals(client) || !proxies.containsKey(client)) {
            throw new IllegalArgumentException("no client '" + client + "' to partition; the clients are "
                    + proxies.keySet().stream().filter(n -> !n.equals(HARNESS)).toList());
        }
        return proxies.get(client);
    }

    private KafkaContainer container(int broker) {
        if (broker < 1 || broker > brokers.size()) {
            throw new IllegalArgumentException("no broker " + broker + "; brokers are numbered 1.." + brokers.size());
        }
        return brokers.get(broker - 1);
    }

    private static DockerClient docker() {
        return DockerClientFactory.instance().client();
    }

    private interface ToxiproxyCall {
        void run() throws IOException;
    }

    private static void toxiproxy(Proxy p, String what, ToxiproxyCall call) {
        try {
            call.run();
        } catch (IOException e) {
            throw new UncheckedIOException("Toxiproxy: cannot " + what + " proxy " + p.getName(), e);
        }
    }
}
