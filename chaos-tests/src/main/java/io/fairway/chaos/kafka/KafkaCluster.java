package io.fairway.chaos.kafka;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.StringJoiner;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiFunction;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Kafka cluster of N KRaft nodes (each broker and controller), each its own OS process ({@link BrokerMain}), so
 * that a chaos test can SIGKILL, SIGSTOP, stop and restart a broker. Every named client (a replica) has a listener
 * of its own on every broker, so the test can put a {@code FaultProxy} in front of each and partition one client
 * without touching the others; the harness talks to the brokers directly through the {@code HARNESS} listener.
 *
 * <pre>{@code
 * KafkaCluster kafka = KafkaCluster.plan(dir, 3, List.of("r0", "r1"));
 * // one proxy per client and broker, in front of kafka.listenerPort(client, broker)
 * kafka.start((client, broker) -> proxies.get(client, broker).address());
 * }</pre>
 *
 * Brokers are numbered by node id, 1..N. The directory is the caller's: {@link #close()} stops the processes and
 * leaves their data and logs ({@code broker-N.log}) there.
 */
public final class KafkaCluster implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaCluster.class);
    /** Three JVMs starting together on two cores, beside other builds. */
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration STOP_GRACE = Duration.ofSeconds(30);
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(20);
    private static final short REPLICATION = 3;
    private static final int MIN_IN_SYNC = 2;

    private final Path dir;
    private final String clusterId;
    private final List<ClientListener> clients;
    private final List<BrokerPorts> ports;
    private final List<BrokerProcess> processes = new ArrayList<>();
    private final Map<String, List<String>> advertisedByClient = new LinkedHashMap<>();
    private final Thread killOnExit = new Thread(this::killAll, "kafka-cluster-kill-on-exit");
    private Admin admin;
    private boolean started;
    private boolean closed;

    private KafkaCluster(Path dir, String clusterId, List<ClientListener> clients, List<BrokerPorts> ports) {
        this.dir = dir;
        this.clusterId = clusterId;
        this.clients = clients;
        this.ports = ports;
    }

    /**
     * Chooses the ports of {@code brokers} brokers (controller, inter-broker, harness and one listener per client)
     * and a cluster id; starts nothing. {@code clients} name the clients, e.g. {@code r0, r1}: each becomes a
     * listener name (upper-cased, '-' as '_').
     */
    public static KafkaCluster plan(Path dir, int brokers, List<String> clients) {
        if (brokers < 1) {
            throw new IllegalArgumentException("a cluster of " + brokers + " brokers; give at least 1 (3 for RF 3)");
        }
        List<ClientListener> listeners = new ArrayList<>();
        Map<String, String> byListener = new HashMap<>();
        for (String c : clients) {
            ClientListener l = ClientListener.of(c);
            String other = byListener.putIfAbsent(l.listener(), c);
            if (other != null) {
                throw new IllegalArgumentException("clients '" + other + "' and '" + c + "' would both be listener "
                        + l.listener() + "; rename one");
            }
            listeners.add(l);
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the cluster directory " + dir, e);
        }
        int perBroker = 3 + listeners.size();
        int[] free = FreePorts.take(brokers * perBroker);
        List<BrokerPorts> ports = new ArrayList<>();
        for (int b = 0; b < brokers; b++) {
            int at = b * perBroker;
            Map<String, Integer> clientPorts = new LinkedHashMap<>();
            for (int i = 0; i < listeners.size(); i++) {
                clientPorts.put(listeners.get(i).client(), free[at + 3 + i]);
            }
            ports.add(new BrokerPorts(b + 1, free[at], free[at + 1], free[at + 2], clientPorts));
        }
        return new KafkaCluster(dir, Uuid.randomUuid().toString(), List.copyOf(listeners), List.copyOf(ports));
    }

    /** The port of {@code client}'s own listener on {@code broker}: what a proxy for that pair forwards to. */
    public int listenerPort(String client, int broker) {
        Integer port = brokerPorts(broker).clients().get(client);
        if (port == null) {
            throw new IllegalArgumentException("no client '" + client + "' in this cluster; its clients are "
                    + clients.stream().map(ClientListener::client).toList());
        }
        return port;
    }

    /**
     * Writes every broker's properties and starts all brokers; returns once each is ready and the harness sees all
     * of them in the cluster metadata.
     *
     * @param advertised the {@code host:port} to advertise for a client's listener on a broker, by client name and
     *                   broker (node id): the address of the proxy in front of {@link #listenerPort}
     */
    public synchronized void start(BiFunction<String, Integer, String> advertised) {
        if (started) {
            throw new IllegalStateException("cluster in " + dir + " was started already; use restart(broker)");
        }
        started = true;
        long t0 = System.nanoTime();
        for (BrokerPorts me : ports) {
            Path data = dir.resolve("broker-" + me.nodeId()).resolve("data");
            Path propsFile = dir.resolve("broker-" + me.nodeId() + ".properties");
            BrokerProperties.write(BrokerProperties.of(me, ports, clients, data, clusterId, advertised), propsFile);
            processes.add(new BrokerProcess(me.nodeId(), propsFile, dir.resolve("broker-" + me.nodeId() + ".log")));
        }
        for (ClientListener c : clients) {
            advertisedByClient.put(c.client(),
                    ports.stream().map(b -> advertised.apply(c.client(), b.nodeId())).toList());
        }
        Runtime.getRuntime().addShutdownHook(killOnExit);
        launchAndAwait(allBrokers());
        awaitBrokersInMetadata(ports.size());
        LOG.info("Kafka cluster of {} brokers ready in {} ms (dir {}, harness {})", ports.size(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0), dir, bootstrap());
    }

    /** The brokers' HARNESS listeners, direct (no proxy): for the test's own admin, producers and consumers. */
    public String bootstrap() {
        StringJoiner j = new StringJoiner(",");
        ports.forEach(b -> j.add("127.0.0.1:" + b.harness()));
        return j.toString();
    }

    /** The advertised addresses (the proxies) of {@code client}'s listener on every broker. */
    public String bootstrapFor(String client) {
        List<String> addresses = advertisedByClient.get(client);
        if (addresses == null) {
            throw new IllegalArgumentException(started
                    ? "no client '" + client + "' in this cluster; its clients are " + advertisedByClient.keySet()
                    : "cluster in " + dir + " is not started: the advertised addresses come with start(...)");
        }
        return String.join(",", addresses);
    }

    /** SIGKILL: no controlled shutdown, the process is gone when this returns. */
    public void kill(int broker) {
        BrokerProcess p = process(broker);
        long pid = p.pid();
        p.kill();
        LOG.info("broker {} killed (pid {})", broker, pid);
        closeAdminIfAllDown();
    }

    /**
     * SIGTERM, and waits for the controlled shutdown (leaderships handed over) to finish. A broker that cannot
     * finish it within 30 s (no controller quorum left) is killed, with a warning.
     */
    public void stop(int broker) {
        BrokerProcess p = process(broker);
        long t0 = System.nanoTime();
        p.terminate();
        p.awaitStopped(STOP_GRACE);
        LOG.info("broker {} stopped in {} ms", broker, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
        closeAdminIfAllDown();
    }

    /**
     * Starts these (stopped or killed) brokers again, on the same ports and data, together, and waits until each is
     * ready. A broker is ready only once it has joined a controller quorum: to bring back a majority, restart its
     * members in one call.
     */
    public void restart(int... brokers) {
        if (brokers.length == 0) {
            throw new IllegalArgumentException("restart() of no broker; name at least one of 1.." + ports.size());
        }
        long t0 = System.nanoTime();
        List<BrokerProcess> which = Arrays.stream(brokers).mapToObj(this::process).toList();
        launchAndAwait(which);
        LOG.info("broker(s) {} restarted in {} ms", Arrays.toString(brokers),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
    }

    public boolean running(int broker) {
        return process(broker).running();
    }

    /** The OS process id of the broker's current (or last) process, e.g. for SIGSTOP/SIGCONT. */
    public long pid(int broker) {
        return process(broker).pid();
    }

    /** The node id leading the partition, as the brokers' metadata says; -1 when it has no leader. */
    public int partitionLeader(String topic, int partition) {
        Node leader = partitionInfo(topic, partition).leader();
        return leader == null || leader.isEmpty() ? -1 : leader.id();
    }

    /** The node ids in the partition's in-sync replica set, as the brokers' metadata says. */
    public Set<Integer> inSyncReplicas(String topic, int partition) {
        Set<Integer> ids = new TreeSet<>();
        partitionInfo(topic, partition).isr().forEach(n -> ids.add(n.id()));
        return ids;
    }

    /** Creates a topic with replication factor 3 and min.insync.replicas 2; returns once every partition has a leader. */
    public void createTopic(String name, int partitions) {
        if (ports.size() < REPLICATION) {
            throw new IllegalStateException("topic " + name + " needs replication factor " + REPLICATION
                    + " but the cluster has " + ports.size() + " brokers");
        }
        NewTopic topic = new NewTopic(name, partitions, REPLICATION)
                .configs(Map.of("min.insync.replicas", String.valueOf(MIN_IN_SYNC)));
        call("create topic " + name, () -> admin().createTopics(List.of(topic)).all()
                .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
        Instant deadline = Instant.now().plus(ADMIN_TIMEOUT);
        for (int p = 0; p < partitions; p++) {
            while (leaderOrMissing(name, p) < 0) {
                if (Instant.now().isAfter(deadline)) {
                    throw new IllegalStateException("topic " + name + " partition " + p + " has no leader "
                            + ADMIN_TIMEOUT.toSeconds() + " s after it was created; see the broker logs in " + dir);
                }
                pause(50);
            }
        }
    }

    /** Stops every broker (SIGTERM together, then SIGKILL after 30 s); leaves the directory as it is. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        long t0 = System.nanoTime();
        if (admin != null) {
            admin.close(Duration.ofSeconds(2));
        }
        processes.forEach(BrokerProcess::terminate);
        processes.forEach(p -> p.awaitStopped(STOP_GRACE));
        if (started) {
            try {
                Runtime.getRuntime().removeShutdownHook(killOnExit);
            } catch (IllegalStateException alreadyShuttingDown) {
                // the hook runs anyway and finds nothing alive
            }
        }
        LOG.info("Kafka cluster in {} closed in {} ms", dir, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
    }

    // ---- inside ----

    private int[] allBrokers() {
        return ports.stream().mapToInt(BrokerPorts::nodeId).toArray();
    }

    private void launchAndAwait(int[] brokers) {
        launchAndAwait(Arrays.stream(brokers).mapToObj(this::process).toList());
    }

    private void launchAndAwait(List<BrokerProcess> which) {
        // all at once: a node's startup waits for a controller quorum, which needs the others up too
        which.forEach(BrokerProcess::launch);
        Instant deadline = Instant.now().plus(READY_TIMEOUT);
        which.forEach(p -> p.awaitReady(deadline));
    }

    private void awaitBrokersInMetadata(int expected) {
        Instant deadline = Instant.now().plus(READY_TIMEOUT);
        while (true) {
            int seen;
            try {
                seen = admin().describeCluster().nodes().get(5, TimeUnit.SECONDS).size();
            } catch (ExecutionException | TimeoutException e) {
                seen = -1;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the cluster in " + dir, e);
            }
            if (seen == expected) {
                return;
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("the harness sees " + seen + " of " + expected + " brokers through "
                        + bootstrap() + " after " + READY_TIMEOUT.toSeconds() + " s; see the broker logs in " + dir);
            }
            pause(100);
        }
    }

    private TopicPartitionInfo partitionInfo(String topic, int partition) {
        TopicDescription d = call("describe topic " + topic, () -> admin().describeTopics(List.of(topic))
                .allTopicNames().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).get(topic));
        if (partition < 0 || partition >= d.partitions().size()) {
            throw new IllegalArgumentException("topic " + topic + " has partitions 0.." + (d.partitions().size() - 1)
                    + ", not " + partition);
        }
        return d.partitions().get(partition);
    }

    /** -1 for no leader and for a topic the answering broker does not know yet. */
    private int leaderOrMissing(String topic, int partition) {
        try {
            return partitionLeader(topic, partition);
        } catch (IllegalStateException e) {
            if (e.getCause() instanceof ExecutionException ee
                    && ee.getCause() instanceof UnknownTopicOrPartitionException) {
                return -1;
            }
            throw e;
        }
    }

    private synchronized Admin admin() {
        if (closed) {
            throw new IllegalStateException("cluster in " + dir + " is closed");
        }
        if (admin == null) {
            Properties p = new Properties();
            p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
            p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
            p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, String.valueOf(ADMIN_TIMEOUT.toMillis()));
            p.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "500");
            admin = Admin.create(p);
        }
        return admin;
    }

    /** With no broker left, the admin client would only log a failed reconnect every few hundred ms. */
    private synchronized void closeAdminIfAllDown() {
        if (admin != null && processes.stream().noneMatch(BrokerProcess::running)) {
            admin.close(Duration.ZERO);
            admin = null;
        }
    }

    private BrokerPorts brokerPorts(int broker) {
        if (broker < 1 || broker > ports.size()) {
            throw new IllegalArgumentException("no broker " + broker + "; brokers are numbered 1.." + ports.size());
        }
        return ports.get(broker - 1);
    }

    private BrokerProcess process(int broker) {
        brokerPorts(broker);
        if (!started) {
            throw new IllegalStateException("cluster in " + dir + " is not started; call start(...) first");
        }
        return processes.get(broker - 1);
    }

    private void killAll() {
        processes.forEach(BrokerProcess::kill);
    }

    private interface AdminCall<T> {
        T run() throws InterruptedException, ExecutionException, TimeoutException;
    }

    private <T> T call(String what, AdminCall<T> call) {
        try {
            return call.run();
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot " + what + " through " + bootstrap() + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: " + what, e);
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting on the Kafka cluster", e);
        }
    }
}
