package io.fairway.ui.yunikorn;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.fairway.core.objects.Node;
import io.fairway.core.resources.ResourceCounter;
import io.fairway.core.resources.Resources;
import io.fairway.core.state.AppState;
import io.fairway.core.state.ClusterState;
import io.fairway.core.state.NodeState;
import io.fairway.core.state.PodState;
import io.fairway.core.state.ReservedSlot;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A node as YuniKorn shows it ({@code dao.NodeDAOInfo}). {@code capacity} is the node's allocatable, as the k8shim
 * registers it; {@code allocated} is what Fairway placed or holds there (its pods, free gang slots, room held for a
 * preemptor), {@code occupied} what other schedulers' pods use, {@code available} what is left, and {@code utilized}
 * allocated as percents of capacity. {@code attributes} are the node's labels plus the shim's {@code ready}.
 *
 * <p>Zero values: {@code hostName} and {@code rackName}, which the k8shim leaves empty too. Reservations are pending
 * pods holding room on the node that a preemption freed, keyed {@code app|pod uid} as YuniKorn keys a node's.
 */
record NodeInfo(
        String nodeID,
        String hostName,
        String rackName,
        Map<String, String> attributes,
        Map<String, Long> capacity,
        Map<String, Long> allocated,
        Map<String, Long> occupied,
        Map<String, Long> available,
        Map<String, Long> utilized,
        List<AllocationInfo> allocations,
        boolean schedulable,
        @JsonProperty("isReserved") boolean isReserved,
        List<String> reservations) {

    /** Every node, from one pass over the apps for the gang slots and held room they have on nodes. */
    static List<NodeInfo> all(ClusterState s, String partition) {
        Map<String, List<AllocationInfo>> slots = new HashMap<>();
        Map<String, List<String>> reservations = new HashMap<>();
        for (AppState a : s.apps().values()) {
            for (ReservedSlot slot : ApplicationInfo.freeSlots(a)) {
                slots.computeIfAbsent(slot.node(), k -> new ArrayList<>())
                        .add(AllocationInfo.placeholder(a, slot, partition));
            }
            for (PodState p : a.pendingAsks()) {
                if (p.holdsRoom()) {
                    reservations.computeIfAbsent(p.holdNode(), k -> new ArrayList<>()).add(a.appId() + "|" + p.uid());
                }
            }
        }
        List<NodeInfo> out = new ArrayList<>();
        for (NodeState n : s.nodes().values()) {
            out.add(of(s, n, partition, slots.getOrDefault(n.name(), List.of()),
                    reservations.getOrDefault(n.name(), List.of())));
        }
        return out;
    }

    private static NodeInfo of(ClusterState s, NodeState n, String partition, List<AllocationInfo> slots,
                               List<String> reservations) {
        Node node = n.node();
        List<AllocationInfo> allocations = new ArrayList<>();
        ResourceCounter occupied = new ResourceCounter();
        for (String uid : n.pods()) {
            PodState p = s.pod(uid);
            if (p == null || p.role() != PodState.Role.PLACED) {
                continue;
            }
            if (p.isOurs()) {
                allocations.add(AllocationInfo.of(p, s.app(p.pod().appId()), partition));
            } else {
                occupied.add(p.pod().requests());
            }
        }
        allocations.addAll(slots);
        Resources all = n.allocated().snapshot();
        Resources ours = all.minus(occupied.snapshot());
        Map<String, String> attributes = new TreeMap<>(node.labels());
        attributes.put("ready", Boolean.toString(node.ready()));
        return new NodeInfo(n.name(), "", "", attributes, YuniKornResources.of(node.allocatable()),
                YuniKornResources.of(ours), YuniKornResources.of(occupied), YuniKornResources.of(
                node.allocatable().minus(all)), YuniKornResources.percent(node.allocatable(), ours),
                List.copyOf(allocations), n.isSchedulable(), !reservations.isEmpty(), List.copyOf(reservations));
    }
}
