package io.fairway.ui;

import io.fairway.core.state.AppState;
import io.fairway.core.state.ClusterState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Apps the state no longer holds, kept for the console for a retention the operator sets: the state drops an app with
 * its last pod, so a finished Spark job would vanish from the lists the moment its executors are deleted. An app is
 * copied once, with its pods, when it finishes (their stories do not change after that); one deleted while it still
 * ran keeps its last list entry, as {@code DELETED}. Used by the applying thread only.
 */
final class FinishedApps {
    /** The default of {@code console.finishedAppRetention}. */
    static final Duration DEFAULT_RETENTION = Duration.ofHours(1);

    private final Duration retention;
    /** Finished apps still in the state: their copy, taken when they finished. */
    private final Map<String, AppDetail> finishing = new HashMap<>();
    /** The apps of the previous view, for those deleted before they finished. */
    private Map<String, AppView> previous = Map.of();
    private final Map<String, Kept> kept = new LinkedHashMap<>();

    /** An app gone from the state, and when it went. */
    record Kept(AppDetail detail, long goneAtMillis) {
    }

    FinishedApps(Duration retention) {
        this.retention = retention;
    }

    /** Notes what finished and what left the state since the last call; returns the apps kept now, oldest first. */
    Map<String, Kept> update(ClusterState s, List<AppView> live, long nowMillis) {
        Set<String> present = new HashSet<>();
        Map<String, AppView> byId = new HashMap<>();
        for (AppView v : live) {
            present.add(v.id());
            byId.put(v.id(), v);
        }
        for (AppState a : s.apps().values()) {
            boolean done = a.status() == AppState.Status.COMPLETED || a.status() == AppState.Status.FAILED;
            if (done && !finishing.containsKey(a.appId())) {
                finishing.put(a.appId(), AppDetail.of(s, a));
            } else if (!done) {
                // running again (a new pod of the same app id): its copy would be stale
                finishing.remove(a.appId());
            }
        }
        for (Map.Entry<String, AppView> e : previous.entrySet()) {
            if (present.contains(e.getKey())) {
                continue;
            }
            AppDetail copy = finishing.remove(e.getKey());
            if (copy == null) {
                AppView v = e.getValue();
                copy = new AppDetail(new AppView(v.id(), v.queue(), v.user(), "DELETED", v.rejection(), 0, 0,
                        v.completed(), Map.of(), Map.of(), v.gang()), "", 0, List.of());
            }
            kept.remove(e.getKey());
            kept.put(e.getKey(), new Kept(copy, nowMillis));
        }
        // an app id that comes back is live again
        present.forEach(kept::remove);
        finishing.keySet().retainAll(present);
        long oldest = nowMillis - retention.toMillis();
        kept.values().removeIf(k -> k.goneAtMillis() < oldest);
        previous = byId;
        return Map.copyOf(kept);
    }

    /** The kept apps' list entries, in id order. */
    static List<AppView> views(Map<String, Kept> kept) {
        List<AppView> out = new ArrayList<>();
        for (Kept k : kept.values()) {
            out.add(k.detail().app());
        }
        out.sort(Comparator.comparing(AppView::id));
        return out;
    }
}
