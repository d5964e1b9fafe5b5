package io.fairway.ui.yunikorn;

/** YuniKorn writes times as Unix nanoseconds; Fairway's event and creation times are Unix milliseconds. */
final class Times {
    private Times() {
    }

    static long nanos(long millis) {
        return millis * 1_000_000L;
    }
}
