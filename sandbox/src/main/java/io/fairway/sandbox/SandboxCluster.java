package io.fairway.sandbox;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fairway.ha.LeaderLoop;
import io.fairway.ha.Replica;
import io.fairway.ha.ReplicaOptions;
import io.fairway.k8s.BinderOptions;
import io.fairway.k8s.WatcherOptions;
import io.fairway.log.kafka.KafkaEventLog;
import io.fairway.log.kafka.KafkaEventLogConfig;
import io.fairway.sandbox.apiserver.ApiServerOptions;
import io.fairway.sandbox.apiserver.LocalApiServer;
import io.fairway.sandbox.kubelet.KubeletOptions;
import io.fairway.sandbox.kubelet.NodeFleet;
import io.fairway.sandbox.kubelet.SimulatedKubelets;
import io.fairway.store.Snapshots;
import io.fairway.testsupport.EmbeddedKafka;
import io.fairway.testsupport.k8s.DeployBaseIdentity;
import io.fairway.testsupport.k8s.KubeControlPlane;
import io.fairway.ui.ConsoleFeed;
import io.fairway.ui.access.AccessControl;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything of the embedded default in one process: a real Kafka broker (KRaft), the local API server, simulated
 * nodes (and their kubelets, when asked), the queue ConfigMap, and one scheduler replica with its RocksDB store. The
 * replica talks to the API server over HTTP through fabric8, exactly as it would to a real cluster.
 */
