package io.fairway.core.objects;

import java.util.List;
import java.util.Map;

/** One requirement of a required node affinity term: {@code key operator values}. */
public record NodeSelectorRequirement(String key, Operator operator, List<String> values) {
    public NodeSelectorRequirement {
        values = List.copyOf(values);
    }

    public enum Operator { In, NotIn, Exists, DoesNotExist, Gt, Lt }

    public boolean matches(Map<String, String> labels) {
        String v = labels.get(key);
        return switch (operator) {
            case In -> v != null && values.contains(v);
            case NotIn -> v == null || !values.contains(v);
            case Exists -> v != null;
            case DoesNotExist -> v == null;
            case Gt -> compare(v) > 0;
            case Lt -> compare(v) < 0;
        };
    }

    /** Gt/Lt compare integers; a missing or non-integer label never matches. */
    private int compare(String label) {
        if (label == null || values.size() != 1) {
            return 0;
        }
        try {
            return Long.compare(Long.parseLong(label), Long.parseLong(values.getFirst()));
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
