package io.fairway.k8s;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.http.HttpResponse;
import java.time.Clock;
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
 * Carries out committed preemptions on the cluster: deletes each victim gracefully (its own
 * {@code terminationGracePeriodSeconds}, so its containers get their SIGTERM and their time), with a uid precondition
 * so that a new pod of the same name is never deleted, and tells both sides in Events: {@code Preempted} (Warning) on
 * each victim, {@code Preempting} (Normal) on the preemptor.
 *
 * <p>A victim already being deleted (a new leader re-issues the deletions of the last one) is left to finish, and not
 * told twice. 404 and a failed uid precondition mean the victim is gone. 429, 5xx and I/O errors are retried with
 * backoff, as the {@link Binder} retries binds; other refusals (403: RBAC lacks {@code pods delete}) are not. Requests
 * run on their own virtual threads, never on the caller's, and only while {@code mayEvict} says this replica leads.
 */
public final class Evictor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Evictor.class);
    /** The Warning Event reason on a victim, as kube-scheduler writes it. */
    public static final String PREEMPTED = "Preempted";
    /** The Normal Event reason on the preemptor. */
    public static final String PREEMPTING = "Preempting";

    /** A pod, by the names the API server knows it by and the uid it must still have. */
    public record PodRef(String namespace, String name, String uid) {
        public String key() {
            return namespace + "/" + name;
        }
    }

    /** How an eviction ended. */
    public sealed interface Outcome permits Terminating, Gone, Failed, Withdrawn {
        String podUid();
    }

    /** The victim is being deleted: by this request, or already ({@code already}, nothing was sent). */
    public record Terminating(String podUid, boolean already, int attempts) implements Outcome {
    }

    /** The victim was gone already, or its name belongs to another pod now: nothing to delete. */
    public record Gone(String podUid, String why) implements Outcome {
    }

    /** The victim could not be deleted; the reason says why, for the log and a later retry. */
    public record Failed(String podUid, String reason) implements Outcome {
    }

    /** Not sent: this replica may not act now (its lease is not known valid), or the evictions were withdrawn. */
    public record Withdrawn(String podUid, String reason) implements Outcome {
    }

    private final KubernetesClient client;
    private final BinderOptions options;
    private final Clock clock;
    private final BooleanSupplier mayEvict;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final Semaphore inFlight;
    private final RateLimiter limiter;
    private final AtomicLong generation = new AtomicLong();
    private final AtomicLong deleted = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final long requestTimeoutMillis;

    /**
     * @param options  parallelism, rate and retries, as the binder's
     * @param mayEvict asked just before each request: false (the lease is not known valid) withdraws the eviction
     */
    public Evictor(KubernetesClient client, BinderOptions options, Clock clock, BooleanSupplier mayEvict) {
        this.client = client;
        this.options = options;
        this.clock = clock;
        this.mayEvict = mayEvict;
        int configured = client.getConfiguration().getRequestTimeout();
        this.requestTimeoutMillis = configured > 0 ? configured : 10_000;
        this.inFlight = new Semaphore(options.parallelism());
        this.limiter = new RateLimiter(options.qps(), options.burst());
    }

    /**
     * Deletes {@code victim} (on {@code node}, for the log) gracefully and, when this request started its deletion,
     * writes the Warning Event {@value #PREEMPTED} with {@code message} on it.
     */
    public CompletableFuture<Outcome> evict(PodRef victim, String node, String message) {
        CompletableFuture<Outcome> result = new CompletableFuture<>();
        long gen = generation.get();
        executor.execute(() -> {
            try {
                inFlight.acquire();
                try {
                    Outcome o = evictNow(victim, node, message, gen);
                    switch (o) {
                        case Terminating t when !t.already() -> deleted.incrementAndGet();
                        case Failed f -> failed.incrementAndGet();
                        default -> {
                        }
                    }
                    result.complete(o);
                } finally {
                    inFlight.release();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                result.complete(new Withdrawn(victim.uid(), "the evictor was stopped before deleting"));
            } catch (RuntimeException e) {
                LOG.warn("deleting victim {} on node {} failed unexpectedly", victim.key(), node, e);
                result.complete(new Failed(victim.uid(), "unexpected error: " + e));
            }
        });
        return result;
    }

    /** Writes the Normal Event {@value #PREEMPTING} with {@code message} on the preemptor, in the background. */
    public void preempting(PodRef preemptor, String message) {
        executor.execute(() -> {
            if (mayEvict.getAsBoolean()) {
                KubeEvents.normal(client, podObject(preemptor), PREEMPTING, message, clock);
            }
        });
    }

    /** Drops every eviction not yet sent (they complete as {@link Withdrawn}); for a leader that stops leading. */
    public void withdrawPending() {
        generation.incrementAndGet();
    }

    private Outcome evictNow(PodRef victim, String node, String message, long gen) throws InterruptedException {
        ApiRequests.Backoff backoff = new ApiRequests.Backoff(options.backoff());
        String lastError = "";
        for (int attempt = 1; attempt <= options.maxAttempts(); attempt++) {
            limiter.acquire();
            if (gen != generation.get()) {
                return new Withdrawn(victim.uid(), "withdrawn: this replica stopped leading");
            }
            if (!mayEvict.getAsBoolean()) {
                return new Withdrawn(victim.uid(), "not sent: this replica's lease is not known valid");
            }
            int code;
            String answer;
            try {
                Pod current = client.pods().inNamespace(victim.namespace()).withName(victim.name()).get();
                if (current == null) {
                    return new Gone(victim.uid(), "pod " + victim.key() + " is gone");
                }
                if (!victim.uid().equals(current.getMetadata().getUid())) {
                    return new Gone(victim.uid(), "pod " + victim.key() + " is another pod now (uid "
                            + current.getMetadata().getUid() + ")");
                }
                if (current.getMetadata().getDeletionTimestamp() != null) {
                    // a previous leader's deletion, or someone else's: it is on its way out already
                    return new Terminating(victim.uid(), true, attempt);
                }
                HttpResponse<String> resp = client.getHttpClient().sendAsync(client.getHttpClient()
                                .newHttpRequestBuilder().uri(podUrl(victim))
                                .delete("application/json", deleteOptions(victim.uid())).build(), String.class)
                        .get(requestTimeoutMillis, TimeUnit.MILLISECONDS);
                code = resp.code();
                answer = resp.body();
            } catch (KubernetesClientException e) {
                code = e.getCode();
                answer = e.getMessage();
            } catch (ExecutionException | TimeoutException e) {
                code = 0;
                answer = ApiRequests.noAnswer(e, requestTimeoutMillis);
            }
            if (code >= 200 && code < 300) {
                KubeEvents.warning(client, podObject(victim), PREEMPTED, message, clock);
                return new Terminating(victim.uid(), false, attempt);
            }
            String why = statusMessage(answer);
            if (code == 404) {
                return new Gone(victim.uid(), "pod " + victim.key() + " is gone (404 on delete)");
            }
            if (code == 409) {
                // the uid precondition failed: the name belongs to a new pod, which is not ours to delete
                return new Gone(victim.uid(), "pod " + victim.key() + " was replaced: " + why);
            }
            if (!ApiRequests.retriable(code)) {
                LOG.error("deleting preempted pod {} on node {} was refused with {}: {} (does Fairway's role allow "
                        + "pods delete?)", victim.key(), node, code, why);
                return new Failed(victim.uid(), "the API server refused the deletion (" + code + "): " + why);
            }
            lastError = ApiRequests.failure(code, why);
            if (attempt < options.maxAttempts()) {
                LOG.warn("deleting preempted pod {} on node {} failed (attempt {} of {}, will retry): {}",
                        victim.key(), node, attempt, options.maxAttempts(), lastError);
                backoff.pause();
            }
        }
        LOG.error("giving up deleting preempted pod {} on node {} after {} attempts: {}", victim.key(), node,
                options.maxAttempts(), lastError);
        return new Failed(victim.uid(), "not deleted after " + options.maxAttempts() + " attempts, last: " + lastError);
    }

    /**
     * No grace period of our own: the API server applies the pod's {@code terminationGracePeriodSeconds}, as for
     * kube-scheduler's preemption. The uid precondition makes the API server refuse (409) to delete a successor.
     */
    private static String deleteOptions(String uid) {
        return "{\"kind\":\"DeleteOptions\",\"apiVersion\":\"v1\",\"preconditions\":{\"uid\":\"" + uid + "\"}}";
    }

    private String podUrl(PodRef p) {
        return ApiRequests.podUrl(client, p.namespace(), p.name(), "");
    }

    /** Enough of a pod for an Event's involvedObject, without reading it. */
    private static Pod podObject(PodRef p) {
        return new PodBuilder().withNewMetadata().withNamespace(p.namespace()).withName(p.name()).withUid(p.uid())
                .endMetadata().build();
    }

    private String statusMessage(String answer) {
        return ApiRequests.statusMessage(client, answer);
    }

    /** Victims whose deletion this evictor started. */
    public long deletedCount() {
        return deleted.get();
    }

    /** Evictions given up (refused, or out of retries). */
    public long failedCount() {
        return failed.get();
    }

    /** True once {@link #close} has run: it takes no more deletions. */
    public boolean isClosed() {
        return executor.isShutdown();
    }

    /** Waits up to 10 s for the deletions in flight, then stops. */
    @Override
    public void close() {
        ApiRequests.close(executor, Duration.ofSeconds(10));
    }
}