public final class SandboxCluster implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SandboxCluster.class);

    /** The demo's queues: three tenants, as {@code WorkloadOptions}' default tenants submit them. */
    public static String demoQueues() {
        try (InputStream in = SandboxCluster.class.getResourceAsStream("demo-queues.yaml")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Which API server the sandbox runs. */
    public enum ApiServerKind {
        /** The project's local API server, in this process: starts in a second, nothing to build. */
        LOCAL,
        /**
         * etcd + kube-apiserver as processes (scripts/k8s-control-plane.sh; built from their Go modules the first
         * time, about 9 minutes), RBAC on: the replicas use deploy/base's service account and roles.
         */
        REAL;

        public static ApiServerKind parse(String option, String value) {
            return switch (value.strip().toLowerCase(Locale.ROOT)) {
                case "local" -> LOCAL;
                case "real" -> REAL;
                default -> throw new IllegalArgumentException(option + " " + value + " is not known: use local (the "
                        + "project's own, in this process) or real (etcd + kube-apiserver built from their Go modules)");
            };
        }
    }

    private final List<AutoCloseable> parts = new ArrayList<>();
    private final Path workDir;
    private EmbeddedKafka kafka;
    private LocalApiServer server;
    private KubernetesClient client;
    /** The replicas' client: the admin's on the local API server, deploy/base's service account on a real one. */
    private KubernetesClient replicaClient;
    private KubeControlPlane controlPlane;
    private SimulatedKubelets kubelets;
    private final List<Replica> replicas = new CopyOnWriteArrayList<>();
    /**
     * What the console reads of each replica, subscribed to it from its start; weak, so that a killed replica's goes
     * once nothing reads it (a console request under way may still).
     */
    private final Map<Replica, ConsoleFeed> feeds = Collections.synchronizedMap(new WeakHashMap<>());
    private final List<String> replicaNames = new ArrayList<>();
    private final List<KafkaEventLog> logs = new CopyOnWriteArrayList<>();
    private final List<SandboxConsole> consoles = new CopyOnWriteArrayList<>();
    private LeaderLoop.Options loopOptions;
    private final AtomicLong kills = new AtomicLong();
    private volatile boolean closing;
    private Path kubeconfig;

    private SandboxCluster(Path workDir) {
        this.workDir = workDir;
    }

    /**
     * Starts the sandbox.
     *
     * @param kubeletOptions null for no kubelets (pods are bound and stay Pending, as in a bind benchmark)
     */
    public static SandboxCluster start(NodeFleet fleet, KubeletOptions kubeletOptions, String queuesYaml,
                                       LeaderLoop.Options loopOptions) {
        return start(fleet, kubeletOptions, queuesYaml, loopOptions, 1);
    }

    /**
     * Starts the sandbox with {@code replicas} scheduler replicas ({@code replica-0}, {@code replica-1}, …): one
     * leads, the others stand by.
     */
    public static SandboxCluster start(NodeFleet fleet, KubeletOptions kubeletOptions, String queuesYaml,
                                       LeaderLoop.Options loopOptions, int replicas) {
        return start(fleet, kubeletOptions, queuesYaml, loopOptions, replicas, ApiServerKind.LOCAL);
    }

    /** Starts the sandbox on the {@code apiServer} given. */
    public static SandboxCluster start(NodeFleet fleet, KubeletOptions kubeletOptions, String queuesYaml,
                                       LeaderLoop.Options loopOptions, int replicas, ApiServerKind apiServer) {
        if (replicas < 1) {
            throw new IllegalArgumentException("replicas must be at least 1, not " + replicas);
        }
        Path work;
        try {
            work = Files.createTempDirectory("fairway-sandbox");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a work directory for the sandbox: " + e.getMessage(), e);
        }
        SandboxCluster c = new SandboxCluster(work);
        try {
            c.kafka = c.keep(EmbeddedKafka.start());
            if (apiServer == ApiServerKind.REAL) {
                c.startRealApiServer(work);
            } else {
                c.startLocalApiServer(work, kubeletOptions != null);
            }
            c.client.configMaps().inNamespace(WatcherOptions.DEFAULT_CONFIG_NAMESPACE).resource(new ConfigMapBuilder()
                    .withNewMetadata().withName(WatcherOptions.DEFAULT_CONFIG_NAME).endMetadata()
                    .withData(Map.of(WatcherOptions.CONFIG_KEY, queuesYaml)).build()).create();
            fleet.register(c.client, 32);
            if (kubeletOptions != null) {
                c.kubelets = c.keep(SimulatedKubelets.start(c.client, kubeletOptions));
            }
            c.loopOptions = loopOptions;
            for (int i = 0; i < replicas; i++) {
                c.replicaNames.add("replica-" + i);
                c.startReplica("replica-" + i);
            }
            return c;
        } catch (RuntimeException e) {
            c.close();
            throw e;
        }
    }

    private void startLocalApiServer(Path work, boolean kubelets) {
        // with kubelets, a running pod's graceful deletion waits for its kubelet to stop it, as on a real cluster
        server = keep(LocalApiServer.start(ApiServerOptions.defaults()
                .withEventLoops(1).withKubeletsDeletingPods(kubelets)));
        kubeconfig = server.writeKubeconfig(work.resolve("kubeconfig"));
        client = keep(new KubernetesClientBuilder()
                .withConfig(new ConfigBuilder().withMasterUrl(server.url()).withHttp2Disable(true)
                        .withMaxConcurrentRequests(256).withMaxConcurrentRequestsPerHost(256).build())
                .build());
        replicaClient = client;
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata()
                .withName(WatcherOptions.DEFAULT_CONFIG_NAMESPACE).endMetadata().build()).create();
    }

    private void startRealApiServer(Path work) {
        controlPlane = keep(KubeControlPlane.start(work.resolve("k8s"), false));
        kubeconfig = controlPlane.kubeconfig();
        client = keep(new KubernetesClientBuilder().withConfig(new ConfigBuilder(controlPlane.adminConfig())
                .withMaxConcurrentRequests(256).withMaxConcurrentRequestsPerHost(256).build()).build());
        // creates namespace fairway too, where the queue ConfigMap goes
        String token = DeployBaseIdentity.apply(controlPlane, client, Duration.ofDays(7));
        replicaClient = keep(new KubernetesClientBuilder().withConfig(controlPlane.configWithToken(token)).build());
        LOG.info("the replicas act as {} (deploy/base's RBAC)", DeployBaseIdentity.USER);
    }

    private Replica startReplica(String name) {
        KafkaEventLog log = KafkaEventLog.open(KafkaEventLogConfig.of(kafka.bootstrapServers()));
        try {
            ConsoleFeed feed = new ConsoleFeed();
            Replica r = Replica.start(replicaClient, log, ReplicaOptions.defaults(name, workDir.resolve(name))
                    .withBinder(BinderOptions.defaults().withParallelism(64))
                    .withLoop(new LeaderLoop.Options(name, loopOptions.maxAllocationsPerCycle(),
                            loopOptions.maxInterval(), loopOptions.pollTimeout()))
                    .withPublisher(feed));
            feeds.put(r, feed);
            logs.add(log);
            replicas.add(r);
            return r;
        } catch (RuntimeException e) {
            log.close();
            throw e;
        }
    }

    /**
     * Kills the leader as SIGKILL would ({@link Replica#crash()}: no step-down, no lease release, so a standby takes
     * over only when the lease runs out) and restarts it from its store after {@code restartAfter}, as Kubernetes would
     * restart its pod. Returns the killed replica's name, or null when nobody leads.
     */
    public String killLeader(Duration restartAfter) {
        Replica leader = leader();
        if (leader == null) {
            return null;
        }
        int i = replicas.indexOf(leader);
        replicas.remove(leader);
        leader.crash();
        KafkaEventLog log = logs.remove(i);
        log.close();
        kills.incrementAndGet();
        LOG.info("killed {} (as SIGKILL would: no step-down, its lease left to run out); it restarts in {} ms",
                leader.name(), restartAfter.toMillis());
        Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(restartAfter.toMillis());
                if (!closing) {
                    startReplica(leader.name());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                LOG.warn("sandbox: could not restart {}: {}", leader.name(), e.toString());
            }
        });
        return leader.name();
    }

    /** The replica that leads now, or null. */
    public Replica leader() {
        for (Replica r : replicas) {
            if (r.role() == Replica.Role.LEADER) {
                return r;
            }
        }
        return null;
    }

    /** What the console reads of a replica started here: its event tail and lists. */
    public ConsoleFeed feed(Replica r) {
        ConsoleFeed f = feeds.get(r);
        if (f == null) {
            throw new IllegalArgumentException("replica " + r.name() + " is not running in this sandbox");
        }
        return f;
    }

    /** The running replicas. */
    public List<Replica> replicas() {
        return List.copyOf(replicas);
    }

    /** Every replica's name, up or down ({@code replica-0}, {@code replica-1}, …). */
    public List<String> replicaNames() {
        return List.copyOf(replicaNames);
    }

    /** Leaders killed by {@link #killLeader}. */
    public long kills() {
        return kills.get();
    }

    private <T extends AutoCloseable> T keep(T part) {
        parts.add(part);
        return part;
    }

    public KubernetesClient client() {
        return client;
    }

    /** The local API server, or null when the sandbox runs a real one ({@link #controlPlane()}). */
    public LocalApiServer apiServer() {
        return server;
    }

    /** The real etcd + kube-apiserver, or null when the sandbox runs the local API server. */
    public KubeControlPlane controlPlane() {
        return controlPlane;
    }

    public String kafkaBootstrap() {
        return kafka.bootstrapServers();
    }

    /** The leader, else the first replica (a single replica before it has taken the lead). */
    public Replica replica() {
        Replica l = leader();
        return l != null ? l : replicas.get(0);
    }

    /** The kubelets, or null when started without. */
    public SimulatedKubelets kubelets() {
        return kubelets;
    }

    /** A kubeconfig for {@code kubectl --kubeconfig …} against the API server (the admin's, on a real one). */
    public Path kubeconfig() {
        return kubeconfig;
    }

    public Path workDirectory() {
        return workDir;
    }

    /**
     * Starts the console for this sandbox on {@code host:port} (0 for a free port); it is closed with the sandbox.
     */
    public SandboxConsole startConsole(AccessControl access, String host, int port) {
        SandboxConsole console = SandboxConsole.start(this, access, host, port);
        consoles.add(console);
        return console;
    }

    /** Stops everything, newest part first, and deletes the work directory. */
    @Override
    public void close() {
        closing = true;
        for (SandboxConsole c : consoles) {
            c.close();
        }
        consoles.clear();
        for (Replica r : replicas) {
            try {
                r.close();
            } catch (RuntimeException e) {
                LOG.warn("stopping replica {} failed: {}", r.name(), e.toString());
            }
        }
        replicas.clear();
        feeds.clear();
        for (KafkaEventLog l : logs) {
            l.close();
        }
        logs.clear();
        for (int i = parts.size() - 1; i >= 0; i--) {
            try {
                parts.get(i).close();
            } catch (Exception e) {
                LOG.warn("stopping {} failed: {}", parts.get(i).getClass().getSimpleName(), e.toString());
            }
        }
        parts.clear();
        Snapshots.deleteTree(workDir);
    }
}
