package io.fairway.server;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fairway.ha.HealthServer;
import io.fairway.ha.PeerSnapshots;
import io.fairway.ha.Replica;
import io.fairway.ha.ReplicaOptions;
import io.fairway.ha.RunSettings;
import io.fairway.ha.SettingsException;
import io.fairway.log.kafka.KafkaEventLog;
import io.fairway.ui.ConsoleFeed;
import io.fairway.ui.access.AccessControl;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@code fairway run} runs: one replica against a real cluster (or any API server) and Kafka, with its health
 * endpoints, reporting every 30 s how far behind the log it is. Closing it steps down, releases the lease (a standby
 * takes over at once) and closes everything.
 */
public final class FairwayServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FairwayServer.class);

    private final RunSettings settings;
    private final KubernetesClient client;
    private final KafkaEventLog log;
    private final Replica replica;
    private final HealthServer health;
    private final ScheduledExecutorService reporter;
    private final ReplicaBeacon beacon;
    private final ConsoleTokens tokens;
    private Startup startup;

    /**
     * How long each step of {@link #start} took, in seconds; all but {@code informers} add up to {@code total}: the API
     * client (kubeconfig read, client built, console tokens read), Kafka (the wait for the log's client, which opens
     * meanwhile), the store (opened, loaded with its hash checked, then caught up with the log), after the store (the
     * rest of the replica's parts: mostly the wait for the informers' first lists), the console and health server
     * (beacon, HTTP server). {@code informers} is how long the informers' first lists took, after the store's load.
     */
    public record Startup(double apiClient, double kafka, double load, double catchUp, double afterStore,
                          double console, double total, double informers) {
        /** {@code key=seconds} pairs, for the start-up log line and {@code bench restart}, which reads it. */
        public String pairs() {
            return String.format(Locale.ROOT, "apiClient=%.3f kafka=%.3f load=%.3f catchUp=%.3f afterStore=%.3f "
                    + "console=%.3f total=%.3f informers=%.3f", apiClient, kafka, load, catchUp, afterStore, console,
                    total, informers);
        }
    }

    private FairwayServer(RunSettings settings, KubernetesClient client, KafkaEventLog log, Replica replica,
                          HealthServer health, ScheduledExecutorService reporter, ReplicaBeacon beacon,
                          ConsoleTokens tokens) {
        this.beacon = beacon;
        this.tokens = tokens;
        this.settings = settings;
        this.client = client;
        this.log = log;
        this.replica = replica;
        this.health = health;
        this.reporter = reporter;
    }

    public static FairwayServer start(RunSettings s) {
        KubernetesClient client = null;
        KafkaEventLog log = null;
        Replica replica = null;
        ReplicaBeacon beacon = null;
        ConsoleTokens tokens = null;
        long t0 = System.nanoTime();
        // the log's client opens while the API client is built: each loads its own classes and waits on its own server
        CompletableFuture<KafkaEventLog> opening = new CompletableFuture<>();
        Thread.ofPlatform().name("fairway-kafka-open").daemon().start(() -> {
            try {
                opening.complete(KafkaEventLog.open(s.kafka()));
            } catch (Throwable t) {
                opening.completeExceptionally(t);
            }
        });
        try {
            Config config;
            long tClient;
            try {
                config = kubeConfig(s);
                // names the replica in the API server's audit log
                config.setUserAgent("fairway/" + s.replica());
                client = new KubernetesClientBuilder().withConfig(config).build();
                // the tokens first: a bad token list stops the replica before it competes for the lease
                tokens = ConsoleTokens.start(s.console(), client, ConsoleTokens.RELOAD_EVERY);
                tClient = System.nanoTime();
            } catch (RuntimeException e) {
                // the log's client is closed below once it has opened, not left to run
                try {
                    opening.join().close();
                } catch (RuntimeException ignored) {
                    // the API client's failure is the one thrown
                }
                throw e;
            }
            AccessControl access = tokens.get();
            log = joined(opening);
            long tKafka = System.nanoTime();
            // the console subscribes to the replica's state from its recovery on
            ConsoleFeed feed = new ConsoleFeed();
            feed.readView().retainFinishedApps(s.console().finishedAppRetention());
            replica = Replica.start(client, log, ReplicaOptions.defaults(s.replica(), s.dataDir())
                    .withWatcher(s.watcher()).withBinder(s.binder()).withElection(s.election()).withPublisher(feed)
                    .withPeers(s.snapshotPeers().isEmpty() ? null
                            : new PeerSnapshots(s.snapshotPeers(), s.snapshotTransferTimeout(),
                                    s.snapshotPeerToken())));
            long tReplica = System.nanoTime();
            beacon = ReplicaBeacon.start(client, replica, s.leaseNamespace(), BEACON_EVERY, Clock.systemUTC());
            ConsoleOptions console = new ConsoleOptions(tokens, new QueueConfigMapWriter(client,
                    s.queueConfigNamespace(), s.queueConfigName(), Clock.systemUTC()), beacon, s.console().tls(),
                    s.console().yunikornCorsOrigins());
            HealthServer health = ConsoleServer.start(replica, feed, log, s.healthHost(), s.healthPort(), console);
            ScheduledExecutorService reporter = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "fairway-lag-report");
                t.setDaemon(true);
                return t;
            });
            FairwayServer server = new FairwayServer(s, client, log, replica, health, reporter, beacon, tokens);
            reporter.scheduleAtFixedRate(server::reportLag, 30, 30, TimeUnit.SECONDS);
            long tEnd = System.nanoTime();
            io.fairway.store.Recovery rec = replica.follower().recovery();
            // -1: still listing; the replica is ready before, and competes for the lease once they are done
            double informers = replica.watcher().startSeconds() > 0 ? replica.watcher().startSeconds() : -1;
            double replicaSeconds = (tReplica - tKafka) / 1e9;
            server.startup = new Startup((tClient - t0) / 1e9, (tKafka - tClient) / 1e9, rec.loadSeconds(),
                    rec.catchUpSeconds(), Math.max(0, replicaSeconds - rec.seconds()), (tEnd - tReplica) / 1e9,
                    (tEnd - t0) / 1e9, informers);
            LOG.info("fairway run: replica {} started in {} s: API client {} s, Kafka {} s more, store {} s (load {} s, "
                    + "catch-up {} s), {} s more for its other parts, console and health {} s; the informers' first "
                    + "lists {}", s.replica(), secs(server.startup.total()),
                    secs(server.startup.apiClient()), secs(server.startup.kafka()), secs(rec.seconds()),
                    secs(rec.loadSeconds()), secs(rec.catchUpSeconds()), secs(server.startup.afterStore()),
                    secs(server.startup.console()), informers < 0
                            ? "still run (it competes for the lease once they are done)"
                            : "took " + secs(informers) + " s after the store");
            LOG.info("fairway run: replica {} against {} and Kafka {} (topic {}); health and console on {}://{}:{}; "
                    + "lease {}/{}; console {}", s.replica(), client.getMasterUrl(), s.kafkaBootstrapServers(),
                    s.topic(), s.console().tls() != null ? "https" : "http", s.healthHost(), health.port(),
                    s.leaseNamespace(), s.leaseName(), access.writesPossible()
                            ? (access.readsNeedToken() ? "reads and writes need tokens" : "reads open, writes need an admin token")
                            : (access.readsNeedToken() ? "reads need tokens, writes off" : "reads open, writes off (no console.tokens)"));
            return server;
        } catch (RuntimeException e) {
            if (tokens != null) {
                tokens.close();
            }
            if (beacon != null) {
                beacon.close();
            }
            if (replica != null) {
                replica.close();
            }
            if (log != null) {
                log.close();
            }
            if (client != null) {
                client.close();
            }
            throw e;
        }
    }

    private static KafkaEventLog joined(CompletableFuture<KafkaEventLog> opening) {
        try {
            return opening.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw e;
        }
    }

    private static String secs(double s) {
        return String.format(Locale.ROOT, "%.2f", s);
    }

    /** How long each step of the start took. */
    public Startup startup() {
        return startup;
    }

    /** How often a replica renews its status Lease for the console's replica list. */
    static final Duration BEACON_EVERY = Duration.ofSeconds(2);

    private static Config kubeConfig(RunSettings s) {
        if (s.kubeconfig() == null) {
            // fabric8's own order: $KUBECONFIG, ~/.kube/config, then the in-cluster service account
            return Config.autoConfigure(null);
        }
        Path file = Path.of(s.kubeconfig());
        try {
            return Config.fromKubeconfig(null, Files.readString(file), file.toString());
        } catch (IOException e) {
            throw new SettingsException(List.of("kubernetes.kubeconfig: " + file + " cannot be read: "
                    + e.getMessage()));
        }
    }

    private void reportLag() {
        try {
            long end = log.endOffset();
            long offset = replica.follower().nextOffset();
            LOG.info("replica {} is {} (leader {}): applied up to offset {}, log end {}, lag {}", replica.name(),
                    replica.role().name().toLowerCase(Locale.ROOT), replica.election().leader(), offset, end,
                    Math.max(0, end - offset));
        } catch (RuntimeException e) {
            LOG.warn("cannot read the log end to report the lag: {}", e.getMessage());
        }
    }

    public Replica replica() {
        return replica;
    }

    public HealthServer health() {
        return health;
    }

    public RunSettings settings() {
        return settings;
    }

    @Override
    public void close() {
        LOG.info("fairway run: stopping replica {}", replica.name());
        reporter.shutdownNow();
        // the replica first: it steps down and releases the lease, so that a standby takes over while the rest closes
        replica.close();
        beacon.close();
        tokens.close();
        health.close();
        log.close();
        client.close();
        LOG.info("fairway run: replica {} stopped", replica.name());
    }
}
