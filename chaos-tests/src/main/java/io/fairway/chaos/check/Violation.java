package io.fairway.chaos.check;

import java.util.Map;

/**
 * An invariant that did not hold, with its evidence: what (pod, node, queue), when (times, offsets) and who (the
 * request's sender).
 */
public record Violation(String invariant, String message, Map<String, Object> evidence) {
    public Violation {
        evidence = Map.copyOf(evidence);
    }

    @Override
    public String toString() {
        return invariant + ": " + message + " " + evidence;
    }
}
