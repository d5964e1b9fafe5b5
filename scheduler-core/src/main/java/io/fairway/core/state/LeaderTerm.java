package io.fairway.core.state;

/**
 * One leader's term as the log tells it: from its {@code LeaderElected} (event time {@code since}) until the next one.
 * The state keeps the newest few, so that the console shows who led when, and every fail-over.
 */
public record LeaderTerm(long epoch, String replica, long since) {
}
