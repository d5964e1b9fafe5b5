package io.fairway.k8s;

/** A token bucket: {@code qps} tokens a second, up to {@code burst} saved; {@link #acquire} waits for one. */
final class RateLimiter {
    private final double qps;
    private final double burst;
    private double tokens;
    private long last = System.nanoTime();

    RateLimiter(double qps, int burst) {
        this.qps = qps;
        this.burst = burst;
        this.tokens = burst;
    }

    void acquire() throws InterruptedException {
        if (qps <= 0) {
            return;
        }
        long waitNanos;
        synchronized (this) {
            long now = System.nanoTime();
            tokens = Math.min(burst, tokens + (now - last) / 1e9 * qps);
            last = now;
            tokens -= 1;
            // a debt: this caller waits until the bucket has refilled it
            waitNanos = tokens >= 0 ? 0 : (long) (-tokens / qps * 1e9);
        }
        if (waitNanos > 0) {
            Thread.sleep(waitNanos / 1_000_000, (int) (waitNanos % 1_000_000));
        }
    }
}
