package io.fairway.core.scheduler;

import io.fairway.core.state.NodeState;

/**
 * A node predicate, as kube-scheduler's Filter plugins: it says whether the pod may go on the node, and if not,
 * why, in the words {@code kubectl describe pod} would use ("Insufficient cpu"). {@link NodeIndex} is given its
 * filters by a {@link NodeFilters} registry.
 */
interface NodeFilter {
    /** The kube-scheduler plugin name of the concern ("TaintToleration"), for logs and tests; never in a reason. */
    String name();

    /**
     * @param used what the node already holds, committed and in flight
     * @return null when the node passes, else the reason (a shared string: no allocation on the hot path)
     */
    String reject(NodeAsk ask, NodeState node, long[] used);
}
