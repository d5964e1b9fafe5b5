package io.fairway.ha;

import java.time.Duration;
import java.util.Objects;

/**
 * The lease the replicas compete for (coordination.k8s.io/v1 {@code Lease} {@code namespace/name}) and its timings,
 * as kube-scheduler's {@code --leader-elect-*} flags, though not quite with their meaning (see {@link LeaderElection}).
 * The defaults were chosen by measurement ({@code fairway bench failover}, docs/ha.md): the lease as short as a leader
 * can renew it reliably with every core saturated by other work, since fencing (the decision writer's transactional
 * epoch, the leader epoch in every decision) keeps a deposed leader's late work out of the log.
 *
 * @param leaseDuration how long a lease holds without renewal: a standby takes over once it has seen the lease
 *                      unchanged this long (default 700 ms)
 * @param renewDeadline the leader decides, binds and appends observations only while its last successful renewal
 *                      started less than this long ago; past it, it holds them until a renewal succeeds, and keeps the
 *                      lead (default 500 ms)
 * @param retryPeriod   how often the leader renews; a standby reads the lease every few periods besides watching it
 *                      (default 100 ms)
 */
public record ElectionOptions(String namespace, String name, Duration leaseDuration, Duration renewDeadline,
                              Duration retryPeriod) {
    public static final String DEFAULT_NAMESPACE = "fairway";
    public static final String DEFAULT_NAME = "fairway-leader";
    public static final Duration DEFAULT_LEASE = Duration.ofMillis(700);
    public static final Duration DEFAULT_RENEW_DEADLINE = Duration.ofMillis(500);
    public static final Duration DEFAULT_RETRY_PERIOD = Duration.ofMillis(100);

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
        return new ElectionOptions(DEFAULT_NAMESPACE, DEFAULT_NAME, DEFAULT_LEASE, DEFAULT_RENEW_DEADLINE,
                DEFAULT_RETRY_PERIOD);
    }

    public ElectionOptions withLease(String newNamespace, String newName) {
        return new ElectionOptions(newNamespace, newName, leaseDuration, renewDeadline, retryPeriod);
    }

    public ElectionOptions withTimings(Duration lease, Duration renew, Duration retry) {
        return new ElectionOptions(namespace, name, lease, renew, retry);
    }
}
