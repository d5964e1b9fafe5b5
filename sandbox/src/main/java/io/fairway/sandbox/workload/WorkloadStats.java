package io.fairway.sandbox.workload;

import java.util.Map;

/**
 * Counters of a {@link WorkloadGenerator}, for a demo's summary.
 *
 * @param appsSubmitted     applications submitted (their first pods due)
 * @param appsByKind        the same, by kind
 * @param podsCreated       pods the API server accepted
 * @param createErrors      pod creations that failed (already exists, rejected, unreachable)
 * @param executorsDeleted  Spark executor pods deleted because their driver ended
 * @param sparkAppsAllocating Spark applications still to ask for executors (waiting for their driver, or in batches)
 */
public record WorkloadStats(int appsSubmitted, Map<AppKind, Integer> appsByKind, long podsCreated, long createErrors,
                            long executorsDeleted, int sparkAppsAllocating) {

    public WorkloadStats {
        appsByKind = Map.copyOf(appsByKind);
    }
}
