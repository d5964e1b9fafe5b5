package io.fairway.core.scheduler;

import io.fairway.core.resources.ResourceNames;
import io.fairway.core.resources.Resources;
import io.fairway.core.state.NodeState;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Every requested resource fits in what is left, extended resources included (kube-scheduler's NodeResourcesFit). */
final class ResourcesFilter implements NodeFilter {
    static final ResourcesFilter INSTANCE = new ResourcesFilter();
    private static final Map<Integer, String> INSUFFICIENT = new ConcurrentHashMap<>();

    private ResourcesFilter() {
    }

    @Override
    public String name() {
        return "NodeResourcesFit";
    }

    @Override
    public String reject(NodeAsk ask, NodeState node, long[] used) {
        Resources req = ask.requests();
        Resources allocatable = node.node().allocatable();
        int short_ = -1;
        for (int i = 0, n = req.size(); i < n; i++) {
            long need = req.valueAt(i);
            if (need == 0) {
                continue;
            }
            int id = req.idAt(i);
            long u = id < used.length ? used[id] : 0L;
            // Of several short resources the reason names the one first by name: ids are JVM-local.
            if (u + need > allocatable.get(id)
                    && (short_ < 0 || ResourceNames.name(id).compareTo(ResourceNames.name(short_)) < 0)) {
                short_ = id;
            }
        }
        return short_ < 0 ? null : INSUFFICIENT.computeIfAbsent(short_, k -> "Insufficient " + ResourceNames.name(k));
    }
}
