package io.fairway.core.config;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Collects every problem of one config instead of stopping at the first, so that a user fixes a file in one round.
 * The prefix says which document the lines refer to (the inner {@code queues.yaml} of a ConfigMap).
 */
final class Problems {
    private final String prefix;
    private final List<ConfigProblem> found = new ArrayList<>();

    Problems(String prefix) {
        this.prefix = prefix;
    }

    void add(String where, int line, String message) {
        found.add(new ConfigProblem(prefix + where, line, message));
    }

    void addAll(Problems other) {
        found.addAll(other.found);
    }

    int size() {
        return found.size();
    }

    boolean isEmpty() {
        return found.isEmpty();
    }

    /** In file order, so a reader can walk down the file; problems without a line come first. */
    List<ConfigProblem> sorted() {
        List<ConfigProblem> out = new ArrayList<>(found);
        out.sort(Comparator.comparingInt(ConfigProblem::line));
        return out;
    }
}
