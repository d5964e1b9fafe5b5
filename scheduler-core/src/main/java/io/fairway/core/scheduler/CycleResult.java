package io.fairway.core.scheduler;

import io.fairway.core.events.Decision;
import java.util.List;

/**
 * What one scheduling cycle decided.
 *
 * @param capped true when the cycle stopped at its allocation limit with work left, so another should run at once
 */
public record CycleResult(List<Decision> decisions, int allocations, int unschedulable, int asksTried, boolean capped) {
    public CycleResult {
        decisions = List.copyOf(decisions);
    }
}
