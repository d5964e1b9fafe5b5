package io.fairway.core.config;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as Go's {@code time.ParseDuration} reads them ({@code 10s}, {@code 1m30s}, {@code 500ms}, {@code 1.5h}),
 * because YuniKorn queue properties such as {@code preemption.delay} are written that way.
 */
public final class GoDuration {
    private static final String NUMBER = "(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)";
    // µ is written twice in Go: the micro sign and the Greek letter mu.
    private static final String UNIT = "(?:ns|us|\u00b5s|\u03bcs|ms|s|m|h)";
    private static final Pattern WHOLE = Pattern.compile("[-+]?(?:0|(?:" + NUMBER + UNIT + ")+)");
    private static final Pattern PART = Pattern.compile("(" + NUMBER + ")(" + UNIT + ")");
    private static final BigDecimal MAX_NANOS = BigDecimal.valueOf(Long.MAX_VALUE);

    private GoDuration() {
    }

    /** Parses a Go duration; throws IllegalArgumentException naming the text when it is not one. */
    public static Duration parse(String text) {
        if (text == null || !WHOLE.matcher(text).matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a duration (examples: 10s, 1m30s, 500ms, 2h)");
        }
        BigDecimal nanos = BigDecimal.ZERO;
        Matcher m = PART.matcher(text);
        while (m.find()) {
            nanos = nanos.add(new BigDecimal(m.group(1).startsWith(".") ? "0" + m.group(1) : m.group(1))
                    .multiply(BigDecimal.valueOf(unitNanos(m.group(2)))));
        }
        if (nanos.compareTo(MAX_NANOS) > 0) {
            throw new IllegalArgumentException("'" + text + "' is too long a duration (at most about 292 years)");
        }
        long n = nanos.longValue();
        return Duration.ofNanos(text.startsWith("-") ? -n : n);
    }

    private static long unitNanos(String unit) {
        return switch (unit) {
            case "ns" -> 1L;
            case "us", "\u00b5s", "\u03bcs" -> 1_000L;
            case "ms" -> 1_000_000L;
            case "s" -> 1_000_000_000L;
            case "m" -> 60_000_000_000L;
            case "h" -> 3_600_000_000_000L;
            default -> throw new IllegalStateException(unit);
        };
    }

    /** Milliseconds as Go would write them, shortest form: {@code 15m}, {@code 1m30s}, {@code 500ms}. */
    public static String format(long millis) {
        if (millis % 1000 != 0) {
            return millis + "ms";
        }
        long sec = millis / 1000;
        StringBuilder b = new StringBuilder();
        if (sec >= 3600) {
            b.append(sec / 3600).append('h');
            sec %= 3600;
        }
        if (sec >= 60) {
            b.append(sec / 60).append('m');
            sec %= 60;
        }
        if (sec > 0 || b.isEmpty()) {
            b.append(sec).append('s');
        }
        return b.toString();
    }
}
