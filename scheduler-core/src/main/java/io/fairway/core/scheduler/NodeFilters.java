package io.fairway.core.scheduler;

import java.util.List;

/**
 * The registry of node filters {@link NodeIndex} applies, in the order they are asked (the first that rejects a node
 * names the reason).
 *
 * @param perGroup    filters that read only what nodes of one group share (readiness and schedulability, taints, the
 *                    values of the labels pending pods select on): asked once per group of alike nodes, on a sample
 * @param perNode     the filter that reads the node's usage: asked per node, after the group passed
 * @param preferences soft filters, tried in order, for pods that need an accelerator: the tightest node that a
 *                    preference holds for before the tightest of all
 */
record NodeFilters(List<NodeFilter> perGroup, NodeFilter perNode, List<NodePreference> preferences) {
    /**
     * kube-scheduler's order (NodeUnschedulable, TaintToleration, NodeAffinity, then NodeResourcesFit), so that the
     * counts in a reason read as users know them from {@code kubectl describe}. A topology domain is a node selector
     * on the domain's label ({@link TopologyDomain#constrain}), so {@link SelectorFilter} checks it.
     */
    static final NodeFilters DEFAULT = new NodeFilters(
            List.of(ReadyFilter.INSTANCE, TaintFilter.INSTANCE, SelectorFilter.INSTANCE),
            ResourcesFilter.INSTANCE,
            List.of(FpgaProgrammed.INSTANCE));

    NodeFilters {
        perGroup = List.copyOf(perGroup);
        preferences = List.copyOf(preferences);
    }
}
