package io.fairway.core.scheduler;

import io.fairway.core.objects.NodeAffinity;
import io.fairway.core.objects.NodeSelectorRequirement;
import io.fairway.core.objects.Pod;
import io.fairway.core.objects.TaskGroup;
import io.fairway.core.objects.Toleration;
import io.fairway.core.resources.Resources;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the node filters and preferences read of something to place: a pod, the pod held to its app's topology
 * domain, or a gang member not yet created (its task group's constraints). Asks that are equal pass or fail alike, so
 * one that found no node is not tried again in the cycle.
 *
 * @param fpgaFunction  the FPGA function the pod wants programmed, or ""
 * @param fpgaInterface the FPGA interface whose regions it asks for, or ""
 */
record NodeAsk(Resources requests, Map<String, String> nodeSelector, NodeAffinity affinity,
               List<Toleration> tolerations, String fpgaFunction, String fpgaInterface) {
    static NodeAsk of(Pod p) {
        return new NodeAsk(p.requests(), p.nodeSelector(), p.affinity(), p.tolerations(), p.hints().fpgaFunction(),
                p.hints().fpgaInterface());
    }

    /** A member of a task group, with {@code selector} in place of the group's own (a topology domain added). */
    static NodeAsk member(TaskGroup group, Map<String, String> selector) {
        return new NodeAsk(group.minResource(), selector, group.affinity(), group.tolerations(), "", "");
    }

    /** The same ask on nodes whose label {@code key} is {@code domain}; with no domain, on nodes that have the label. */
    NodeAsk inDomain(String key, String domain) {
        if (domain != null) {
            Map<String, String> selector = new TreeMap<>(nodeSelector);
            selector.put(key, domain);
            return new NodeAsk(requests, selector, affinity, tolerations, fpgaFunction, fpgaInterface);
        }
        NodeSelectorRequirement has = new NodeSelectorRequirement(key, NodeSelectorRequirement.Operator.Exists, List.of());
        List<List<NodeSelectorRequirement>> terms = new ArrayList<>();
        if (affinity.terms().isEmpty()) {
            terms.add(List.of(has));
        } else {
            for (List<NodeSelectorRequirement> term : affinity.terms()) {
                List<NodeSelectorRequirement> t = new ArrayList<>(term);
                t.add(has);
                terms.add(t);
            }
        }
        return new NodeAsk(requests, nodeSelector, new NodeAffinity(terms), tolerations, fpgaFunction, fpgaInterface);
    }
}
