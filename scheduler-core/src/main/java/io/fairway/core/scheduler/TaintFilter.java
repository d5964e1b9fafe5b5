package io.fairway.core.scheduler;

import io.fairway.core.objects.Taint;
import io.fairway.core.objects.Toleration;
import io.fairway.core.state.NodeState;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** NoSchedule and NoExecute taints must be tolerated (kube-scheduler's TaintToleration). */
final class TaintFilter implements NodeFilter {
    static final TaintFilter INSTANCE = new TaintFilter();
    private static final Map<Taint, String> UNTOLERATED = new ConcurrentHashMap<>();

    private TaintFilter() {
    }

    @Override
    public String name() {
        return "TaintToleration";
    }

    @Override
    public String reject(NodeAsk ask, NodeState node, long[] used) {
        List<Taint> taints = node.node().taints();
        for (int i = 0; i < taints.size(); i++) {
            Taint t = taints.get(i);
            if (t.repels() && !tolerated(ask.tolerations(), t)) {
                return UNTOLERATED.computeIfAbsent(t, k -> "node(s) had untolerated taint {" + k.key()
                        + (k.value().isEmpty() ? "" : ": " + k.value()) + "}");
            }
        }
        return null;
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
