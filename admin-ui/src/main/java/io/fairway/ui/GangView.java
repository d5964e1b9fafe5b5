package io.fairway.ui;

import io.fairway.core.state.AppState;
import io.fairway.core.state.Gang;
import java.util.List;

/**
 * Where an app's gang reservation stands; status {@code NONE} and no groups for an app without task groups.
 *
 * @param groups per task group: free reserved slots, slots taken by members, members still waiting
 */
public record GangView(String status, String reason, List<Gang.GroupCount> groups) {
    static GangView of(AppState app) {
        Gang g = app.gang();
        if (g.status() == Gang.Status.RESERVED && app.status() == AppState.Status.COMPLETED) {
            // every member finished: what it still holds on paper is nobody's room any more
            return new GangView("COMPLETED", "every member finished", List.copyOf(g.counts(app)));
        }
        return new GangView(g.status().name(), g.reason(), List.copyOf(g.counts(app)));
    }
}
