package io.fairway.ui;

import io.fairway.core.state.AppState;
import io.fairway.core.state.QueueState;
import io.fairway.core.resources.ResourceCounter;
import io.fairway.core.scheduler.QueueOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A queue with its subtree. Allocated, pending and apps by state cover the whole subtree, as the state keeps
 * allocated and pending. {@code fairShare} is the dominant share the scheduler orders siblings by (of guaranteed, else
 * max, else the cluster): below 1 for a queue with a guarantee means it is owed resources.
 */
public record QueueView(
        String name,
        boolean leaf,
        boolean dynamic,
        Map<String, Long> guaranteed,
        Map<String, Long> max,
        Map<String, Long> allocated,
        Map<String, Long> pending,
        Map<String, Integer> appsByState,
        double fairShare,
        List<QueueView> children) {

    /** @param cluster the capacity a queue without guaranteed or max resources is measured against */
    static QueueView of(QueueState q, ResourceCounter cluster) {
        List<QueueView> children = new ArrayList<>();
        for (QueueState c : q.children()) {
            children.add(of(c, cluster));
        }
        return new QueueView(q.fullName(), q.isLeaf(), q.isDynamic(), Amounts.of(q.guaranteed()), Amounts.of(q.max()),
                Amounts.of(q.allocated()), Amounts.of(q.pending()), AppsByState.count(appsBelow(q, new ArrayList<>())),
                Math.round(QueueOrder.share(q, cluster) * 1e4) / 1e4, List.copyOf(children));
    }

    private static List<AppState> appsBelow(QueueState q, List<AppState> into) {
        into.addAll(q.apps().values());
        for (QueueState c : q.children()) {
            appsBelow(c, into);
        }
        return into;
    }
}
