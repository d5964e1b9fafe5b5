package io.fairway.ui;

import io.fairway.core.objects.Node;
import io.fairway.core.objects.Taint;
import io.fairway.core.state.NodeState;
import java.util.List;
import java.util.Map;

/** A node, what it offers and what is placed on it. Schedulable means ready and not cordoned. */
public record NodeView(
        String name,
        Map<String, Long> capacity,
        Map<String, Long> allocatable,
        Map<String, Long> allocated,
        Map<String, String> labels,
        List<TaintView> taints,
        boolean ready,
        boolean unschedulable,
        boolean schedulable,
        int pods) {

    public record TaintView(String key, String value, String effect) {
    }

    static NodeView of(NodeState n) {
        Node node = n.node();
        List<TaintView> taints = node.taints().stream()
                .map((Taint t) -> new TaintView(t.key(), t.value(), t.effect())).toList();
        return new NodeView(n.name(), Amounts.of(node.capacity()), Amounts.of(node.allocatable()),
                Amounts.of(n.allocated()), node.labels(), taints, node.ready(), node.unschedulable(),
                n.isSchedulable(), n.pods().size());
    }
}
