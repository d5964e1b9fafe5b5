package io.fairway.core.resources;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Kubernetes resource quantities ({@code 500m}, {@code 10Gi}, {@code 100M}, {@code 1.5}, {@code 1e3}) to longs.
 *
 * <p>cpu is held in millicores, everything else in base units (bytes, counts). Values round up, as
 * Kubernetes does, so that a request never shrinks.
 */
public final class Quantity {
    private static final Pattern FORMAT =
            Pattern.compile("^([+-]?[0-9]+(?:\\.[0-9]*)?|[+-]?\\.[0-9]+)(?:([eE][+-]?[0-9]+)|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E))?$");
    private static final BigDecimal MAX = BigDecimal.valueOf(Long.MAX_VALUE);

    private Quantity() {
    }

    /** Parses a quantity for the named resource; cpu comes back in millicores. */
    public static long parse(String resource, String text) {
        BigDecimal value = parseDecimal(text);
        if (value.signum() < 0) {
            throw new IllegalArgumentException("quantity '" + text + "' for " + resource + " is negative");
        }
        if (ResourceNames.CPU == ResourceNames.id(resource)) {
            value = value.movePointRight(3);
        }
        BigDecimal rounded = value.setScale(0, RoundingMode.CEILING);
        if (rounded.compareTo(MAX) > 0) {
            throw new IllegalArgumentException("quantity '" + text + "' for " + resource + " is too large");
        }
        return rounded.longValueExact();
    }

    /** The exact decimal value of a quantity, in base units. */
    public static BigDecimal parseDecimal(String text) {
        if (text == null) {
            throw new IllegalArgumentException("quantity is missing");
        }
        String trimmed = text.trim();
        Matcher m = FORMAT.matcher(trimmed);
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a quantity (examples: 500m, 1.5, 10Gi, 100M)");
        }
        BigDecimal number = new BigDecimal(m.group(1).startsWith(".") || m.group(1).startsWith("+.")
                || m.group(1).startsWith("-.") ? m.group(1).replace(".", "0.") : m.group(1));
        if (m.group(2) != null) {
            int exponent = Integer.parseInt(m.group(2).substring(1));
            if (Math.abs(exponent) > 30) {
                throw new IllegalArgumentException("'" + text + "' has an exponent out of range");
            }
            return number.scaleByPowerOfTen(exponent);
        }
        String suffix = m.group(3);
        if (suffix == null) {
            return number;
        }
        return switch (suffix) {
            case "Ki" -> number.multiply(new BigDecimal(BigInteger.ONE.shiftLeft(10)));
            case "Mi" -> number.multiply(new BigDecimal(BigInteger.ONE.shiftLeft(20)));
            case "Gi" -> number.multiply(new BigDecimal(BigInteger.ONE.shiftLeft(30)));
            case "Ti" -> number.multiply(new BigDecimal(BigInteger.ONE.shiftLeft(40)));
            case "Pi" -> number.multiply(new BigDecimal(BigInteger.ONE.shiftLeft(50)));
            case "Ei" -> number.multiply(new BigDecimal(BigInteger.ONE.shiftLeft(60)));
            case "n" -> number.scaleByPowerOfTen(-9);
            case "u" -> number.scaleByPowerOfTen(-6);
            case "m" -> number.scaleByPowerOfTen(-3);
            case "k" -> number.scaleByPowerOfTen(3);
            case "M" -> number.scaleByPowerOfTen(6);
            case "G" -> number.scaleByPowerOfTen(9);
            case "T" -> number.scaleByPowerOfTen(12);
            case "P" -> number.scaleByPowerOfTen(15);
            case "E" -> number.scaleByPowerOfTen(18);
            default -> throw new IllegalStateException(suffix);
        };
    }

    /** A short, exact rendering for people: cpu as cores or millicores, memory with the largest exact suffix. */
    public static String format(int resourceId, long value) {
        if (resourceId == ResourceNames.CPU) {
            if (value % 1000 == 0) {
                return Long.toString(value / 1000);
            }
            return value + "m";
        }
        if (resourceId == ResourceNames.MEMORY || resourceId == ResourceNames.EPHEMERAL_STORAGE) {
            if (value == 0) {
                return "0";
            }
            String best = Long.toString(value);
            String[] binary = {"Ei", "Pi", "Ti", "Gi", "Mi", "Ki"};
            for (int i = 0; i < binary.length; i++) {
                long unit = 1L << (10 * (binary.length - i));
                if (value % unit == 0) {
                    best = shorter(best, value / unit + binary[i]);
                    break;
                }
            }
            String[] decimal = {"E", "P", "T", "G", "M", "k"};
            long unit = 1_000_000_000_000_000_000L;
            for (String s : decimal) {
                if (value % unit == 0) {
                    best = shorter(best, value / unit + s);
                    break;
                }
                unit /= 1000;
            }
            return best;
        }
        return Long.toString(value);
    }

    private static String shorter(String a, String b) {
        return b.length() < a.length() ? b : a;
    }
}
