package io.fairway.k8s;

import java.time.Duration;
import java.util.Objects;

/**
 * What the watcher watches.
 *
 * @param schedulerName   pods whose {@code spec.schedulerName} is this are Fairway's to schedule (all pods are
 *                        observed: the others use their node's room); default {@value #DEFAULT_SCHEDULER_NAME}
 * @param configNamespace namespace of the queue ConfigMap; default {@value #DEFAULT_CONFIG_NAMESPACE}
 * @param configName      name of the queue ConfigMap, whose key {@value #CONFIG_KEY} holds YuniKorn's
 *                        {@code queues.yaml}; default {@value #DEFAULT_CONFIG_NAME}
 * @param resync          informer resync period; zero for none (the default: the log, not a resync, is the truth)
 * @param syncTimeout     how long {@link ClusterWatcher#start} waits for the first full list of each kind
 */
public record WatcherOptions(String schedulerName, String configNamespace, String configName, Duration resync,
                             Duration syncTimeout) {
    public static final String DEFAULT_SCHEDULER_NAME = "fairway";
    public static final String DEFAULT_CONFIG_NAMESPACE = "fairway";
    public static final String DEFAULT_CONFIG_NAME = "fairway-queues";
    /** The key YuniKorn reads its queue config from. */
    public static final String CONFIG_KEY = "queues.yaml";

    public WatcherOptions {
        Objects.requireNonNull(schedulerName, "schedulerName");
        Objects.requireNonNull(configNamespace, "configNamespace");
        Objects.requireNonNull(configName, "configName");
        if (resync == null || resync.isNegative()) {
            throw new IllegalArgumentException("resync must be zero or positive, not " + resync);
        }
        if (syncTimeout == null || syncTimeout.isNegative() || syncTimeout.isZero()) {
            throw new IllegalArgumentException("syncTimeout must be positive, not " + syncTimeout);
        }
    }

    public static WatcherOptions defaults() {
        return new WatcherOptions(DEFAULT_SCHEDULER_NAME, DEFAULT_CONFIG_NAMESPACE, DEFAULT_CONFIG_NAME, Duration.ZERO,
                Duration.ofSeconds(60));
    }

    public WatcherOptions withSchedulerName(String v) {
        return new WatcherOptions(v, configNamespace, configName, resync, syncTimeout);
    }

    public WatcherOptions withConfigMap(String namespace, String name) {
        return new WatcherOptions(schedulerName, namespace, name, resync, syncTimeout);
    }

    public WatcherOptions withSyncTimeout(Duration v) {
        return new WatcherOptions(schedulerName, configNamespace, configName, resync, v);
    }
}
