package io.fairway.k8s;

import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** What the binder and the evictor do alike with a request to the API server: when to retry, how long to wait. */
final class ApiRequests {
    /** The longest wait between two attempts: a leader must not sit on a bind or a deletion for long. */
    private static final long MAX_BACKOFF_MILLIS = 5_000;

    private ApiRequests() {
    }

    /** 429, 5xx and no answer at all (code 0) may pass on a retry; 403 (RBAC), 422 (invalid) and the like cannot. */
    static boolean retriable(int code) {
        return code == 429 || code >= 500 || code == 0;
    }

    /** An attempt that failed, for the log and the outcome. */
    static String failure(int code, String message) {
        return (code == 0 ? "no answer" : "HTTP " + code) + ": " + message;
    }

    /** Why a request got no answer: the timeout, or what the client threw. */
    static String noAnswer(Exception e, long timeoutMillis) {
        return e instanceof TimeoutException ? "no answer within " + timeoutMillis + " ms" : String.valueOf(e.getCause());
    }

    /** The URL of a pod, or of one of its subresources ({@code ""}, {@code "/binding"}), on the client's API server. */
    static String podUrl(KubernetesClient client, String namespace, String name, String subresource) {
        String base = client.getMasterUrl().toString();
        return base + (base.endsWith("/") ? "" : "/") + "api/v1/namespaces/" + namespace + "/pods/" + name + subresource;
    }

    /** The message of a Kubernetes Status answer, else the answer itself (shortened). */
    static String statusMessage(KubernetesClient client, String answer) {
        if (answer == null || answer.isBlank()) {
            return "(no message)";
        }
        try {
            Status st = client.getKubernetesSerialization().unmarshal(answer, Status.class);
            if (st != null && st.getMessage() != null) {
                return st.getMessage();
            }
        } catch (RuntimeException e) {
            // not a Status: say what came
        }
        return answer.length() > 300 ? answer.substring(0, 300) + "…" : answer;
    }

    /** Waits up to {@code grace} for the requests in flight, then stops the rest. */
    static void close(ExecutorService executor, Duration grace) {
        executor.shutdown();
        try {
            if (!executor.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            executor.shutdownNow();
        }
    }

    /**
     * Jittered exponential backoff between the attempts of one request (half the wait plus up to half again at
     * random), doubling up to 5 s, so that many requests refused at once do not come back at once.
     */
    static final class Backoff {
        private long next;

        Backoff(Duration first) {
            next = Math.max(1, first.toMillis());
        }

        void pause() throws InterruptedException {
            long sleep = next / 2 + ThreadLocalRandom.current().nextLong(next / 2 + 1);
            TimeUnit.MILLISECONDS.sleep(sleep);
            next = Math.min(next * 2, MAX_BACKOFF_MILLIS);
        }
    }
}
