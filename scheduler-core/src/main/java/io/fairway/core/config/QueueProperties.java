package io.fairway.core.config;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The queue properties YuniKorn knows, their allowed values, and how a child inherits them from its parents.
 * Other keys are allowed and kept as written (YuniKorn accepts arbitrary properties).
 */
public final class QueueProperties {
    public static final String APPLICATION_SORT_POLICY = "application.sort.policy";
    public static final String APPLICATION_SORT_PRIORITY = "application.sort.priority";
    public static final String PRIORITY_POLICY = "priority.policy";
    public static final String PRIORITY_OFFSET = "priority.offset";
    public static final String PREEMPTION_POLICY = "preemption.policy";
    public static final String PREEMPTION_DELAY = "preemption.delay";
    public static final String QUOTA_PREEMPTION_DELAY = "quota.preemption.delay";
    /**
     * Fairway's, read on root: {@code reserve} (the default) keeps pods that need no accelerator off GPU and FPGA
     * nodes while other nodes fit; {@code shared} lets them use any node.
     */
    public static final String ACCELERATOR_NODES = "fairway.accelerator.nodes";

    private static final Map<String, List<String>> CHOICES = Map.of(
            APPLICATION_SORT_POLICY, List.of("fifo", "fair"),
            APPLICATION_SORT_PRIORITY, List.of("enabled", "disabled"),
            PRIORITY_POLICY, List.of("default", "fence"),
            PREEMPTION_POLICY, List.of("default", "fence", "disabled"),
            ACCELERATOR_NODES, List.of("reserve", "shared"));

    private QueueProperties() {
    }

    /**
     * The value that applies to the last queue of {@code pathFromRoot} ({@code [root, …, queue]}): its own, else
     * the nearest ancestor's, else null. As in YuniKorn, three values do not pass down: a child of a queue with
     * {@code priority.policy: fence} or a {@code priority.offset} gets the defaults ({@code default}, {@code 0}),
     * because a fence and an offset belong to the queue that sets them; and only {@code preemption.policy:
     * disabled} passes down, any other ancestor value reads as {@code default}.
     */
    public static String effective(List<QueueConfig> pathFromRoot, String key) {
        for (int i = pathFromRoot.size() - 1; i >= 0; i--) {
            String value = pathFromRoot.get(i).properties().get(key);
            if (value != null) {
                return i == pathFromRoot.size() - 1 ? value : inherited(key, value);
            }
        }
        return null;
    }

    private static String inherited(String key, String value) {
        return switch (key) {
            case PRIORITY_POLICY -> "default";
            case PRIORITY_OFFSET -> "0";
            case PREEMPTION_POLICY -> "disabled".equalsIgnoreCase(value) ? "disabled" : "default";
            default -> value;
        };
    }

    /** What is wrong with a property value, with what to write instead; null when the value is fine. */
    static String problem(String key, String value) {
        List<String> choices = CHOICES.get(key);
        if (choices != null) {
            // An empty value means "not set" to YuniKorn, which then uses the default.
            if (value.isEmpty() || choices.contains(value.toLowerCase(Locale.ROOT))) {
                return null;
            }
            return "property " + key + " '" + value + "' is not known; use " + String.join(" or ", choices);
        }
        return switch (key) {
            case PRIORITY_OFFSET -> checkInt32(key, value);
            case PREEMPTION_DELAY -> checkDuration(key, value, false);
            case QUOTA_PREEMPTION_DELAY -> checkDuration(key, value, true);
            default -> null;
        };
    }

    private static String checkInt32(String key, String value) {
        try {
            Integer.parseInt(value);
            return null;
        } catch (NumberFormatException e) {
            return "property " + key + " '" + value + "' is not a whole number from " + Integer.MIN_VALUE
                    + " to " + Integer.MAX_VALUE + "; write e.g. 100 or -100";
        }
    }

    private static String checkDuration(String key, String value, boolean zeroAllowed) {
        Duration d;
        try {
            d = GoDuration.parse(value);
        } catch (IllegalArgumentException e) {
            return "property " + key + " " + e.getMessage() + "; write a duration with a unit, like 30s";
        }
        if (d.isNegative() || (!zeroAllowed && d.isZero())) {
            // YuniKorn ignores such a delay and silently uses its default: better to say so now.
            return "property " + key + " '" + value + "' must be " + (zeroAllowed ? "0 or more" : "more than 0")
                    + "; write a duration like 30s";
        }
        return null;
    }
}
