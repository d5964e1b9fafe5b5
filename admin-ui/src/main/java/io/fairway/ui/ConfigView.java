package io.fairway.ui;

import io.fairway.core.state.ClusterState;
import io.fairway.core.state.ConfigChange;
import java.util.List;

/** The queue config in force: its version (the ConfigMap's resourceVersion), when it took effect, and its text. */
public record ConfigView(String version, long appliedAt, String yaml) {
    static ConfigView of(ClusterState s) {
        return new ConfigView(s.configVersion(), s.configAppliedAt(), s.configText());
    }

    /** Every version the log saw (the newest {@link ClusterState#CONFIG_HISTORY}), newest first. */
    public record History(List<ConfigChange> entries) {
        static History of(ClusterState s) {
            return new History(s.configHistory().reversed());
        }
    }
}
