package io.fairway.ui.yunikorn;

import io.fairway.core.objects.TaskGroup;
import io.fairway.core.resources.ResourceCounter;
import io.fairway.core.state.AppState;
import io.fairway.core.state.ClusterState;
import io.fairway.core.state.Gang;
import io.fairway.core.state.NodeState;
import io.fairway.core.state.PodState;
import io.fairway.core.state.ReservedSlot;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An application as YuniKorn shows it ({@code dao.ApplicationDAOInfo}). Allocations are the app's placed pods and the
 * free slots of its gang reservation (YuniKorn's placeholders), and {@code usedResource} counts both, as YuniKorn
 * counts placeholders; requests are its pending pods. A gang's {@code placeholderData} has, per task group, the
 * slots held now ({@code count}) and those a member took ({@code replaced}).
 *
 * <p>Zero values: {@code maxUsedResource} (Fairway keeps no peak), {@code stateLog} (no state history is kept; the
 * log has it), {@code timedout} (released slots are not counted) and {@code groups} when the pod named none.
 * {@code hasReserved}/{@code reservations}: pending pods holding room that a preemption freed on a node, as YuniKorn
 * reports an ask's node reservation, keyed {@code node|pod uid}.
 *
 * @param maxRequestPriority the highest priority among pending pods, 0 without any (YuniKorn dao field)
 */
record ApplicationInfo(
        String applicationID,
        Map<String, Long> usedResource,
        Map<String, Long> maxUsedResource,
        Map<String, Long> pendingResource,
        String partition,
        String queueName,
        long submissionTime,
        List<AskInfo> requests,
        List<AllocationInfo> allocations,
        String applicationState,
        String user,
        List<String> groups,
        String rejectedMessage,
        List<StateEntry> stateLog,
        List<PlaceholderInfo> placeholderData,
        boolean hasReserved,
        List<String> reservations,
        int maxRequestPriority) {

    record StateEntry(long time, String applicationState) {
    }

    record PlaceholderInfo(String taskGroupName, long count, Map<String, Long> minResource, long replaced,
                           long timedout) {
    }

    static ApplicationInfo of(ClusterState s, AppState a, String partition) {
        List<AskInfo> requests = new ArrayList<>();
        List<String> reservations = new ArrayList<>();
        for (PodState p : a.pendingAsks()) {
            requests.add(AskInfo.of(p, partition));
            if (p.holdsRoom()) {
                reservations.add(p.holdNode() + "|" + p.uid());
            }
        }
        List<AllocationInfo> allocations = new ArrayList<>();
        for (PodState p : placedPods(s, a)) {
            allocations.add(AllocationInfo.of(p, a, partition));
        }
        ResourceCounter used = new ResourceCounter();
        used.add(a.allocated());
        for (ReservedSlot slot : freeSlots(a)) {
            allocations.add(AllocationInfo.placeholder(a, slot, partition));
            used.add(slot.resources());
        }
        return new ApplicationInfo(a.appId(), YuniKornResources.of(used), Map.of(),
                YuniKornResources.of(a.pendingResources()), partition, a.queue(), Times.nanos(a.submissionTime()),
                List.copyOf(requests), List.copyOf(allocations), AppStates.name(a.status()), a.user(),
                a.submission().groups(), a.rejection(), List.of(), placeholders(a), !reservations.isEmpty(),
                List.copyOf(reservations), a.pendingPods() == 0 ? 0 : a.pendingPriority());
    }

    /**
     * The app's pods on nodes, found through the nodes it uses: the state indexes pods by uid only, and the walk of
     * every pod races the apply thread far more often than this short one.
     */
    static List<PodState> placedPods(ClusterState s, AppState a) {
        List<PodState> found = new ArrayList<>();
        for (String name : a.nodesInUse().keySet()) {
            NodeState n = s.node(name);
            for (String uid : n == null ? List.<String>of() : n.pods()) {
                PodState p = s.pod(uid);
                if (p != null && p.isOurs() && p.role() == PodState.Role.PLACED && p.pod().appId().equals(a.appId())) {
                    found.add(p);
                }
            }
        }
        return found;
    }

    /** Slots of the app's gang reservation that no member has taken yet. */
    static List<ReservedSlot> freeSlots(AppState a) {
        List<ReservedSlot> free = new ArrayList<>();
        for (ReservedSlot slot : a.gang().slots()) {
            if (slot.isFree()) {
                free.add(slot);
            }
        }
        return free;
    }

    private static List<PlaceholderInfo> placeholders(AppState a) {
        List<PlaceholderInfo> out = new ArrayList<>();
        for (Gang.GroupCount c : a.gang().counts(a)) {
            TaskGroup g = a.gang().spec().group(c.group());
            out.add(new PlaceholderInfo(c.group(), c.reserved() + c.used(), YuniKornResources.of(g.minResource()),
                    c.used(), 0));
        }
        return List.copyOf(out);
    }
}
