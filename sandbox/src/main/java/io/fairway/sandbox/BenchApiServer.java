package io.fairway.sandbox;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fairway.sandbox.apiserver.ApiRequest;
import io.fairway.sandbox.apiserver.ApiServerOptions;
import io.fairway.sandbox.apiserver.LocalApiServer;
import io.fairway.sandbox.load.BulkPodCreator;
import io.fairway.testsupport.k8s.AuditLog;
import io.fairway.testsupport.k8s.DeployBaseIdentity;
import io.fairway.testsupport.k8s.KubeControlPlane;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The API server a multi-process benchmark ({@code bench failover}) runs its replicas against: the local one, or a
 * real etcd + kube-apiserver with RBAC and an audit log. Each answers who bound a pod when from its own record.
 */
sealed interface BenchApiServer extends AutoCloseable {
    /** A client with every right, for the benchmark's own setup and checks. */
    KubernetesClient admin();

    /** A kubeconfig for the replicas (on a real server: deploy/base's service account). */
    Path replicaKubeconfig(Path dir);

    /** Creates the pods, {@code inFlight} requests at once. */
    void create(List<Pod> pods, int inFlight);

    /**
     * Milliseconds from the kill to the first binding the API server accepted from a Fairway replica other than
     * {@code killedAgent} ({@code fairway/replica-0}), or -1 when none came within {@code timeout}.
     */
    long millisToFirstBindBy(String killedAgent, long killedAtNanos, Instant killedAt, Duration timeout);

    /** A binding request as the API server answered it. */
    record Binding(String pod, String sender, int code) {
        boolean accepted() {
            return code >= 200 && code < 300;
        }
    }

    /** Every binding request served so far, from the server's own record (not the scheduler's). */
    List<Binding> bindings();

    /** Creates namespace {@code name} unless it exists. */
    default void namespace(String name) {
        if (admin().namespaces().withName(name).get() == null) {
            admin().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata()
                    .build()).create();
        }
    }

    @Override
    void close();

    static BenchApiServer start(SandboxCluster.ApiServerKind kind, Path dir) {
        return kind == SandboxCluster.ApiServerKind.REAL ? new Real(dir) : new Local(dir);
    }

    private static boolean otherReplica(String agent, String killedAgent) {
        // a binding's User-Agent is "fairway/replica-1 epoch/4"
        String sender = agent.contains(" ") ? agent.substring(0, agent.indexOf(' ')) : agent;
        return sender.startsWith("fairway/") && !sender.equals(killedAgent);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /**
     * The project's local API server, with its record of requests and its history of writes and their answers (JSON
     * lines); pods sent by the pipelined creator.
     */
    final class Local implements BenchApiServer {
        private final Path history;
        private final LocalApiServer server;
        private final KubernetesClient admin;
        private final BulkPodCreator creator;

        Local(Path dir) {
            history = dir.resolve("api-history.jsonl");
            server = LocalApiServer.start(ApiServerOptions.defaults()
                    .withHistoryFile(history));
            admin = new KubernetesClientBuilder().withConfig(new ConfigBuilder().withMasterUrl(server.url())
                    .withHttp2Disable(true).build()).build();
            creator = new BulkPodCreator(server.url(), 2, 8);
            server.recordRequests();
        }

        @Override
        public List<Binding> bindings() {
            List<Binding> out = new ArrayList<>();
            com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
            try {
                for (String line : Files.readAllLines(history)) {
                    com.fasterxml.jackson.databind.JsonNode n = json.readTree(line);
                    if ("create".equals(n.path("verb").asText()) && "pods".equals(n.path("resource").asText())
                            && "binding".equals(n.path("sub").asText())) {
                        out.add(new Binding(n.path("ns").asText() + "/" + n.path("name").asText(),
                                n.path("agent").asText(), n.path("code").asInt()));
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the API server's history " + history, e);
            }
            return out;
        }

        @Override
        public KubernetesClient admin() {
            return admin;
        }

        @Override
        public Path replicaKubeconfig(Path dir) {
            return server.writeKubeconfig(dir.resolve("kubeconfig"));
        }

        @Override
        public void create(List<Pod> pods, int inFlight) {
            creator.create(BulkPodCreator.prepare(pods, admin.getKubernetesSerialization()), inFlight,
                    Duration.ofMinutes(1), (k, t) -> { });
        }

        @Override
        public long millisToFirstBindBy(String killedAgent, long killedAtNanos, Instant killedAt, Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                for (ApiRequest r : server.requests()) {
                    if (r.atNanos() > killedAtNanos && r.verb().equals("create")
                            && r.rbacResource().equals("pods/binding") && otherReplica(r.sender(), killedAgent)) {
                        return (r.atNanos() - killedAtNanos) / 1_000_000;
                    }
                }
                sleep(20);
            }
            return -1;
        }

        @Override
        public void close() {
            creator.close();
            admin.close();
            server.close();
        }
    }

    /**
     * etcd + kube-apiserver (audit on: its log says which replica's binding was accepted when, to the microsecond),
     * the replicas acting as deploy/base's service account.
     */
    final class Real implements BenchApiServer {
        private final KubeControlPlane cp;
        private final KubernetesClient admin;
        private final AuditLog.Tail audit;
        private final List<AuditLog.Entry> bindings = new ArrayList<>();

        Real(Path dir) {
            cp = KubeControlPlane.start(dir.resolve("k8s"), true);
            admin = new KubernetesClientBuilder().withConfig(new ConfigBuilder(cp.adminConfig())
                    .withMaxConcurrentRequests(64).withMaxConcurrentRequestsPerHost(64).build()).build();
            audit = new AuditLog.Tail(cp.auditLog());
        }

        @Override
        public KubernetesClient admin() {
            return admin;
        }

        @Override
        public Path replicaKubeconfig(Path dir) {
            String token = DeployBaseIdentity.apply(cp, admin, Duration.ofDays(1));
            return cp.writeKubeconfig(dir.resolve("kubeconfig"), DeployBaseIdentity.USER, token);
        }

        @Override
        public void create(List<Pod> pods, int inFlight) {
            ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, inFlight));
            try {
                List<Future<?>> done = new ArrayList<>();
                for (Pod p : pods) {
                    done.add(pool.submit(() -> admin.resource(p).create()));
                }
                for (Future<?> f : done) {
                    try {
                        f.get();
                    } catch (ExecutionException e) {
                        throw new IllegalStateException("creating a pod failed: " + e.getCause(), e.getCause());
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while creating pods", e);
            } finally {
                pool.shutdownNow();
            }
        }

        @Override
        public List<Binding> bindings() {
            return AuditLog.read(cp.auditLog()).stream()
                    .filter(e -> e.resource().equals("pods/binding") && e.verb().equals("create"))
                    .map(e -> new Binding(e.namespace() + "/" + e.name(), e.userAgent(), e.code())).toList();
        }

        @Override
        public synchronized long millisToFirstBindBy(String killedAgent, long killedAtNanos, Instant killedAt,
                                                     Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                for (AuditLog.Entry e : audit.next()) {
                    if (e.resource().equals("pods/binding") && e.verb().equals("create")) {
                        bindings.add(e);
                    }
                }
                for (AuditLog.Entry e : bindings) {
                    if (e.code() == 201 && e.received().isAfter(killedAt) && otherReplica(e.userAgent(), killedAgent)) {
                        return Duration.between(killedAt, e.received()).toMillis();
                    }
                }
                sleep(100);
            }
            return -1;
        }

        @Override
        public void close() {
            admin.close();
            cp.close();
        }
    }
}
