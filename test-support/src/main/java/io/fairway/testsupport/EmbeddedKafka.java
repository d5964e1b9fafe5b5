package io.fairway.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka broker in KRaft mode (one process that is both broker and controller), started in this
 * JVM from the Kafka artifacts, on free loopback ports and a temporary log directory. For tests and the sandbox.
 *
 * <pre>{@code
 * try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
 *     String bootstrap = kafka.bootstrapServers();   // e.g. 127.0.0.1:40123
 *     ...
 * }
 * }</pre>
 *
 * <p>Ports: two free ports (client and controller listener) are chosen by binding port 0; should another process take
 * one before the broker binds it, the start is retried with new ports (a few times) — never a fixed port.
 *
 * <p>Settings for one node: every internal topic has replication factor 1 and one partition (so that the first
 * transaction or consumer group does not wait for 50 partitions), no initial rebalance delay, and
 * {@code auto.create.topics.enable=false}, so that code under test has to create its topics like it must on a real
 * cluster. Any broker property can be overridden with {@link #start(Map)}.
 *
 * <p>Logging: the broker logs through SLF4J. When the binding is logback and the {@code kafka},
 * {@code org.apache.kafka} and {@code state.change.logger} loggers have no level of their own, they are set to WARN on
 * start; a level set in the logback configuration wins.
 */
public final class EmbeddedKafka implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedKafka.class);
    private static final int NODE_ID = 1;
    private static final String CONTROLLER_LISTENER = "CONTROLLER";
    private static final int START_ATTEMPTS = 5;
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    private final KafkaRaftServer server;
    private final Path dir;
    private final String bootstrapServers;
    private final Thread cleanupHook;
    private boolean closed;

    private EmbeddedKafka(KafkaRaftServer server, Path dir, String bootstrapServers) {
        this.server = server;
        this.dir = dir;
        this.bootstrapServers = bootstrapServers;
        // A test that forgets close() must not leave a broker's files in /tmp. The broker stops first: files deleted
        // under a running broker make it fail its log directory, with a stack trace per file it still writes.
        this.cleanupHook = new Thread(this::close, "embedded-kafka-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanupHook);
    }

    /** Starts a broker with the default single-node settings; returns once it accepts clients. */
    public static EmbeddedKafka start() {
        return start(Map.of());
    }

    /** Starts a broker; {@code brokerOverrides} are broker properties that replace or add to the defaults. */
    public static EmbeddedKafka start(Map<String, String> brokerOverrides) {
        quietKafkaLoggers();
        long started = System.nanoTime();
        Path dir;
        try {
            dir = Files.createTempDirectory("fairway-kafka-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary directory for the embedded Kafka broker", e);
        }
        RuntimeException last = null;
        for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
            int[] ports = freePorts(2);
            Path logDir = dir.resolve("attempt-" + attempt);
            KafkaRaftServer server = null;
            try {
                Map<String, String> props = brokerProperties(logDir, ports[0], ports[1], brokerOverrides);
                format(logDir, props);
                server = new KafkaRaftServer(new KafkaConfig(props, false), Time.SYSTEM);
                server.startup();
                String bootstrap = "127.0.0.1:" + ports[0];
                awaitReady(bootstrap);
                EmbeddedKafka kafka = new EmbeddedKafka(server, dir, bootstrap);
                log.info("embedded Kafka {} ready in {} ms (log dir {})", bootstrap,
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), logDir);
                return kafka;
            } catch (RuntimeException e) {
                last = e;
                if (server != null) {
                    stop(server);
                }
                deleteRecursively(logDir);
                if (!isBindFailure(e)) {
                    break;
                }
                log.warn("embedded Kafka could not bind port {} or {} (taken by another process?); retrying with new ports",
                        ports[0], ports[1]);
            }
        }
        deleteRecursively(dir);
        throw new IllegalStateException("the embedded Kafka broker did not start: " + last.getMessage(), last);
    }

    /** {@code host:port} of the broker's client listener, for {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** The broker's data directory (deleted by {@link #close()}). */
    public Path directory() {
        return dir;
    }

    /** Creates a topic with replication factor 1 and waits until it exists. */
    public void createTopic(String name, int partitions) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot create topic " + name + " on " + bootstrapServers + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topic " + name, e);
        }
    }

    /** Stops the broker and deletes its directory. Calling it again does nothing. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        long t0 = System.nanoTime();
        stop(server);
        deleteRecursively(dir);
        try {
            Runtime.getRuntime().removeShutdownHook(cleanupHook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // the hook runs anyway
        }
        log.info("embedded Kafka {} stopped in {} ms", bootstrapServers,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
    }

    private static Map<String, String> brokerProperties(Path logDir, int clientPort, int controllerPort,
                                                        Map<String, String> overrides) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("process.roles", "broker,controller");
        p.put("node.id", String.valueOf(NODE_ID));
        p.put("controller.quorum.voters", NODE_ID + "@127.0.0.1:" + controllerPort);
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + clientPort + "," + CONTROLLER_LISTENER + "://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + clientPort);
        p.put("controller.listener.names", CONTROLLER_LISTENER);
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("log.dirs", logDir.toString());
        p.put("metadata.log.dir", logDir.toString());
        p.put("auto.create.topics.enable", "false");
        p.put("num.partitions", "1");
        p.put("default.replication.factor", "1");
        p.put("min.insync.replicas", "1");
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "1");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("share.coordinator.state.topic.num.partitions", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("num.network.threads", "2");
        p.put("num.io.threads", "4");
        p.putAll(overrides);
        return p;
    }

    private static void format(Path logDir, Map<String, String> props) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8)) {
            new Formatter()
                    .setPrintStream(ps)
                    .setNodeId(NODE_ID)
                    .setClusterId(Uuid.randomUuid().toString())
                    .setControllerListenerName(CONTROLLER_LISTENER)
                    .setMetadataLogDirectory(props.get("metadata.log.dir"))
                    .setDirectories(List.of(logDir.toString()))
                    .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                    .run();
        } catch (Exception e) {
            throw new IllegalStateException("cannot format the KRaft log directory " + logDir + ": " + e
                    + " (formatter said: " + out.toString(StandardCharsets.UTF_8).strip() + ")", e);
        }
    }

    private static void awaitReady(String bootstrap) {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "5000");
        try (Admin admin = Admin.create(p)) {
            while (true) {
                try {
                    if (!admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
                        return;
                    }
                } catch (ExecutionException | TimeoutException e) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("the embedded Kafka broker at " + bootstrap
                                + " did not answer within " + READY_TIMEOUT.toSeconds() + " s: " + e, e);
                    }
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the embedded Kafka broker at " + bootstrap
                            + " reports no live broker after " + READY_TIMEOUT.toSeconds() + " s");
                }
                Thread.sleep(50);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the embedded Kafka broker", e);
        }
    }

    private static void stop(KafkaRaftServer server) {
        try {
            server.shutdown();
            server.awaitShutdown();
        } catch (RuntimeException e) {
            log.warn("embedded Kafka did not shut down cleanly: {}", e.toString(), e);
        }
    }

    private static boolean isBindFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BindException) {
                return true;
            }
            String m = t.getMessage();
            if (m != null && (m.contains("failed to bind") || m.contains("Address already in use"))) {
                return true;
            }
        }
        return false;
    }

    /** Distinct ports that were free a moment ago on the loopback address. */
    private static int[] freePorts(int n) {
        ServerSocket[] sockets = new ServerSocket[n];
        int[] ports = new int[n];
        try {
            for (int i = 0; i < n; i++) {
                sockets[i] = new ServerSocket();
                sockets[i].setReuseAddress(true);
                sockets[i].bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                ports[i] = sockets[i].getLocalPort();
            }
            return ports;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free port on the loopback address", e);
        } finally {
            for (ServerSocket s : sockets) {
                if (s != null) {
                    try {
                        s.close();
                    } catch (IOException ignored) {
                        // nothing to do
                    }
                }
            }
        }
    }

    private static void deleteRecursively(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException exc) throws IOException {
                    if (exc instanceof NoSuchFileException) {
                        return FileVisitResult.CONTINUE;
                    }
                    throw exc;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                    Files.deleteIfExists(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            log.warn("cannot delete the embedded Kafka directory {}: {}", root, e.toString());
        }
    }

    private static void quietKafkaLoggers() {
        if ("ch.qos.logback.classic.LoggerContext".equals(LoggerFactory.getILoggerFactory().getClass().getName())) {
            LogbackLevels.warnUnlessConfigured("kafka", "org.apache.kafka", "state.change.logger");
        }
    }

    /** Touches logback classes only when logback is the binding (it is an optional dependency). */
    private static final class LogbackLevels {
        static void warnUnlessConfigured(String... names) {
            ch.qos.logback.classic.LoggerContext ctx =
                    (ch.qos.logback.classic.LoggerContext) LoggerFactory.getILoggerFactory();
            for (String name : names) {
                ch.qos.logback.classic.Logger logger = ctx.getLogger(name);
                if (logger.getLevel() == null) {
                    logger.setLevel(ch.qos.logback.classic.Level.WARN);
                }
            }
        }
    }
}
