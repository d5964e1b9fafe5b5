package io.fairway.ui;

import io.fairway.core.state.ClusterState;
import io.fairway.core.state.ConfigChange;
import java.util.List;

/**
 * The queue config in force: its version (the ConfigMap's resourceVersion), when it took effect, and its text.
 *
 * @param latestVersion the newest version the log saw, valid or not: what a write must start from (after a rejected
 *                      config it is newer than {@code version})
 */
public record ConfigView(String version, long appliedAt, String yaml, String latestVersion) {
    static ConfigView of(ClusterState s) {
        String latest = s.configSeenVersion().isEmpty() ? s.configVersion() : s.configSeenVersion();
        return new ConfigView(s.configVersion(), s.configAppliedAt(), s.configText(), latest);
    }

    /** Every version the log saw (the newest {@link ClusterState#CONFIG_HISTORY}), newest first. */
    public record History(List<ConfigChange> entries) {
        static History of(ClusterState s) {
            return new History(s.configHistory().reversed());
        }
    }
}
