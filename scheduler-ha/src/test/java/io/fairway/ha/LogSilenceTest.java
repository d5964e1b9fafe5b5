package io.fairway.ha;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What counts as the log not answering, on made-up nanosecond clocks (origin 1,000 s so that no time is 0). */
class LogSilenceTest {
    private static final long T0 = 1_000_000_000_000L;
    private static final long MS = 1_000_000L;

    @Test
    void noCallWaitingIsNoSilenceHoweverLongSinceTheLastAnswer() {
        // a replica whose probe sleeps, or that has not asked yet, is not cut off
        assertThat(LogSilence.nanos(T0 + 60_000 * MS, T0, 0, 0)).isZero();
        assertThat(LogSilence.nanos(T0 + 60_000 * MS, 0, 0)).isZero();
    }

    @Test
    void anUnansweredCallCountsFromItsStart() {
        assertThat(LogSilence.nanos(T0 + 2_500 * MS, T0 - 10_000 * MS, T0 + 100 * MS, 0)).isEqualTo(2_400 * MS);
    }

    @Test
    void theOldestOfSeveralUnansweredCallsCounts() {
        assertThat(LogSilence.nanos(T0 + 3_000 * MS, 0, T0 + 500 * MS, T0 + 200 * MS)).isEqualTo(2_800 * MS);
        assertThat(LogSilence.nanos(T0 + 3_000 * MS, 0, T0 + 200 * MS, T0 + 500 * MS)).isEqualTo(2_800 * MS);
    }

    @Test
    void aSlowCallIsNotSilenceWhileTheLogAnswersOtherCalls() {
        // taking the lead has waited 5 s on a cold broker, but the probe was answered 100 ms ago
        long now = T0 + 5_000 * MS;
        assertThat(LogSilence.nanos(now, now - 100 * MS, 0, T0)).isEqualTo(100 * MS);
    }

    @Test
    void callsThatFailedSinceTheLastAnswerKeepCounting() {
        // the probe's first failed call started at T0 and it has had no answer since: 4 s of silence
        assertThat(LogSilence.nanos(T0 + 4_000 * MS, T0 - 250 * MS, T0, 0)).isEqualTo(4_000 * MS);
    }

    @Test
    void aClockOriginBelowZeroIsHandled() {
        long origin = -5_000 * MS;
        assertThat(LogSilence.nanos(origin + 3_000 * MS, origin - 1_000 * MS, origin + 1_000 * MS, 0))
                .isEqualTo(2_000 * MS);
    }
}
