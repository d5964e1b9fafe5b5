package io.fairway.ha;

/**
 * How long the log has left this replica without an answer: from the start of the oldest call still unanswered, or
 * from the log's last answer to any call if that came later. Time between calls and before the first call is not
 * silence, and a slow answer to one call does not count while other calls are answered: a busy machine or a broker
 * creating its topics is slow, not gone, and must not cost a fail-over.
 */
final class LogSilence {
    private LogSilence() {
    }

    /**
     * @param now          {@link System#nanoTime()} now
     * @param lastAnswer   when the log last answered any call of this replica (nanoTime)
     * @param pendingSince when each caller's oldest unanswered call started (nanoTime), {@code 0} for a caller with
     *                     none
     * @return nanoseconds of silence, {@code 0} when no call waits
     */
    static long nanos(long now, long lastAnswer, long... pendingSince) {
        long oldest = 0;
        for (long since : pendingSince) {
            if (since != 0 && (oldest == 0 || since - oldest < 0)) {
                oldest = since;
            }
        }
        if (oldest == 0) {
            return 0;
        }
        long from = lastAnswer - oldest > 0 ? lastAnswer : oldest;
        return Math.max(0, now - from);
    }
}
