package io.fairway.ui;

import io.fairway.core.state.AppState;
import io.fairway.core.state.QueueState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A queue with its subtree. Allocated, pending and apps by state cover the whole subtree, as the state keeps
 * allocated and pending.
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
        List<QueueView> children) {

    static QueueView of(QueueState q) {
        List<QueueView> children = new ArrayList<>();
        for (QueueState c : q.children()) {
            children.add(of(c));
        }
        return new QueueView(q.fullName(), q.isLeaf(), q.isDynamic(), Amounts.of(q.guaranteed()), Amounts.of(q.max()),
                Amounts.of(q.allocated()), Amounts.of(q.pending()), AppsByState.count(appsBelow(q, new ArrayList<>())),
                List.copyOf(children));
    }

    private static List<AppState> appsBelow(QueueState q, List<AppState> into) {
        into.addAll(q.apps().values());
        for (QueueState c : q.children()) {
            appsBelow(c, into);
        }
        return into;
    }
}
