package io.fairway.core.scheduler;

import io.fairway.core.objects.NodeAffinity;
import io.fairway.core.objects.NodeSelectorRequirement;
import io.fairway.core.objects.Pod;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Topology domains (the values of a node label, such as a rack): the filter part is a constraint written into the
 * pod, so that {@link SelectorFilter} checks it per group of alike nodes and a reason reads as any selector's; the
 * scorer part sums a domain's free room, by which a gang's domain is chosen.
 */
final class TopologyDomain {
    private TopologyDomain() {
    }

    /** The pod constrained to a topology domain: on nodes whose label is {@code domain}, or that have the label. */
    static Pod constrain(Pod pod, String key, String domain) {
        if (domain != null) {
            Map<String, String> selector = new TreeMap<>(pod.nodeSelector());
            selector.put(key, domain);
            return pod.withConstraints(pod.requests(), selector, pod.affinity(), pod.tolerations());
        }
        NodeSelectorRequirement has = new NodeSelectorRequirement(key, NodeSelectorRequirement.Operator.Exists, List.of());
        List<List<NodeSelectorRequirement>> terms = new ArrayList<>();
        if (pod.affinity().terms().isEmpty()) {
            terms.add(List.of(has));
        } else {
            for (List<NodeSelectorRequirement> term : pod.affinity().terms()) {
                List<NodeSelectorRequirement> t = new ArrayList<>(term);
                t.add(has);
                terms.add(t);
            }
        }
        return pod.withConstraints(pod.requests(), pod.nodeSelector(), new NodeAffinity(terms), pod.tolerations());
    }

    /** The distinct values of a label among the nodes, sorted: the topology domains of that key. */
    static SortedSet<String> domains(NodeIndex nodes, String key) {
        TreeSet<String> out = new TreeSet<>();
        for (NodeIndex.Entry e : nodes.entries()) {
            String v = e.state.node().labels().get(key);
            if (v != null) {
                out.add(v);
            }
        }
        return out;
    }

    /** Free room of a resource over the schedulable nodes whose label {@code key} is {@code value}. */
    static long freeIn(NodeIndex nodes, String key, String value, int id) {
        long sum = 0;
        for (NodeIndex.Entry e : nodes.entries()) {
            if (e.state.isSchedulable() && value.equals(e.state.node().labels().get(key))) {
                sum += Math.max(0, e.free(id));
            }
        }
        return sum;
    }
}
