package io.fairway.sandbox.kubelet;

/**
 * Counters of {@link SimulatedKubelets} since they started, for a demo's summary.
 *
 * @param nodes         nodes served now
 * @param podsStarted   pods moved to {@code Running}
 * @param podsSucceeded pods moved to {@code Succeeded}
 * @param podsFailed    pods moved to {@code Failed} (non-zero {@value PodLifecycle#EXIT_CODE})
 * @param podsRunning   pods running now (started, not finished, not deleted)
 * @param podsForgotten pods that stopped being this process's before it finished them: deleted, their node gone,
 *                      or finished by another writer
 * @param writeErrors   status writes that failed and were retried or given up
 */
public record KubeletStats(int nodes, long podsStarted, long podsSucceeded, long podsFailed, long podsRunning,
                           long podsForgotten, long writeErrors) {

    /** Pods finished, successfully or not. */
    public long podsFinished() {
        return podsSucceeded + podsFailed;
    }
}
