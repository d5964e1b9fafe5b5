package io.fairway.ui;

import io.fairway.core.state.AppState;
import io.fairway.core.state.ClusterState;
import io.fairway.core.state.LeaderTerm;
import io.fairway.core.state.NodeState;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * What the console's lists show, copied from the state by the thread that applies the log, between two batches, and
 * published whole: readers on the HTTP threads share it without locks and never see a torn state (as Kafka's KRaft
 * publishes a {@code MetadataImage} per batch). It lags the state by at most the publisher's interval.
 *
 * @param offset the log offset the state had reached when it was copied
 * @param apps   every app, by id; {@code nodes} every node, by name
 * @param leaderTerms newest first
 * @param finishedApps apps the state no longer holds, kept for the console's retention (they are in {@code apps} too)
 */
public record ReadView(long offset, long copiedAtMillis, Summary summary, QueueView queues, List<AppView> apps,
                       List<NodeView> nodes, ConfigView config, ConfigView.History configHistory,
                       List<LeaderTerm> leaderTerms, Map<String, AppDetail> finishedApps) {
    /** Must run on the thread that changes {@code s}. */
    public static ReadView of(ClusterState s, long offset, long nowMillis) {
        List<AppView> apps = new ArrayList<>(s.apps().size());
        for (AppState a : s.apps().values()) {
            apps.add(AppView.of(a));
        }
        apps.sort(Comparator.comparing(AppView::id));
        List<NodeView> nodes = new ArrayList<>(s.nodes().size());
        for (NodeState n : s.nodes().values()) {
            nodes.add(NodeView.of(n));
        }
        nodes.sort(Comparator.comparing(NodeView::name));
        return new ReadView(offset, nowMillis, Summary.of(s, null), QueueView.of(s.queues().root(), s.capacity()),
                List.copyOf(apps), List.copyOf(nodes), ConfigView.of(s), ConfigView.History.of(s),
                s.leaderTerms().reversed(), Map.of());
    }

    /** This view with the finished apps kept, listed among the live ones. */
    ReadView withFinished(Map<String, AppDetail> finished) {
        if (finished.isEmpty()) {
            return this;
        }
        List<AppView> all = new ArrayList<>(apps);
        for (AppDetail d : finished.values()) {
            all.add(d.app());
        }
        all.sort(Comparator.comparing(AppView::id));
        return new ReadView(offset, copiedAtMillis, summary, queues, List.copyOf(all), nodes, config, configHistory,
                leaderTerms, Map.copyOf(finished));
    }
}
