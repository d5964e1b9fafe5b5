package io.fairway.core.objects;

import java.util.List;
import java.util.Map;

/**
 * The required part of a pod's node affinity ({@code requiredDuringSchedulingIgnoredDuringExecution}): the terms
 * are ORed, the requirements inside a term are ANDed. No terms means no constraint.
 */
public record NodeAffinity(List<List<NodeSelectorRequirement>> terms) {
    public static final NodeAffinity NONE = new NodeAffinity(List.of());

    public NodeAffinity {
        terms = terms.isEmpty() ? List.of() : terms.stream().map(List::copyOf).toList();
    }

    public boolean matches(Map<String, String> labels) {
        if (terms.isEmpty()) {
            return true;
        }
        for (List<NodeSelectorRequirement> term : terms) {
            boolean all = !term.isEmpty();
            for (NodeSelectorRequirement r : term) {
                if (!r.matches(labels)) {
                    all = false;
                    break;
                }
            }
            if (all) {
                return true;
            }
        }
        return false;
    }
}
