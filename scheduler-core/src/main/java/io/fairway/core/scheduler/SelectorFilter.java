package io.fairway.core.scheduler;

import io.fairway.core.state.NodeState;
import java.util.Map;

/**
 * {@code nodeSelector} and required node affinity (kube-scheduler's NodeAffinity); also a pod's topology domain, which
 * {@link TopologyDomain#constrain} writes as a selector on the domain's label.
 */
final class SelectorFilter implements NodeFilter {
    static final SelectorFilter INSTANCE = new SelectorFilter();
    static final String SELECTOR = "node(s) didn't match Pod's node affinity/selector";

    private SelectorFilter() {
    }

    @Override
    public String name() {
        return "NodeAffinity";
    }

    @Override
    public String reject(NodeAsk ask, NodeState node, long[] used) {
        Map<String, String> labels = node.node().labels();
        for (Map.Entry<String, String> e : ask.nodeSelector().entrySet()) {
            if (!e.getValue().equals(labels.get(e.getKey()))) {
                return SELECTOR;
            }
        }
        return ask.affinity().matches(labels) ? null : SELECTOR;
    }
}
