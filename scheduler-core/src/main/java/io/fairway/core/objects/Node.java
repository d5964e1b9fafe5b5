package io.fairway.core.objects;

import io.fairway.core.resources.ResourceNames;
import io.fairway.core.resources.Resources;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A node as the scheduler sees it. Labels are kept sorted so that the state digest does not depend on map order.
 *
 * @param resourceVersion the API server's version of the object, compared numerically where possible
 */
public record Node(
        String name,
        Resources capacity,
        Resources allocatable,
        Map<String, String> labels,
        List<Taint> taints,
        boolean unschedulable,
        boolean ready,
        String resourceVersion) {
    /** The kubelet's default {@code maxPods}, for nodes that do not state their pod capacity. */
    public static final long DEFAULT_MAX_PODS = 110;

    public Node {
        capacity = withPods(capacity);
        allocatable = withPods(allocatable);
        labels = Collections.unmodifiableSortedMap(new TreeMap<>(labels));
        taints = List.copyOf(taints);
        resourceVersion = resourceVersion == null ? "" : resourceVersion;
    }

    private static Resources withPods(Resources r) {
        return r.isDefined(ResourceNames.PODS) ? r : r.toBuilder().set(ResourceNames.PODS, DEFAULT_MAX_PODS).build();
    }

    /** A ready, schedulable node with allocatable equal to capacity. */
    public static Node of(String name, Resources capacity) {
        return new Node(name, capacity, capacity, Map.of(), List.of(), false, true, "");
    }
}
