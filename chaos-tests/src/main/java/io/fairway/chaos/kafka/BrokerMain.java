package io.fairway.chaos.kafka;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Kafka KRaft node (broker and controller) as its own OS process, so that a test can SIGKILL, SIGSTOP or restart
 * it. Started by {@link KafkaCluster}; the only argument is the broker's properties file.
 *
 * <p>On first start it formats its log directory (a directory with {@code meta.properties} is left as it is, so a
 * restart keeps its data). It prints {@code broker N ready} on stdout once every client listener accepts
 * connections, and shuts down cleanly on SIGTERM. It exits when the process that started it dies, so that a crashed
 * test leaves no broker behind.
 */
public final class BrokerMain {
    /** The properties-file key carrying the cluster id; not a broker setting, removed before Kafka sees it. */
    static final String CLUSTER_ID_KEY = "fairway.cluster.id";
    static final String READY_SUFFIX = " ready";
    private static final Logger LOG = LoggerFactory.getLogger(BrokerMain.class);

    private BrokerMain() {
    }

    public static void main(String[] args) {
        if (args.length != 1) {
            System.err.println("usage: BrokerMain <broker.properties> (got " + args.length + " arguments)");
            System.exit(2);
        }
        try {
            run(Path.of(args[0]));
        } catch (Throwable e) {
            // Kafka's non-daemon threads would keep a half-started broker alive: exit, so the harness sees it died
            LOG.error("broker with {} failed: {}", args[0], e.toString(), e);
            System.exit(1);
        }
    }

    private static void run(Path propsFile) throws IOException {
        Map<String, String> props = load(propsFile);
        String clusterId = props.remove(CLUSTER_ID_KEY);
        if (clusterId == null) {
            throw new IllegalArgumentException(propsFile + " has no " + CLUSTER_ID_KEY + "; KafkaCluster writes it");
        }
        int nodeId = Integer.parseInt(props.get("node.id"));
        exitWithParent(nodeId);
        formatUnlessFormatted(nodeId, clusterId, props);

        KafkaRaftServer server = new KafkaRaftServer(new KafkaConfig(props, false), Time.SYSTEM);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.info("broker {}: stopping (SIGTERM)", nodeId);
            server.shutdown();
            server.awaitShutdown();
            LOG.info("broker {}: stopped", nodeId);
        }, "broker-" + nodeId + "-shutdown"));
        // startup() returns once the node has caught up with the metadata quorum and is unfenced
        server.startup();
        awaitListeners(nodeId, props.get("listeners"), props.get("controller.listener.names"));
        System.out.println("broker " + nodeId + READY_SUFFIX);
        System.out.flush();
        server.awaitShutdown();
    }

    private static Map<String, String> load(Path file) {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the broker properties " + file, e);
        }
        Map<String, String> m = new HashMap<>();
        p.stringPropertyNames().forEach(k -> m.put(k, p.getProperty(k)));
        return m;
    }

    private static void formatUnlessFormatted(int nodeId, String clusterId, Map<String, String> props) {
        String logDir = props.get("log.dirs");
        if (Files.exists(Path.of(logDir, "meta.properties"))) {
            LOG.info("broker {}: {} is formatted already; keeping its data", nodeId, logDir);
            return;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8)) {
            new Formatter()
                    .setPrintStream(ps)
                    .setNodeId(nodeId)
                    .setClusterId(clusterId)
                    .setControllerListenerName(props.get("controller.listener.names"))
                    .setMetadataLogDirectory(props.get("metadata.log.dir"))
                    .setDirectories(List.of(logDir))
                    .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                    .run();
        } catch (Exception e) {
            throw new IllegalStateException("broker " + nodeId + ": cannot format the KRaft log directory " + logDir
                    + ": " + e + " (formatter said: " + out.toString(StandardCharsets.UTF_8).strip() + ")", e);
        }
    }

    /** Connects once to each non-controller listener: "ready" must mean a client can connect. */
    private static void awaitListeners(int nodeId, String listeners, String controllerListener) throws IOException {
        for (String l : listeners.split(",")) {
            String name = l.substring(0, l.indexOf("://"));
            if (name.equals(controllerListener)) {
                continue;
            }
            String hostPort = l.substring(l.indexOf("://") + 3);
            int colon = hostPort.lastIndexOf(':');
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(hostPort.substring(0, colon),
                        Integer.parseInt(hostPort.substring(colon + 1))), 10_000);
            } catch (IOException e) {
                throw new IOException("broker " + nodeId + " started but its listener " + l
                        + " does not accept connections: " + e, e);
            }
        }
    }

    /** Halts (no clean shutdown: it may wait minutes for a quorum that is gone too) when the parent dies. */
    private static void exitWithParent(int nodeId) {
        ProcessHandle.current().parent().ifPresent(parent -> parent.onExit().thenRun(() -> {
            LOG.warn("broker {}: the process that started it ({}) is gone; exiting", nodeId, parent.pid());
            Runtime.getRuntime().halt(3);
        }));
    }
}
