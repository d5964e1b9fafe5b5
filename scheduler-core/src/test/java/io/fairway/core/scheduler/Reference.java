package io.fairway.core.scheduler;

import io.fairway.core.objects.Node;
import io.fairway.core.objects.NodeSelectorRequirement;
import io.fairway.core.objects.Pod;
import io.fairway.core.objects.Taint;
import io.fairway.core.objects.Toleration;
import io.fairway.core.resources.ResourceCounter;
import io.fairway.core.resources.Resources;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A deliberately naive model of where a pod may go, written from the Kubernetes rules (kube-scheduler's
 * NodeUnschedulable, NodeAffinity, TaintToleration and NodeResourcesFit plugins) with no code of the scheduler's:
 * every check spelled out over plain maps keyed by resource name, so that a bug in the scheduler's filters or
 * counters is not repeated by the oracle that judges it.
 */
final class Reference {
    private Reference() {
    }

    /** A node takes new pods when it is ready and not cordoned. */
    static boolean ready(Node n) {
        return n.ready() && !n.unschedulable();
    }

    /** Every {@code nodeSelector} pair is a label of the node with that value. */
    static boolean selectorMatches(Pod p, Node n) {
        for (Map.Entry<String, String> e : p.nodeSelector().entrySet()) {
            String v = n.labels().get(e.getKey());
            if (v == null || !v.equals(e.getValue())) {
                return false;
            }
        }
        return true;
    }

    /** Required node affinity: no term, or some term whose requirements all hold (terms OR-ed, requirements AND-ed). */
    static boolean affinityMatches(Pod p, Node n) {
        List<List<NodeSelectorRequirement>> terms = p.affinity().terms();
        if (terms.isEmpty()) {
            return true;
        }
        for (List<NodeSelectorRequirement> term : terms) {
            boolean all = true;
            for (NodeSelectorRequirement r : term) {
                all &= requirementHolds(r, n.labels());
            }
            if (all) {
                return true;
            }
        }
        return false;
    }

    private static boolean requirementHolds(NodeSelectorRequirement r, Map<String, String> labels) {
        boolean has = labels.containsKey(r.key());
        String v = labels.get(r.key());
        return switch (r.operator()) {
            case In -> has && r.values().contains(v);
            case NotIn -> !has || !r.values().contains(v);
            case Exists -> has;
            case DoesNotExist -> !has;
            case Gt -> has && number(v) != null && !r.values().isEmpty() && number(r.values().get(0)) != null
                    && number(v) > number(r.values().get(0));
            case Lt -> has && number(v) != null && !r.values().isEmpty() && number(r.values().get(0)) != null
                    && number(v) < number(r.values().get(0));
        };
    }

    private static Long number(String s) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** Every NoSchedule and NoExecute taint of the node has a toleration that matches it. */
    static boolean tolerated(Pod p, Node n) {
        for (Taint t : n.taints()) {
            if (!t.effect().equals("NoSchedule") && !t.effect().equals("NoExecute")) {
                continue;
            }
            boolean ok = false;
            for (Toleration tol : p.tolerations()) {
                boolean effect = tol.effect().isEmpty() || tol.effect().equals(t.effect());
                boolean key = tol.key().isEmpty() ? tol.operator().equals("Exists") : tol.key().equals(t.key());
                boolean value = tol.operator().equals("Exists") || tol.value().equals(t.value());
                ok |= effect && key && value;
            }
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** Ready, selector, required affinity and taints: whether the node is a candidate at all, room aside. */
    static boolean admits(Pod p, Node n) {
        return ready(n) && selectorMatches(p, n) && affinityMatches(p, n) && tolerated(p, n);
    }

    /** Every resource the pod asks for a positive amount of fits in allocatable minus used (an absent one is 0). */
    static boolean fits(Map<String, Long> requests, Map<String, Long> allocatable, Map<String, Long> used) {
        for (Map.Entry<String, Long> e : requests.entrySet()) {
            if (e.getValue() <= 0) {
                continue;
            }
            long free = allocatable.getOrDefault(e.getKey(), 0L) - used.getOrDefault(e.getKey(), 0L);
            if (e.getValue() > free) {
                return false;
            }
        }
        return true;
    }

    /** {@link #admits} and {@link #fits}, with the node's use given by resource name. */
    static boolean placeable(Pod p, Node n, Map<String, Long> used) {
        return admits(p, n) && fits(p.requests().toMap(), n.allocatable().toMap(), used);
    }

    /** Every resource named by a limit with a value stays at or under it once the pod's requests are added. */
    static boolean withinMax(Map<String, Long> requests, Map<String, Long> max, Map<String, Long> used) {
        for (Map.Entry<String, Long> e : max.entrySet()) {
            long ask = requests.getOrDefault(e.getKey(), 0L);
            if (ask > 0 && used.getOrDefault(e.getKey(), 0L) + ask > e.getValue()) {
                return false;
            }
        }
        return true;
    }

    /** {@code into += r}, by resource name. */
    static void add(Map<String, Long> into, Map<String, Long> r) {
        r.forEach((k, v) -> into.merge(k, v, Long::sum));
    }

    /** {@code into -= r}, by resource name. */
    static void subtract(Map<String, Long> into, Map<String, Long> r) {
        r.forEach((k, v) -> into.merge(k, -v, Long::sum));
    }

    /** A use by name, for comparing with a counter: zeros dropped, sorted. */
    static Map<String, Long> normal(Map<String, Long> m) {
        TreeMap<String, Long> out = new TreeMap<>();
        m.forEach((k, v) -> {
            if (v != 0) {
                out.put(k, v);
            }
        });
        return out;
    }

    /** A state counter as a use by name. */
    static Map<String, Long> byName(ResourceCounter c) {
        return normal(c.snapshot().toMap());
    }

    static Map<String, Long> byName(Resources r) {
        return normal(r.toMap());
    }
}
