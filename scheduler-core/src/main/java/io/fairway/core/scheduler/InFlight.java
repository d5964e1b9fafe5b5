package io.fairway.core.scheduler;

import io.fairway.core.events.Allocated;
import io.fairway.core.events.Decision;
import io.fairway.core.events.Unschedulable;
import io.fairway.core.resources.ResourceCounter;
import io.fairway.core.resources.Resources;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Decisions the leader made but has not yet read back from the log. They count against node and queue room so
 * that the next cycle does not book the same room twice; they are never the state, and go away when
 * {@link #acknowledge acknowledged} (read back and applied) or when the state shows the pod moved on.
 */
public final class InFlight {
    private final LinkedHashMap<String, Allocated> allocations = new LinkedHashMap<>();
    private final HashMap<String, Resources> allocationRequests = new HashMap<>();
    private final HashMap<String, String> reasons = new HashMap<>();
    private final HashMap<String, ResourceCounter> byNode = new HashMap<>();

    void add(Allocated a, Resources requests) {
        allocations.put(a.podUid(), a);
        allocationRequests.put(a.podUid(), requests);
        byNode.computeIfAbsent(a.nodeName(), k -> new ResourceCounter()).add(requests);
    }

    void add(Unschedulable u) {
        reasons.put(u.podUid(), u.reasonKey());
    }

    /** The decisions were applied to the state (or will never be): they stop counting as in flight. */
    public void acknowledge(Collection<? extends Decision> decisions) {
        for (Decision d : decisions) {
            switch (d) {
                case Allocated a -> remove(a.podUid());
                case Unschedulable u -> reasons.remove(u.podUid(), u.reasonKey());
                default -> {
                }
            }
        }
    }

    void remove(String podUid) {
        Allocated a = allocations.remove(podUid);
        if (a != null) {
            Resources r = allocationRequests.remove(podUid);
            ResourceCounter c = byNode.get(a.nodeName());
            c.subtract(r);
            if (c.isZero()) {
                byNode.remove(a.nodeName());
            }
        }
    }

    public boolean isAllocated(String podUid) {
        return allocations.containsKey(podUid);
    }

    /** The reason key last reported for a pod and not yet read back, or null. */
    String reportedReason(String podUid) {
        return reasons.get(podUid);
    }

    /** What is in flight on a node, or null when nothing. */
    ResourceCounter onNode(String node) {
        return byNode.get(node);
    }

    Map<String, Allocated> allocations() {
        return allocations;
    }

    Resources requests(String podUid) {
        return allocationRequests.get(podUid);
    }

    public int size() {
        return allocations.size() + reasons.size();
    }

    public void clear() {
        allocations.clear();
        allocationRequests.clear();
        reasons.clear();
        byNode.clear();
    }
}
