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
import java.util.Set;
import java.util.StringJoiner;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import org.apache.kafka.common.Uuid;
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
public final class KafkaCluster implements Brokers {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaCluster.class);
    /** Three JVMs starting together on two cores, beside other builds. */
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration STOP_GRACE = Duration.ofSeconds(30);

    private final Path dir;
    private final String clusterId;
    private final List<ClientListener> clients;
    private final List<BrokerPorts> ports;
    private final List<BrokerProcess> processes = new ArrayList<>();
    private final Map<String, List<String>> advertisedByClient = new LinkedHashMap<>();
    private final Thread killOnExit = new Thread(this::killAll, "kafka-cluster-kill-on-exit");
    private final ClusterAdmin admin;
    private boolean started;
    private boolean closed;

    private KafkaCluster(Path dir, String clusterId, List<ClientListener> clients, List<BrokerPorts> ports) {
        this.dir = dir;
        this.clusterId = clusterId;
        this.clients = clients;
        this.ports = ports;
        this.admin = new ClusterAdmin(bootstrap(), "the cluster in " + dir);
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
        launchAndAwait(ports.stream().mapToInt(BrokerPorts::nodeId).toArray());
        admin.awaitBrokers(ports.size(), READY_TIMEOUT);
        LOG.info("Kafka cluster of {} brokers ready in {} ms (dir {}, harness {})", ports.size(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0), dir, bootstrap());
    }

    /** The brokers' HARNESS listeners, direct (no proxy): for the test's own admin, producers and consumers. */
    @Override
    public String bootstrap() {
        StringJoiner j = new StringJoiner(",");
        ports.forEach(b -> j.add("127.0.0.1:" + b.harness()));
        return j.toString();
    }

    /** The advertised addresses (the proxies) of {@code client}'s listener on every broker. */
    @Override
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
    @Override
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
    @Override
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
    @Override
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

    @Override
    public boolean running(int broker) {
        return process(broker).running();
    }

    /** The OS process id of the broker's current (or last) process, e.g. for SIGSTOP/SIGCONT. */
    @Override
    public long pid(int broker) {
        return process(broker).pid();
    }

    /** The node id leading the partition, as the brokers' metadata says; -1 when it has no leader. */
    @Override
    public int partitionLeader(String topic, int partition) {
        return admin.partitionLeader(topic, partition);
    }

    /** The node ids in the partition's in-sync replica set, as the brokers' metadata says. */
    @Override
    public Set<Integer> inSyncReplicas(String topic, int partition) {
        return admin.inSyncReplicas(topic, partition);
    }

    /** Creates a topic with replication factor 3 and min.insync.replicas 2; returns once every partition has a leader. */
    @Override
    public void createTopic(String name, int partitions) {
        admin.createTopic(name, partitions, ports.size());
    }

    /** Stops every broker (SIGTERM together, then SIGKILL after 30 s); leaves the directory as it is. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        long t0 = System.nanoTime();
        admin.close();
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

    private void launchAndAwait(int[] brokers) {
        launchAndAwait(Arrays.stream(brokers).mapToObj(this::process).toList());
    }

    private void launchAndAwait(List<BrokerProcess> which) {
        // all at once: a node's startup waits for a controller quorum, which needs the others up too
        which.forEach(BrokerProcess::launch);
        Instant deadline = Instant.now().plus(READY_TIMEOUT);
        which.forEach(p -> p.awaitReady(deadline));
    }

    /** With no broker left, the admin client would only log a failed reconnect every few hundred ms. */
    private void closeAdminIfAllDown() {
        if (processes.stream().noneMatch(BrokerProcess::running)) {
            admin.disconnect();
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
}
