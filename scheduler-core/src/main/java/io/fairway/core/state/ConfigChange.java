package io.fairway.core.state;

/**
 * One version of the queue config as the log saw it: whether it was applied or rejected (and why), and who wrote it
 * when it came through the console. The console's write and the watcher's observation of the ConfigMap reach the log
 * in either order; both fill the same entry, found by version.
 *
 * @param time    event time of the first of the two
 * @param outcome {@link #APPLIED}, {@link #REJECTED}, or {@link #REQUESTED} while only the console's write is known
 * @param reason  why it was rejected; empty otherwise
 * @param author  the console user who wrote it, empty when it came from elsewhere (kubectl, a deploy)
 */
public record ConfigChange(long time, String version, String outcome, String reason, String author) {
    public static final String APPLIED = "applied";
    public static final String REJECTED = "rejected";
    public static final String REQUESTED = "requested";

    ConfigChange observed(String outcome, String reason) {
        return new ConfigChange(time, version, outcome, reason, author);
    }

    ConfigChange by(String author) {
        return new ConfigChange(time, version, outcome, reason, author);
    }
}
