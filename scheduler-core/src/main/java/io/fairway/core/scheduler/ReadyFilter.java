package io.fairway.core.scheduler;

import io.fairway.core.state.NodeState;

/** The node is ready and not cordoned (kube-scheduler's NodeUnschedulable, with readiness first). */
final class ReadyFilter implements NodeFilter {
    static final ReadyFilter INSTANCE = new ReadyFilter();
    static final String NOT_READY = "node(s) were not ready";
    static final String UNSCHEDULABLE = "node(s) were unschedulable";

    private ReadyFilter() {
    }

    @Override
    public String name() {
        return "NodeUnschedulable";
    }

    @Override
    public String reject(NodeAsk ask, NodeState node, long[] used) {
        if (!node.node().ready()) {
            return NOT_READY;
        }
        return node.node().unschedulable() ? UNSCHEDULABLE : null;
    }
}
