package io.fairway.ha;

import java.time.Duration;
import java.util.Objects;

/**
 * The lease the replicas compete for (coordination.k8s.io/v1 {@code Lease} {@code namespace/name}) and its timings,
 * as kube-scheduler's {@code --leader-elect-*} flags.
 *
 * @param leaseDuration how long a lease holds without renewal: a standby takes over this long after the leader's
 *                      last renewal (default 2 s)
 * @param renewDeadline how long the leader keeps trying to renew before it gives up leading; it also stops binding
 *                      once this long has passed since its last successful renewal (default 1.5 s)
 * @param retryPeriod   how often the leader renews and a standby tries to acquire (default 250 ms)
 */
public record ElectionOptions(String namespace, String name, Duration leaseDuration, Duration renewDeadline,
                              Duration retryPeriod) {
    public static final String DEFAULT_NAMESPACE = "fairway";
    public static final String DEFAULT_NAME = "fairway-leader";

    public ElectionOptions {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(name, "name");
        if (namespace.isBlank() || name.isBlank()) {
            throw new IllegalArgumentException("the lease needs a namespace and a name, not '" + namespace + "/"
                    + name + "'");
        }
        if (retryPeriod.isNegative() || retryPeriod.isZero()) {
            throw new IllegalArgumentException("lease retry period " + retryPeriod + " must be positive");
        }
        if (renewDeadline.compareTo(retryPeriod) <= 0) {
            throw new IllegalArgumentException("lease renew deadline " + renewDeadline
                    + " must be longer than the retry period " + retryPeriod);
        }
        if (leaseDuration.compareTo(renewDeadline) <= 0) {
            throw new IllegalArgumentException("lease duration " + leaseDuration
                    + " must be longer than the renew deadline " + renewDeadline
                    + ": a leader must give up before a standby may take over");
        }
    }

    public static ElectionOptions defaults() {
        return new ElectionOptions(DEFAULT_NAMESPACE, DEFAULT_NAME, Duration.ofSeconds(2), Duration.ofMillis(1500),
                Duration.ofMillis(250));
    }

    public ElectionOptions withLease(String newNamespace, String newName) {
        return new ElectionOptions(newNamespace, newName, leaseDuration, renewDeadline, retryPeriod);
    }

    public ElectionOptions withTimings(Duration lease, Duration renew, Duration retry) {
        return new ElectionOptions(namespace, name, lease, renew, retry);
    }
}
