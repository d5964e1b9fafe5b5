package io.fairway.sandbox.kubelet;

import java.time.Duration;
import java.util.Objects;

/**
 * How {@link SimulatedKubelets} behave.
 *
 * @param startDelay          how long a pod bound to a node stays {@code Pending} before it is {@code Running}
 *                            (image pull and container start). Default 1 s; {@link Duration#ZERO} starts pods at once.
 * @param defaultRunTime      how long a pod without a valid {@value PodLifecycle#RUN_SECONDS} annotation runs before it
 *                            succeeds. Default {@code null}: such pods run until deleted.
 * @param parallelism         the most status writes (and deletes) in flight at once. Default 32.
 * @param heartbeatInterval   how often each node renews its {@code Lease} in {@code kube-node-lease} (as kubelets do
 *                            every 10 s). Default {@link Duration#ZERO}: no leases.
 * @param deleteFinishedAfter how long a finished ({@code Succeeded}/{@code Failed}) pod is kept before the kubelet
 *                            deletes it, like a Job's {@code ttlSecondsAfterFinished}, to keep a long demo's API server
 *                            small. Default {@code null}: finished pods are kept.
 * @param stopTime            how long a pod's containers take to stop after a graceful deletion (its
 *                            {@code deletionTimestamp} set) before the kubelet deletes it for good; never longer than
 *                            the pod's grace period. Default 1 s.
 */
public record KubeletOptions(Duration startDelay, Duration defaultRunTime, int parallelism, Duration heartbeatInterval,
                             Duration deleteFinishedAfter, Duration stopTime) {

    public KubeletOptions {
        Objects.requireNonNull(startDelay, "startDelay");
        Objects.requireNonNull(heartbeatInterval, "heartbeatInterval");
        Objects.requireNonNull(stopTime, "stopTime");
        if (startDelay.isNegative() || heartbeatInterval.isNegative() || stopTime.isNegative()
                || (defaultRunTime != null && defaultRunTime.isNegative())
                || (deleteFinishedAfter != null && deleteFinishedAfter.isNegative())) {
            throw new IllegalArgumentException("kubelet durations must not be negative");
        }
        if (parallelism < 1) {
            throw new IllegalArgumentException("parallelism must be >= 1");
        }
    }

    /**
     * The defaults: start after 1 s, run forever without the annotation, 32 writes in flight, no leases, keep finished
     * pods, containers stop 1 s after a graceful deletion.
     */
    public static KubeletOptions defaults() {
        return new KubeletOptions(Duration.ofSeconds(1), null, 32, Duration.ZERO, null, Duration.ofSeconds(1));
    }

    /** These options with another {@link #startDelay()}. */
    public KubeletOptions withStartDelay(Duration d) {
        return new KubeletOptions(d, defaultRunTime, parallelism, heartbeatInterval, deleteFinishedAfter, stopTime);
    }

    /** These options with another {@link #defaultRunTime()} ({@code null}: forever). */
    public KubeletOptions withDefaultRunTime(Duration d) {
        return new KubeletOptions(startDelay, d, parallelism, heartbeatInterval, deleteFinishedAfter, stopTime);
    }

    /** These options with another {@link #parallelism()}. */
    public KubeletOptions withParallelism(int p) {
        return new KubeletOptions(startDelay, defaultRunTime, p, heartbeatInterval, deleteFinishedAfter, stopTime);
    }

    /** These options with another {@link #heartbeatInterval()} ({@link Duration#ZERO}: no leases). */
    public KubeletOptions withHeartbeatInterval(Duration d) {
        return new KubeletOptions(startDelay, defaultRunTime, parallelism, d, deleteFinishedAfter, stopTime);
    }

    /** These options with another {@link #deleteFinishedAfter()} ({@code null}: keep finished pods). */
    public KubeletOptions withDeleteFinishedAfter(Duration d) {
        return new KubeletOptions(startDelay, defaultRunTime, parallelism, heartbeatInterval, d, stopTime);
    }

    /** These options with another {@link #stopTime()}. */
    public KubeletOptions withStopTime(Duration d) {
        return new KubeletOptions(startDelay, defaultRunTime, parallelism, heartbeatInterval, deleteFinishedAfter, d);
    }
}
