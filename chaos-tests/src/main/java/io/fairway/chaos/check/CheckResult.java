package io.fairway.chaos.check;

import java.util.List;

/** What the checker found: the violations with their evidence, and the run's counts. */
public record CheckResult(List<Violation> violations, Counts counts) {
    public CheckResult {
        violations = List.copyOf(violations);
    }

    /** Counts over the whole run. */
    public static final class Counts {
        public long podsCreated;
        public long podsBound;
        public long podsDeleted;
        public long podsWaiting;
        public long podsLost;
        public long bindingsSent;
        public long bindingsAccepted;
        /** Bindings from a deposed leader the API server refused, while it was held or within the grace. */
        public long fencedAttempts;
        /** Bindings from a deposed leader that landed, delivered late from a time it was held (same node). */
        public long lateBindingsLanded;
        public long leaderElections;
    }
}
