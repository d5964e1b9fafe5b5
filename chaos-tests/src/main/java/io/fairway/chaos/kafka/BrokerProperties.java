package io.fairway.chaos.kafka;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.StringJoiner;
import java.util.function.BiFunction;
import java.util.regex.Pattern;

/** The settings of one node of a small combined-mode (broker and controller) KRaft cluster on loopback. */
final class BrokerProperties {
    private static final String HOST = "127.0.0.1";
    private static final Pattern HOST_PORT = Pattern.compile("[^:,\\s/]+:\\d{1,5}");

    private BrokerProperties() {
    }

    /**
     * @param advertised the {@code host:port} clients are told for a client's listener on a broker (by client name
     *                   and node id): the address of the proxy in front of it
     */
    static Map<String, String> of(BrokerPorts me, List<BrokerPorts> all, List<ClientListener> clients,
                                  Path dataDir, String clusterId, BiFunction<String, Integer, String> advertised) {
        StringJoiner voters = new StringJoiner(",");
        all.forEach(b -> voters.add(b.nodeId() + "@" + HOST + ":" + b.controller()));
        StringJoiner listeners = new StringJoiner(",");
        StringJoiner adverts = new StringJoiner(",");
        StringJoiner protocols = new StringJoiner(",");
        listeners.add(ClientListener.CONTROLLER + "://" + HOST + ":" + me.controller());
        protocols.add(ClientListener.CONTROLLER + ":PLAINTEXT");
        for (var direct : List.of(Map.entry(ClientListener.BROKER, me.broker()),
                Map.entry(ClientListener.HARNESS, me.harness()))) {
            listeners.add(direct.getKey() + "://" + HOST + ":" + direct.getValue());
            adverts.add(direct.getKey() + "://" + HOST + ":" + direct.getValue());
            protocols.add(direct.getKey() + ":PLAINTEXT");
        }
        for (ClientListener c : clients) {
            String address = advertised.apply(c.client(), me.nodeId());
            if (address == null || !HOST_PORT.matcher(address).matches()) {
                throw new IllegalArgumentException("the advertised address for client " + c.client() + " on broker "
                        + me.nodeId() + " is '" + address + "'; give host:port, e.g. the proxy's 127.0.0.1:PORT");
            }
            listeners.add(c.listener() + "://" + HOST + ":" + me.clients().get(c.client()));
            adverts.add(c.listener() + "://" + address);
            protocols.add(c.listener() + ":PLAINTEXT");
        }

        Map<String, String> p = new LinkedHashMap<>();
        p.put(BrokerMain.CLUSTER_ID_KEY, clusterId);
        p.put("process.roles", "broker,controller");
        p.put("node.id", String.valueOf(me.nodeId()));
        p.put("controller.quorum.voters", voters.toString());
        p.put("controller.listener.names", ClientListener.CONTROLLER);
        p.put("inter.broker.listener.name", ClientListener.BROKER);
        p.put("listeners", listeners.toString());
        p.put("advertised.listeners", adverts.toString());
        p.put("listener.security.protocol.map", protocols.toString());
        p.put("log.dirs", dataDir.toString());
        p.put("metadata.log.dir", dataDir.toString());
        int rf = Math.min(3, all.size());
        int minIsr = Math.max(1, rf - 1);
        // replicated like production, but one partition per internal topic: 50 would slow every start on 2 cores
        p.put("default.replication.factor", String.valueOf(rf));
        p.put("min.insync.replicas", String.valueOf(minIsr));
        p.put("offsets.topic.replication.factor", String.valueOf(rf));
        p.put("offsets.topic.num.partitions", "1");
        p.put("transaction.state.log.replication.factor", String.valueOf(rf));
        p.put("transaction.state.log.min.isr", String.valueOf(minIsr));
        p.put("transaction.state.log.num.partitions", "1");
        p.put("share.coordinator.state.topic.replication.factor", String.valueOf(rf));
        p.put("share.coordinator.state.topic.min.isr", String.valueOf(minIsr));
        p.put("share.coordinator.state.topic.num.partitions", "1");
        p.put("num.partitions", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("auto.create.topics.enable", "false");
        p.put("unclean.leader.election.enable", "false");
        // a killed node is fenced (and loses its leaderships) within a few seconds, not the default 9 s
        p.put("broker.session.timeout.ms", "5000");
        p.put("broker.heartbeat.interval.ms", "500");
        p.put("replica.lag.time.max.ms", "10000");
        // a 384 MB heap: the cleaner's dedupe buffer alone defaults to 128 MB
        p.put("log.cleaner.dedupe.buffer.size", String.valueOf(16 * 1024 * 1024));
        p.put("log.segment.bytes", String.valueOf(16 * 1024 * 1024));
        p.put("num.network.threads", "2");
        p.put("num.io.threads", "2");
        p.put("background.threads", "2");
        p.put("num.recovery.threads.per.data.dir", "1");
        return p;
    }

    static void write(Map<String, String> props, Path file) {
        Properties p = new Properties();
        p.putAll(props);
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            p.store(w, "written by KafkaCluster.start; a restart reads it again");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the broker properties " + file, e);
        }
    }
}
