package io.fairway.ha;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fairway.log.kafka.KafkaEventLog;
import io.fabric8.kubernetes.api.model.Secret;
import io.fairway.ui.access.AccessControl;
import io.fairway.ui.access.TokenFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
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

    private FairwayServer(RunSettings settings, KubernetesClient client, KafkaEventLog log, Replica replica,
                          HealthServer health, ScheduledExecutorService reporter, ReplicaBeacon beacon) {
        this.beacon = beacon;
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
        try {
            Config config = kubeConfig(s);
            // names the replica in the API server's audit log
            config.setUserAgent("fairway/" + s.replica());
            client = new KubernetesClientBuilder().withConfig(config).build();
            // the tokens first: a bad token list stops the replica before it competes for the lease
            AccessControl access = access(s.console(), client);
            log = KafkaEventLog.open(s.kafka());
            replica = Replica.start(client, log, s.dataDir(), s.replica(), s.watcher(), s.binder(),
                    LeaderLoop.Options.defaults(s.replica()), s.election(), Clock.systemUTC());
            beacon = ReplicaBeacon.start(client, replica, log, s.leaseNamespace(), BEACON_EVERY, Clock.systemUTC());
            ConsoleOptions console = new ConsoleOptions(access, new QueueConfigMapWriter(client,
                    s.queueConfigNamespace(), s.queueConfigName(), Clock.systemUTC()), beacon, s.console().tls());
            HealthServer health = HealthServer.start(replica, log, s.healthHost(), s.healthPort(), console);
            ScheduledExecutorService reporter = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "fairway-lag-report");
                t.setDaemon(true);
                return t;
            });
            FairwayServer server = new FairwayServer(s, client, log, replica, health, reporter, beacon);
            reporter.scheduleAtFixedRate(server::reportLag, 30, 30, TimeUnit.SECONDS);
            LOG.info("fairway run: replica {} against {} and Kafka {} (topic {}); health and console on {}://{}:{}; "
                    + "lease {}/{}; console {}", s.replica(), client.getMasterUrl(), s.kafkaBootstrapServers(),
                    s.topic(), s.console().tls() != null ? "https" : "http", s.healthHost(), health.port(),
                    s.leaseNamespace(), s.leaseName(), access.writesPossible()
                            ? (access.readsNeedToken() ? "reads and writes need tokens" : "reads open, writes need an admin token")
                            : (access.readsNeedToken() ? "reads need tokens, writes off" : "reads open, writes off (no console.tokens)"));
            return server;
        } catch (RuntimeException e) {
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

    /** How often a replica renews its status Lease for the console's replica list. */
    static final java.time.Duration BEACON_EVERY = java.time.Duration.ofSeconds(2);

    /** The console's tokens, from a file or a Secret; read once at start (a restart picks up a changed list). */
    static AccessControl access(RunSettings.Console c, KubernetesClient client) {
        if (c.tokens().isEmpty()) {
            if (c.readsNeedToken()) {
                throw new SettingsException(java.util.List.of("console.readsNeedToken is true but console.tokens is "
                        + "not set: nobody could read the console; give console.tokens a file or secret:NAMESPACE/NAME"));
            }
            return AccessControl.open();
        }
        String text;
        String source;
        if (c.tokens().startsWith(RunSettings.Console.SECRET_PREFIX)) {
            String[] ref = c.tokens().substring(RunSettings.Console.SECRET_PREFIX.length()).split("/", 2);
            source = "secret " + ref[0] + "/" + ref[1] + " key " + RunSettings.Console.TOKENS_KEY;
            Secret secret;
            try {
                secret = client.secrets().inNamespace(ref[0]).withName(ref[1]).get();
            } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
                throw new SettingsException(java.util.List.of("console.tokens: the " + source + " cannot be read: "
                        + e.getMessage() + " (may the service account get secrets in " + ref[0] + "?)"));
            }
            String encoded = secret == null || secret.getData() == null ? null
                    : secret.getData().get(RunSettings.Console.TOKENS_KEY);
            String plain = secret == null || secret.getStringData() == null ? null
                    : secret.getStringData().get(RunSettings.Console.TOKENS_KEY);
            if (encoded == null && plain == null) {
                throw new SettingsException(java.util.List.of("console.tokens: the " + source + " does not exist; "
                        + "create it: kubectl -n " + ref[0] + " create secret generic " + ref[1] + " --from-file="
                        + RunSettings.Console.TOKENS_KEY + "=tokens.csv"));
            }
            text = encoded != null ? new String(java.util.Base64.getDecoder().decode(encoded.strip()),
                    java.nio.charset.StandardCharsets.UTF_8) : plain;
        } else {
            source = c.tokens();
            try {
                text = Files.readString(Path.of(c.tokens()));
            } catch (IOException e) {
                throw new SettingsException(java.util.List.of("console.tokens: " + c.tokens() + " cannot be read: "
                        + e.getMessage()));
            }
        }
        try {
            return AccessControl.tokens(TokenFile.parse(text, source), c.readsNeedToken());
        } catch (IllegalArgumentException e) {
            throw new SettingsException(java.util.List.of(e.getMessage()));
        }
    }

    private static Config kubeConfig(RunSettings s) {
        if (s.kubeconfig() == null) {
            // fabric8's own order: $KUBECONFIG, ~/.kube/config, then the in-cluster service account
            return Config.autoConfigure(null);
        }
        Path file = Path.of(s.kubeconfig());
        try {
            return Config.fromKubeconfig(null, Files.readString(file), file.toString());
        } catch (IOException e) {
            throw new SettingsException(java.util.List.of("kubernetes.kubeconfig: " + file + " cannot be read: "
                    + e.getMessage()));
        }
    }

    private void reportLag() {
        try {
            long end = log.endOffset();
            long offset = replica.follower().nextOffset();
            LOG.info("replica {} is {} (leader {}): applied up to offset {}, log end {}, lag {}", replica.name(),
                    replica.role().name().toLowerCase(java.util.Locale.ROOT), replica.election().leader(), offset, end,
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
        beacon.close();
        replica.close();
        health.close();
        log.close();
        client.close();
        LOG.info("fairway run: replica {} stopped", replica.name());
    }
}
