package io.fairway.k8s;

import java.time.Duration;

/**
 * How the binder talks to the API server.
 *
 * @param parallelism binds in flight at once (default 16)
 * @param qps         binding requests per second at most, 0 for no limit (default 0: the API server's own priority
 *                    and fairness is the limit a scheduler should meet; set it on a fragile control plane)
 * @param burst       requests allowed above {@code qps} in a burst (default 100)
 * @param maxAttempts tries of one bind through 429, 5xx and timeouts before it is reported failed (default 8)
 * @param backoff     the first retry's delay, doubled each time up to 5 s, with jitter (default 50 ms)
 */
public record BinderOptions(int parallelism, double qps, int burst, int maxAttempts, Duration backoff) {
    public BinderOptions {
        if (parallelism < 1) {
            throw new IllegalArgumentException("parallelism must be at least 1, not " + parallelism);
        }
        if (qps < 0 || Double.isNaN(qps)) {
            throw new IllegalArgumentException("qps must be 0 (no limit) or positive, not " + qps);
        }
        if (burst < 1) {
            throw new IllegalArgumentException("burst must be at least 1, not " + burst);
        }
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1, not " + maxAttempts);
        }
        if (backoff == null || backoff.isNegative()) {
            throw new IllegalArgumentException("backoff must be zero or positive, not " + backoff);
        }
    }

    public static BinderOptions defaults() {
        return new BinderOptions(16, 0, 100, 8, Duration.ofMillis(50));
    }

    public BinderOptions withParallelism(int v) {
        return new BinderOptions(v, qps, burst, maxAttempts, backoff);
    }

    public BinderOptions withRate(double newQps, int newBurst) {
        return new BinderOptions(parallelism, newQps, newBurst, maxAttempts, backoff);
    }

    public BinderOptions withRetries(int attempts, Duration firstBackoff) {
        return new BinderOptions(parallelism, qps, burst, attempts, firstBackoff);
    }
}
