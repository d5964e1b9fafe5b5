package io.fairway.core.config;

/** Partition-level preemption switches; null means "not set", YuniKorn's default then applies. */
public record PreemptionConfig(Boolean enabled, Boolean quotaPreemptionEnabled) {
    public static final PreemptionConfig DEFAULT = new PreemptionConfig(null, null);
}
