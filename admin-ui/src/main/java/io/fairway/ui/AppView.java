package io.fairway.ui;

import io.fairway.core.state.AppState;
import java.util.Map;

/**
 * An application as lists show it.
 *
 * @param running   pods placed on a node; {@code pending} pods waiting; {@code completed} pods that finished
 * @param rejection why the app cannot be scheduled, empty when it can
 */
public record AppView(
        String id,
        String queue,
        String user,
        String state,
        String rejection,
        int running,
        int pending,
        int completed,
        Map<String, Long> allocated,
        Map<String, Long> pendingResources,
        GangView gang) {

    static AppView of(AppState a) {
        return new AppView(a.appId(), a.queue(), a.user(), a.status().name(), a.rejection(), a.placedPods(),
                a.pendingPods(), a.completedPods(), Amounts.of(a.allocated()), Amounts.of(a.pendingResources()),
                GangView.of(a));
    }
}
