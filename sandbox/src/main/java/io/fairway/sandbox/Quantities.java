package io.fairway.sandbox;

import java.math.BigDecimal;
import java.math.RoundingMode;

/** Kubernetes quantities to and from plain numbers, for the few forms the sandbox writes and reads. */
public final class Quantities {
    private static final long KI = 1024L;
    private static final long MI = KI * 1024;
    private static final long GI = MI * 1024;
    private static final long TI = GI * 1024;

    private Quantities() {
    }

    /** Millicores as a cpu quantity: {@code 2000 → "2"}, {@code 500 → "500m"}. */
    public static String cpu(long millis) {
        return millis % 1000 == 0 ? Long.toString(millis / 1000) : millis + "m";
    }

    /** Bytes as a memory quantity in the largest binary unit that divides it: {@code 4 GiB → "4Gi"}. */
    public static String memory(long bytes) {
        if (bytes != 0 && bytes % TI == 0) {
            return bytes / TI + "Ti";
        }
        if (bytes != 0 && bytes % GI == 0) {
            return bytes / GI + "Gi";
        }
        if (bytes != 0 && bytes % MI == 0) {
            return bytes / MI + "Mi";
        }
        if (bytes != 0 && bytes % KI == 0) {
            return bytes / KI + "Ki";
        }
        return Long.toString(bytes);
    }

    /** A cpu quantity ({@code "2"}, {@code "1.5"}, {@code "250m"}) in millicores. */
    public static long parseCpu(String q) {
        String s = q.trim();
        if (s.endsWith("m")) {
            return Long.parseLong(s.substring(0, s.length() - 1));
        }
        return new BigDecimal(s).movePointRight(3).longValueExact();
    }

    /** A memory quantity ({@code "4Gi"}, {@code "512Mi"}, {@code "1G"}, {@code "1024"}) in bytes. */
    public static long parseMemory(String q) {
        String s = q.trim();
        String[][] units = {{"Ki", "1024"}, {"Mi", Long.toString(MI)}, {"Gi", Long.toString(GI)}, {"Ti", Long.toString(TI)},
            {"k", "1000"}, {"K", "1000"}, {"M", "1000000"}, {"G", "1000000000"}, {"T", "1000000000000"}};
        for (String[] u : units) {
            if (s.endsWith(u[0])) {
                return new BigDecimal(s.substring(0, s.length() - u[0].length())).multiply(new BigDecimal(u[1]))
                        .setScale(0, RoundingMode.CEILING).longValueExact();
            }
        }
        try {
            return new BigDecimal(s).setScale(0, RoundingMode.CEILING).longValueExact();
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a memory quantity: " + q);
        }
    }
}
