package io.fairway.core.scheduler;

import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Topology domains (the values of a node label, such as a rack): the filter part is a constraint written into the
 * ask ({@link NodeAsk#inDomain}), so that {@link SelectorFilter} checks it per group of alike nodes and a reason reads
 * as any selector's; the scorer part sums a domain's free room, by which a gang's domain is chosen.
 */
final class TopologyDomain {
    private TopologyDomain() {
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
