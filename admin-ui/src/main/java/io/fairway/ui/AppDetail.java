package io.fairway.ui;

import io.fairway.core.state.AppState;
import io.fairway.core.state.ClusterState;
import io.fairway.core.state.NodeState;
import io.fairway.core.state.PodState;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** One app with every pod it has, sorted by namespace and name. */
public record AppDetail(AppView app, String requestedQueue, long submissionTime, List<PodView> pods) {
    static AppDetail of(ClusterState s, AppState a) {
        List<PodView> pods = new ArrayList<>();
        for (PodState p : podsOf(s, a)) {
            pods.add(PodView.of(p));
        }
        pods.sort(Comparator.comparing(PodView::namespace).thenComparing(PodView::name).thenComparing(PodView::uid));
        return new AppDetail(AppView.of(a), a.requestedQueue(), a.submissionTime(), List.copyOf(pods));
    }

    /**
     * The state indexes pods by uid only. An app's waiting and placed pods are found through its asks and the nodes
     * it uses, which change only with the app; only an app with finished pods needs the walk of every pod, whose map
     * changes shape with every pod in the cluster and so often races the apply thread.
     */
    private static List<PodState> podsOf(ClusterState s, AppState a) {
        List<PodState> found = new ArrayList<>(a.pendingAsks());
        for (String name : a.nodesInUse().keySet()) {
            NodeState n = s.node(name);
            for (String uid : n == null ? List.<String>of() : n.pods()) {
                PodState p = s.pod(uid);
                if (p != null && p.role() == PodState.Role.PLACED && p.pod().appId().equals(a.appId())) {
                    found.add(p);
                }
            }
        }
        if (found.size() >= a.podCount()) {
            return found;
        }
        List<PodState> all = new ArrayList<>();
        for (PodState p : s.pods()) {
            if (p.isOurs() && p.pod().appId().equals(a.appId())) {
                all.add(p);
            }
        }
        return all;
    }
}
