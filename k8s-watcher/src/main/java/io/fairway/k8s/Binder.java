package io.fairway.k8s;

import io.fabric8.kubernetes.api.model.Binding;
import io.fabric8.kubernetes.api.model.BindingBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Binds pods to nodes through the API server ({@code POST pods/binding}), for allocations already committed to the
 * log. A pod found already bound to the chosen node counts as bound (a new leader re-issues the binds of the last
 * one); bound elsewhere, replaced (another uid) or gone is a failure the leader turns into a released allocation.
 * 429, 5xx and I/O errors are retried with backoff; a bind's outcome is always reported, never dropped.
 */
public final class Binder implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Binder.class);

    /** How a bind ended. */
    public sealed interface Outcome permits Bound, Failed, Withdrawn {
        String podUid();
    }

    /** The pod is on the node: by this bind, or already ({@code already}). */
    public record Bound(String podUid, String node, boolean already, int attempts) implements Outcome {
    }

    /** The pod is not on the node and this bind will not put it there; the reason says why, for the log. */
    public record Failed(String podUid, String node, String reason) implements Outcome {
    }

    /**
     * Not sent: the binds were withdrawn ({@link #withdrawPending}) or this replica may not bind now (its lease is
     * not known valid). The allocation stays committed; whoever leads re-issues it.
     */
    public record Withdrawn(String podUid, String node, String reason) implements Outcome {
    }

    /** Told of every binding request sent, for the bind latency histogram. Called on the binder's threads. */
    @FunctionalInterface
    public interface RequestTimer {
        RequestTimer NONE = (code, nanos) -> {
        };

        /**
         * @param code  the API server's answer, 0 when none came (timeout, I/O error)
         * @param nanos from the request sent to its answer (or to giving up on one)
         */
        void answered(int code, long nanos);
    }

    private final KubernetesClient client;
    private final BinderOptions options;
    private final RequestTimer timer;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final Semaphore inFlight;
    private final RateLimiter limiter;
    private final AtomicLong bound = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong withdrawn = new AtomicLong();
    private final AtomicLong generation = new AtomicLong();
    private final BooleanSupplier mayBind;
    private final long requestTimeoutMillis;
    private final String userAgent;
    private io.fabric8.kubernetes.client.http.HttpClient epochHttp;
    private long epochHttpOf;

    /** A binder that may always bind (a single replica that always leads). */
    public Binder(KubernetesClient client, BinderOptions options) {
        this(client, options, () -> true);
    }

    /**
     * @param mayBind asked just before each request is sent: false (the lease is not known valid) withdraws the bind
     */
    public Binder(KubernetesClient client, BinderOptions options, BooleanSupplier mayBind) {
        this(client, options, mayBind, RequestTimer.NONE);
    }

    /** As {@link #Binder(KubernetesClient, BinderOptions, BooleanSupplier)}, telling {@code timer} of each request. */
    public Binder(KubernetesClient client, BinderOptions options, BooleanSupplier mayBind, RequestTimer timer) {
        this.client = client;
        this.timer = timer;
        this.options = options;
        this.mayBind = mayBind;
        int configured = client.getConfiguration().getRequestTimeout();
        this.requestTimeoutMillis = configured > 0 ? configured : 10_000;
        String configuredAgent = client.getConfiguration().getUserAgent();
        this.userAgent = configuredAgent == null || configuredAgent.isBlank() ? "fairway" : configuredAgent;
        this.inFlight = new Semaphore(options.parallelism());
        this.limiter = new RateLimiter(options.qps(), options.burst());
    }

    /** Binds {@code namespace/name} (which must still be the pod {@code uid}) to {@code node}. */
    public CompletableFuture<Outcome> bind(String namespace, String name, String uid, String node) {
        return bind(namespace, name, uid, node, 0);
    }

    /**
     * As {@link #bind(String, String, String, String)} for the leader of {@code epoch}: the request's User-Agent names
     * the epoch too ({@code fairway/replica-0 epoch/3}), so that the API server's audit log tells which leader bound
     * what, and a deposed leader's late binding can be told from its successor's.
     */
    public CompletableFuture<Outcome> bind(String namespace, String name, String uid, String node, long epoch) {
        io.fabric8.kubernetes.client.http.HttpClient http = httpFor(epoch);
        CompletableFuture<Outcome> result = new CompletableFuture<>();
        long gen = generation.get();
        executor.execute(() -> {
            try {
                inFlight.acquire();
                try {
                    Outcome o = bindNow(namespace, name, uid, node, gen, http);
                    switch (o) {
                        case Bound b -> bound.incrementAndGet();
                        case Failed f -> failed.incrementAndGet();
                        case Withdrawn w -> withdrawn.incrementAndGet();
                    }
                    result.complete(o);
                } finally {
                    inFlight.release();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                result.complete(new Failed(uid, node, "the binder was stopped before binding"));
            } catch (RuntimeException e) {
                result.complete(new Failed(uid, node, "unexpected error: " + e));
            }
        });
        return result;
    }

    /**
     * Drops every bind not yet sent (they complete as {@link Withdrawn}); a request already sent cannot be recalled.
     * For a leader that stops leading: it must not bind any more.
     */
    public void withdrawPending() {
        generation.incrementAndGet();
    }

    private Outcome bindNow(String namespace, String name, String uid, String node, long gen,
                            io.fabric8.kubernetes.client.http.HttpClient http) throws InterruptedException {
        Binding binding = new BindingBuilder()
                .withNewMetadata().withName(name).withNamespace(namespace).withUid(uid).endMetadata()
                .withNewTarget().withApiVersion("v1").withKind("Node").withName(node).endTarget()
                .build();
        String body = client.getKubernetesSerialization().asJson(binding);
        ApiRequests.Backoff backoff = new ApiRequests.Backoff(options.backoff());
        String lastError = "";
        for (int attempt = 1; attempt <= options.maxAttempts(); attempt++) {
            limiter.acquire();
            if (gen != generation.get()) {
                return new Withdrawn(uid, node, "withdrawn: this replica stopped leading");
            }
            if (!mayBind.getAsBoolean()) {
                return new Withdrawn(uid, node, "not sent: this replica's lease is not known valid");
            }
            int code;
            String answer;
            long sent = System.nanoTime();
            try {
                HttpResponse<String> resp = http.sendAsync(http
                                .newHttpRequestBuilder().uri(bindingUrl(namespace, name))
                                .post("application/json", body).build(), String.class)
                        .get(requestTimeoutMillis, TimeUnit.MILLISECONDS);
                code = resp.code();
                answer = resp.body();
            } catch (ExecutionException | TimeoutException e) {
                code = 0;
                answer = ApiRequests.noAnswer(e, requestTimeoutMillis);
            }
            timer.answered(code, System.nanoTime() - sent);
            if (code >= 200 && code < 300) {
                return new Bound(uid, node, false, attempt);
            }
            String message = statusMessage(answer);
            if (code == 409) {
                return afterConflict(namespace, name, uid, node, attempt, message);
            }
            if (code == 404) {
                return new Failed(uid, node, "pod " + namespace + "/" + name + " is gone (404 on binding)");
            }
            if (!ApiRequests.retriable(code)) {
                // 403 (RBAC), 422 (invalid): retrying cannot help
                LOG.error("binding pod {}/{} to {} was refused with {}: {}", namespace, name, node, code, message);
                return new Failed(uid, node, "the API server refused the binding (" + code + "): " + message);
            }
            lastError = ApiRequests.failure(code, message);
            if (attempt < options.maxAttempts()) {
                backoff.pause();
            }
        }
        LOG.warn("giving up binding pod {}/{} to {} after {} attempts: {}", namespace, name, node,
                options.maxAttempts(), lastError);
        return new Failed(uid, node, "no binding after " + options.maxAttempts() + " attempts, last: " + lastError);
    }

    /** 409: the pod is bound already, or it is not the pod the decision was for. Which one is in the pod. */
    private Outcome afterConflict(String namespace, String name, String uid, String node, int attempt,
                                  String conflict) {
        Pod pod;
        try {
            pod = client.pods().inNamespace(namespace).withName(name).get();
        } catch (KubernetesClientException ge) {
            return new Failed(uid, node, "binding conflicted (" + conflict + ") and the pod could not be read: "
                    + message(ge));
        }
        if (pod == null) {
            return new Failed(uid, node, "pod " + namespace + "/" + name + " is gone");
        }
        if (!uid.equals(pod.getMetadata().getUid())) {
            return new Failed(uid, node, "pod " + namespace + "/" + name + " was replaced (uid "
                    + pod.getMetadata().getUid() + ", the decision was for " + uid + ")");
        }
        String on = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
        if (node.equals(on)) {
            return new Bound(uid, node, true, attempt);
        }
        return new Failed(uid, node, on == null || on.isEmpty()
                ? "binding conflicted but the pod is not bound: " + conflict
                : "pod is already bound to " + on + " by someone else");
    }

    /**
     * {@code POST /api/v1/namespaces/{ns}/pods/{name}/binding}: the pod's binding subresource, as kube-scheduler binds
     * (RBAC {@code pods/binding create}), through fabric8's HTTP client and so with the client's credentials and TLS.
     */
    private String bindingUrl(String namespace, String name) {
        return ApiRequests.podUrl(client, namespace, name, "/binding");
    }

    private String statusMessage(String answer) {
        return ApiRequests.statusMessage(client, answer);
    }

    private static String message(KubernetesClientException e) {
        return e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage()
                : String.valueOf(e.getMessage());
    }

    public long boundCount() {
        return bound.get();
    }

    public long failedCount() {
        return failed.get();
    }

    public long withdrawnCount() {
        return withdrawn.get();
    }

    /**
     * Gets the binds of a leader of {@code epoch} ready before the first one, off the caller's thread: the epoch's
     * HTTP client built, its connection opened (a {@code GET /version}), a binding serialised once. A new leader calls
     * it as it starts taking the lead, so that its first bind does not pay for them.
     */
    public void prepare(long epoch) {
        if (epoch <= 0 || executor.isShutdown()) {
            return;
        }
        try {
            executor.execute(() -> {
                try {
                    io.fabric8.kubernetes.client.http.HttpClient http = httpFor(epoch);
                    client.getKubernetesSerialization().asJson(new BindingBuilder().withNewMetadata().withName("p")
                            .withNamespace("n").endMetadata().withNewTarget().withKind("Node").withName("x")
                            .endTarget().build());
                    http.sendAsync(http.newHttpRequestBuilder().uri(new java.net.URL(client.getMasterUrl(),
                            "version").toString()).build(), String.class).get(requestTimeoutMillis,
                            TimeUnit.MILLISECONDS);
                } catch (Exception e) {
                    LOG.debug("preparing the binds of epoch {}: {}", epoch, e.toString());
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closing
        }
    }

    /**
     * The HTTP client for a leader of {@code epoch}: fabric8 sets every request's User-Agent from its client's config,
     * so an epoch gets a client of its own (one per leadership; the previous one is closed).
     */
    private synchronized io.fabric8.kubernetes.client.http.HttpClient httpFor(long epoch) {
        if (epoch <= 0) {
            return client.getHttpClient();
        }
        if (epoch != epochHttpOf) {
            io.fabric8.kubernetes.client.http.HttpClient previous = epochHttp;
            epochHttp = io.fabric8.kubernetes.client.utils.HttpClientUtils.createHttpClient(
                    new io.fabric8.kubernetes.client.ConfigBuilder(client.getConfiguration())
                            .withUserAgent(userAgent + " epoch/" + epoch).build());
            epochHttpOf = epoch;
            if (previous != null) {
                previous.close();
            }
        }
        return epochHttp;
    }

    /** True once {@link #close} has run: it takes no more binds. */
    public boolean isClosed() {
        return executor.isShutdown();
    }

    /** Waits up to 10 s for the binds in flight, then stops; their outcomes are still reported. */
    @Override
    public void close() {
        ApiRequests.close(executor, Duration.ofSeconds(10));
        synchronized (this) {
            if (epochHttp != null) {
                epochHttp.close();
            }
        }
    }
}
