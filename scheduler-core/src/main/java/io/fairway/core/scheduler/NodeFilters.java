package io.fairway.core.scheduler;

import io.fairway.core.objects.Pod;
import io.fairway.core.objects.Taint;
import io.fairway.core.objects.Toleration;
import io.fairway.core.resources.ResourceNames;
import io.fairway.core.resources.Resources;
import io.fairway.core.state.NodeState;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The node predicates. {@link NodeIndex} applies the static ones per group of alike nodes, resources per node. */
final class NodeFilters {
    static final String NOT_READY = "node(s) were not ready";
    static final String UNSCHEDULABLE = "node(s) were unschedulable";
    static final String SELECTOR = "node(s) didn't match Pod's node affinity/selector";

    private static final Map<Integer, String> INSUFFICIENT = new ConcurrentHashMap<>();
    private static final Map<Taint, String> UNTOLERATED = new ConcurrentHashMap<>();

    /** Node ready and not cordoned. */
    static final NodeFilter READY = (pod, node, used) -> {
        if (!node.node().ready()) {
            return NOT_READY;
        }
        return node.node().unschedulable() ? UNSCHEDULABLE : null;
    };

    /** Every requested resource fits in what is left, extended resources included. */
    static final NodeFilter RESOURCES = (pod, node, used) -> {
        Resources req = pod.requests();
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
    };

    /** {@code nodeSelector} and required node affinity. */
    static final NodeFilter SELECTOR_AND_AFFINITY = (pod, node, used) -> {
        Map<String, String> labels = node.node().labels();
        for (Map.Entry<String, String> e : pod.nodeSelector().entrySet()) {
            if (!e.getValue().equals(labels.get(e.getKey()))) {
                return SELECTOR;
            }
        }
        return pod.affinity().matches(labels) ? null : SELECTOR;
    };

    /** NoSchedule and NoExecute taints must be tolerated. */
    static final NodeFilter TAINTS = (pod, node, used) -> {
        List<Taint> taints = node.node().taints();
        for (int i = 0; i < taints.size(); i++) {
            Taint t = taints.get(i);
            if (t.repels() && !tolerated(pod.tolerations(), t)) {
                return UNTOLERATED.computeIfAbsent(t, k -> "node(s) had untolerated taint {" + k.key()
                        + (k.value().isEmpty() ? "" : ": " + k.value()) + "}");
            }
        }
        return null;
    };


    private NodeFilters() {
    }

    private static boolean tolerated(List<Toleration> tolerations, Taint t) {
        for (int i = 0; i < tolerations.size(); i++) {
            if (tolerations.get(i).tolerates(t)) {
                return true;
            }
        }
        return false;
    }
}
