package io.fairway.core.config;

import java.util.Map;

/**
 * How nodes are ordered for placement.
 *
 * @param resourceWeights by Kubernetes resource name ({@code vcore} already mapped to {@code cpu}); YuniKorn's
 *                        default is cpu and memory at 1.0
 */
public record NodeSortPolicy(Type type, Map<String, Double> resourceWeights) {
    public static final Map<String, Double> DEFAULT_WEIGHTS = Map.of("cpu", 1.0, "memory", 1.0);
    public static final NodeSortPolicy DEFAULT = new NodeSortPolicy(Type.FAIR, DEFAULT_WEIGHTS);

    public NodeSortPolicy {
        resourceWeights = Map.copyOf(resourceWeights);
    }

    public enum Type {
        /** Most free node first: spreads load. */
        FAIR,
        /** Least free node first: packs pods and keeps whole nodes free. */
        BINPACKING
    }
}
