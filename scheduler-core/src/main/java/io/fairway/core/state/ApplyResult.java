package io.fairway.core.state;

/**
 * What {@link ClusterState#apply} did with an event. An event that does not fit the state (a decision for a pod
 * that is gone, an observation older than the one held) is ignored and says why; it is never an exception.
 */
public record ApplyResult(boolean applied, String reason) {
    public static final ApplyResult APPLIED = new ApplyResult(true, "");

    public static ApplyResult ignored(String reason) {
        return new ApplyResult(false, reason);
    }
}
