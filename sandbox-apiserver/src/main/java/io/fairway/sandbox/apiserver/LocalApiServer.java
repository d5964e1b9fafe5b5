package io.fairway.sandbox.apiserver;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A local Kubernetes API endpoint over plain HTTP for the sandbox and for tests: namespaces, pods (with the
 * binding, eviction and status subresources), nodes (with status), config maps, secrets, services (with cluster IPs),
 * service accounts, persistent volume claims, events (v1 and events.k8s.io/v1), leases and priority classes, with watches that resume from a resourceVersion, label and field selectors, optimistic
 * concurrency, the patch formats and server-side apply. The unchanged fabric8 client and kubectl talk to it.
 */
public final class LocalApiServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LocalApiServer.class);

    private final Vertx vertx;
    private final Store store;
    private final String url;
    private final int port;
    private final long bookmarkTimer;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Set<Thread> eventLoops;
    private ApiHandler handler;
    // closed after the event loops, so no request writes to them meanwhile; null when not asked for
    private StoreJournal journal;
    private RequestHistory history;

    private LocalApiServer(Vertx vertx, Store store, String url, int port, long bookmarkTimer, Set<Thread> eventLoops) {
        this.eventLoops = eventLoops;
        this.vertx = vertx;
        this.store = store;
        this.url = url;
        this.port = port;
        this.bookmarkTimer = bookmarkTimer;
    }

    /** Starts on 127.0.0.1 on a free port with the default options. */
    public static LocalApiServer start() {
        return start(ApiServerOptions.defaults());
    }

    public static LocalApiServer start(ApiServerOptions o) {
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(o.eventLoops()).setPreferNativeTransport(false));
        StoreJournal journal = null;
        RequestHistory history = null;
        try {
            Store store = new Store(o.watchHistory(), o.kubeletsDeletePods());
            Admission admission = new Admission(store);
            if (o.dataDir() != null) {
                journal = StoreJournal.open(o.dataDir());
                store.restore(journal.restored());
                store.journalTo(journal);
            }
            if (journal == null || journal.restored().isEmpty()) {
                bootstrap(store, admission);
            }
            if (o.historyFile() != null) {
                history = RequestHistory.open(o.historyFile());
                store.onCommit(MutationCapture::committed);
            }
            FaultInjector faults = o.faultEndpoints() ? new FaultInjector() : null;
            ApiHandler handler = new ApiHandler(vertx, store, admission, o, history, faults);
            HttpServerOptions http = new HttpServerOptions()
                    .setHost(o.host())
                    .setTcpNoDelay(true)
                    .setMaxInitialLineLength(64 * 1024)
                    .setMaxHeaderSize(64 * 1024)
                    .setMaxWebSocketFrameSize(16 * 1024 * 1024)
                    .setMaxWebSocketMessageSize(64 * 1024 * 1024)
                    .setIdleTimeout(0);
            Set<Thread> eventLoops = ConcurrentHashMap.newKeySet();
            int port = listen(vertx, http, handler, o, eventLoops);
            String host = o.host().contains(":") ? "[" + o.host() + "]" : o.host();
            String hostPort = (o.host().equals("0.0.0.0") ? "127.0.0.1" : host) + ":" + port;
            handler.discovery(new Discovery(hostPort));
            long timer = vertx.setPeriodic(o.bookmarkInterval().toMillis(), id -> store.bookmarkTick());
            LocalApiServer server = new LocalApiServer(vertx, store, "http://" + hostPort, port, timer, eventLoops);
            server.handler = handler;
            server.journal = journal;
            server.history = history;
            LOG.info("Local Kubernetes API server listening on {}", server.url);
            return server;
        } catch (RuntimeException e) {
            vertx.close();
            if (journal != null) {
                journal.close();
            }
            if (history != null) {
                history.close();
            }
            throw e;
        }
    }

    /**
     * One server per event loop, sharing the port. Vert.x shares a port only between servers that ask for the same
     * number, so for port 0 a free port is picked first and the bind retried if another process takes it meanwhile.
     */
    private static int listen(Vertx vertx, HttpServerOptions http, ApiHandler handler, ApiServerOptions o, Set<Thread> eventLoops) {
        Exception last = null;
        for (int attempt = 0; attempt < 10; attempt++) {
            int port = o.port() != 0 ? o.port() : freePort(o.host());
            try {
                vertx.deployVerticle(() -> new ServerVerticle(new HttpServerOptions(http).setPort(port), handler, eventLoops),
                        new DeploymentOptions().setInstances(o.eventLoops())).await();
                return port;
            } catch (Exception e) {
                // await() rethrows the bind's own failure, a checked BindException among them
                last = e;
                if (o.port() != 0) {
                    break;
                }
                LOG.debug("port {} was taken meanwhile, trying another", port, e);
            }
        }
        throw new IllegalStateException("cannot listen on " + o.host() + ":" + o.port() + ": " + last.getMessage()
                + (o.port() != 0 ? " (is another server on that port? pick another or 0 for a free one)" : ""), last);
    }

    private static int freePort(String host) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(false);
            s.bind(new InetSocketAddress(host, 0));
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free port on " + host, e);
        }
    }

    private static final class ServerVerticle extends VerticleBase {
        private final HttpServerOptions options;
        private final ApiHandler handler;

        private final Set<Thread> eventLoops;

        ServerVerticle(HttpServerOptions options, ApiHandler handler, Set<Thread> eventLoops) {
            this.options = options;
            this.handler = handler;
            this.eventLoops = eventLoops;
        }

        @Override
        public Future<?> start() {
            eventLoops.add(Thread.currentThread());
            HttpServer server = vertx.createHttpServer(options).requestHandler(handler);
            return server.listen();
        }
    }

    private static void bootstrap(Store store, Admission admission) {
        for (String ns : new String[] {"default", "kube-system", "kube-public", "kube-node-lease"}) {
            ObjectNode o = Json.object();
            Json.metadata(o).put("name", ns);
            store.create(ResourceTypes.NAMESPACES, admission.prepareCreate(ResourceTypes.NAMESPACES, "", o));
        }
        // the kubernetes service every cluster has, at the first address of the service range
        ObjectNode kubernetes = Json.object();
        Json.metadata(kubernetes).put("name", "kubernetes");
        Json.metadata(kubernetes).putObject("labels").put("component", "apiserver").put("provider", "kubernetes");
        ObjectNode spec = kubernetes.putObject("spec");
        spec.put("clusterIP", Services.KUBERNETES_SERVICE_IP);
        spec.putArray("ports").addObject().put("name", "https").put("port", 443).put("protocol", "TCP").put("targetPort", 6443);
        store.create(ResourceTypes.SERVICES, admission.prepareCreate(ResourceTypes.SERVICES, "default", kubernetes));
        String[][] classes = {
            {"system-node-critical", "2000001000", "Used for system critical pods that must not be moved from their current node."},
            {"system-cluster-critical", "2000000000", "Used for system critical pods that must run in the cluster, but can be moved to another node if necessary."}};
        for (String[] c : classes) {
            ObjectNode o = Json.object();
            Json.metadata(o).put("name", c[0]);
            o.put("value", Long.parseLong(c[1]));
            o.put("description", c[2]);
            store.create(ResourceTypes.PRIORITY_CLASSES, admission.prepareCreate(ResourceTypes.PRIORITY_CLASSES, "", o));
        }
    }

    /** {@code http://127.0.0.1:PORT}. */
    public String url() {
        return url;
    }

    public int port() {
        return port;
    }

    /** Writes a kubeconfig whose current context points at {@link #url()} (namespace default, no credentials). */
    public Path writeKubeconfig(Path file) {
        String yaml = """
                apiVersion: v1
                kind: Config
                clusters:
                - name: fairway-sandbox
                  cluster:
                    server: %s
                contexts:
                - name: fairway-sandbox
                  context:
                    cluster: fairway-sandbox
                    namespace: default
                    user: fairway-sandbox
                current-context: fairway-sandbox
                preferences: {}
                users:
                - name: fairway-sandbox
                  user: {}
                """.formatted(url);
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(file, yaml, StandardCharsets.UTF_8);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write kubeconfig " + file, e);
        }
    }

    /** Objects stored, all kinds together (including the namespaces and priority classes present at start). */
    public long objectCount() {
        return store.objectCount();
    }

    /** CPU time the server's event-loop threads have used so far, or -1 where the JVM does not measure it. */
    /**
     * Starts recording every resource request served (from now on, replacing what was recorded); for tests that check
     * which verbs a client uses, e.g. against RBAC rules.
     */
    public void recordRequests() {
        handler.recordInto(new ConcurrentLinkedQueue<>());
    }

    /** The requests recorded since {@link #recordRequests}, in the order they were served. */
    public List<ApiRequest> requests() {
        Queue<ApiRequest> q = handler.recorded();
        return q == null ? List.of() : List.copyOf(q);
    }

    /** The threads that serve requests and watches (for accounting where a benchmark's CPU went). */
    public Set<Thread> eventLoopThreads() {
        return Set.copyOf(eventLoops);
    }

    long eventLoopCpuNanos() {
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        if (!mx.isThreadCpuTimeSupported()) {
            return -1;
        }
        long sum = 0;
        for (Thread t : eventLoops) {
            long n = mx.getThreadCpuTime(t.threadId());
            if (n > 0) {
                sum += n;
            }
        }
        return sum;
    }

    Store store() {
        return store;
    }

    /** The current (latest) resourceVersion. */
    public long resourceVersion() {
        return store.resourceVersion();
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        vertx.cancelTimer(bookmarkTimer);
        store.closeWatchers();
        Future<Void> f = vertx.close();
        if (Vertx.currentContext() == null) {
            try {
                f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                LOG.warn("the local API server did not stop cleanly", e);
            }
            closeFiles();
        } else {
            f.onComplete(x -> closeFiles());
        }
        LOG.debug("Local Kubernetes API server {} stopped", url);
    }

    private void closeFiles() {
        if (journal != null) {
            journal.close();
        }
        if (history != null) {
            history.close();
        }
    }
}
