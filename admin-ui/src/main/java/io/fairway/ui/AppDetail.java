package io.fairway.ui;

import io.fairway.core.state.AppState;
import io.fairway.core.state.ClusterState;
import io.fairway.core.state.PodState;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** One app with every pod it has, sorted by namespace and name. */
public record AppDetail(AppView app, String requestedQueue, long submissionTime, List<PodView> pods) {
    static AppDetail of(ClusterState s, AppState a) {
        List<PodView> pods = new ArrayList<>();
        // The state indexes pods by uid only; an app's pods are found by walking them, which a single app page affords.
        for (PodState p : s.pods()) {
            if (p.pod().appId().equals(a.appId())) {
                pods.add(PodView.of(p));
            }
        }
        pods.sort(Comparator.comparing(PodView::namespace).thenComparing(PodView::name).thenComparing(PodView::uid));
        return new AppDetail(AppView.of(a), a.requestedQueue(), a.submissionTime(), List.copyOf(pods));
    }
}
