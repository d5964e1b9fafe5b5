package io.fairway.core.scheduler;

import io.fairway.core.events.Allocated;
import io.fairway.core.events.Decision;
import io.fairway.core.events.GangReleased;
import io.fairway.core.events.GangReserved;
import io.fairway.core.events.PreemptionRequested;
import io.fairway.core.events.Released;
import io.fairway.core.events.Unschedulable;
import io.fairway.core.resources.ResourceCounter;
import io.fairway.core.resources.Resources;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Set;
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
    /** Gang reservations by app, and their room: counted like allocations until read back. */
    private final LinkedHashMap<String, GangReserved> reservations = new LinkedHashMap<>();
    private final HashMap<String, GangReleased> releases = new HashMap<>();
    /** Gang slots taken by in-flight allocations: by pod, and by app. */
    private final HashMap<String, SlotRef> slotByPod = new HashMap<>();
    private final HashMap<String, HashSet<Integer>> takenSlots = new HashMap<>();
    private final HashMap<String, Back> givenBack = new HashMap<>();
    /** FPGA regions per function booked by in-flight allocations, by node. */
    private final HashMap<String, HashMap<String, Long>> fpgaByNode = new HashMap<>();
    private final HashMap<String, long[]> fpgaByPod = new HashMap<>();
    private final HashMap<String, String> fpgaFunctionByPod = new HashMap<>();
    /** Preemptions by preemptor uid (or the quota queue), and their victims: none is chosen twice. */
    private final LinkedHashMap<String, PreemptionRequested> preemptions = new LinkedHashMap<>();
    private final HashSet<String> victims = new HashSet<>();
    /** Held room given up by a {@link Released} not read back yet: by preemptor uid. */
    private final HashSet<String> holdReleases = new HashSet<>();

    /** @param requests what the allocation adds to its node and queues (for a pod into its gang slot, the growth) */
    void add(Allocated a, Resources requests) {
        allocations.put(a.podUid(), a);
        allocationRequests.put(a.podUid(), requests);
        byNode.computeIfAbsent(a.nodeName(), k -> new ResourceCounter()).add(requests);
    }

    /** A gang slot: its app and its id within the app's reservation. */
    record SlotRef(String appId, int slotId) {
    }

    void takeSlot(String podUid, String appId, int slotId) {
        slotByPod.put(podUid, new SlotRef(appId, slotId));
        takenSlots.computeIfAbsent(appId, k -> new HashSet<>()).add(slotId);
    }

    /**
     * The allocation of a member placed away from its slot gives that slot back when applied: until then its room
     * counts as free again here, so the overlay matches what the state will hold.
     */
    void giveBack(String podUid, String appId, int slotId, String node, Resources r) {
        takeSlot(podUid, appId, slotId);
        givenBack.put(podUid, new Back(node, r));
        onNode(node, r, -1);
    }

    /** Pods whose in-flight allocation gives a slot back. */
    Set<String> givingBack() {
        return givenBack.keySet();
    }

    /** The slot a pod's allocation was to give back is gone (its node was lost): there is nothing to give back. */
    void cancelGiveBack(String podUid) {
        Back b = givenBack.remove(podUid);
        if (b != null) {
            onNode(b.node(), b.resources(), 1);
        }
    }

    /** What a member's in-flight allocation gives back of its slot (to subtract from its queues), or null. */
    Resources givenBack(String podUid) {
        Back b = givenBack.get(podUid);
        return b == null ? null : b.resources();
    }

    /** The node of the slot a member's in-flight allocation gives back, or null. */
    String givenBackOn(String podUid) {
        Back b = givenBack.get(podUid);
        return b == null ? null : b.node();
    }

    private record Back(String node, Resources resources) {
    }

    /** The slot an in-flight allocation takes or gives back, or null. */
    SlotRef slotOf(String podUid) {
        return slotByPod.get(podUid);
    }

    boolean isSlotTaken(String appId, int slotId) {
        HashSet<Integer> taken = takenSlots.get(appId);
        return taken != null && taken.contains(slotId);
    }

    void addFpga(String podUid, String node, String function, long regions) {
        fpgaByNode.computeIfAbsent(node, k -> new HashMap<>()).merge(function, regions, Long::sum);
        fpgaByPod.put(podUid, new long[] {regions});
        fpgaFunctionByPod.put(podUid, function);
    }

    /** FPGA regions per function that in-flight allocations book on a node, or null. */
    Map<String, Long> fpgaOnNode(String node) {
        return fpgaByNode.get(node);
    }

    void add(GangReserved g, Map<String, Resources> perNode) {
        reservations.put(g.appId(), g);
        perNode.forEach((node, r) -> onNode(node, r, 1));
    }

    void add(GangReleased r) {
        releases.put(r.appId(), r);
    }

    GangReserved reservation(String appId) {
        return reservations.get(appId);
    }

    GangReleased release(String appId) {
        return releases.get(appId);
    }

    Map<String, GangReserved> reservations() {
        return reservations;
    }

    void removeReservation(String appId) {
        GangReserved g = reservations.remove(appId);
        if (g == null) {
            return;
        }
        for (GangReserved.Slot slot : g.slots()) {
            onNode(slot.node(), slot.resources(), -1);
        }
    }

    /** Adds (sign 1) or takes away (-1) room counted on a node; a node left at zero is dropped. */
    private void onNode(String node, Resources r, int sign) {
        ResourceCounter c = byNode.computeIfAbsent(node, k -> new ResourceCounter());
        if (sign > 0) {
            c.add(r);
        } else {
            c.subtract(r);
        }
        if (c.isZero()) {
            byNode.remove(node);
        }
    }

    /** A preemption's key here: its preemptor's uid, or for quota preemption {@code quota:} and its first victim. */
    static String key(PreemptionRequested p) {
        return p.kind() == PreemptionRequested.Kind.QUOTA ? "quota:" + p.victims().getFirst() : p.preemptorUid();
    }

    void add(PreemptionRequested p) {
        preemptions.put(key(p), p);
        victims.addAll(p.victims());
    }

    boolean isPreempting(String key) {
        return preemptions.containsKey(key);
    }

    boolean isVictim(String podUid) {
        return victims.contains(podUid);
    }

    Map<String, PreemptionRequested> preemptions() {
        return preemptions;
    }

    void removePreemption(String key) {
        PreemptionRequested p = preemptions.remove(key);
        if (p != null) {
            p.victims().forEach(victims::remove);
        }
    }

    void releaseHold(String podUid) {
        holdReleases.add(podUid);
    }

    boolean isHoldReleased(String podUid) {
        return holdReleases.contains(podUid);
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
                case GangReserved g -> removeReservation(g.appId());
                case GangReleased r -> releases.remove(r.appId(), r);
                case PreemptionRequested p -> removePreemption(key(p));
                case Released r -> holdReleases.remove(r.podUid());
                default -> {
                }
            }
        }
    }

    void remove(String podUid) {
        Allocated a = allocations.remove(podUid);
        if (a != null) {
            onNode(a.nodeName(), allocationRequests.remove(podUid), -1);
        }
        SlotRef slot = slotByPod.remove(podUid);
        if (slot != null) {
            HashSet<Integer> taken = takenSlots.get(slot.appId());
            if (taken != null && taken.remove(slot.slotId()) && taken.isEmpty()) {
                takenSlots.remove(slot.appId());
            }
        }
        Back back = givenBack.remove(podUid);
        if (back != null) {
            onNode(back.node(), back.resources(), 1);
        }
        String fn = fpgaFunctionByPod.remove(podUid);
        if (fn != null && a != null) {
            long regions = fpgaByPod.remove(podUid)[0];
            HashMap<String, Long> m = fpgaByNode.get(a.nodeName());
            if (m != null) {
                m.computeIfPresent(fn, (k, v) -> v - regions == 0 ? null : v - regions);
                if (m.isEmpty()) {
                    fpgaByNode.remove(a.nodeName());
                }
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
        return allocations.size() + reasons.size() + reservations.size() + releases.size() + preemptions.size()
                + holdReleases.size();
    }

    public void clear() {
        preemptions.clear();
        victims.clear();
        holdReleases.clear();
        reservations.clear();
        releases.clear();
        slotByPod.clear();
        takenSlots.clear();
        givenBack.clear();
        fpgaByNode.clear();
        fpgaByPod.clear();
        fpgaFunctionByPod.clear();
        allocations.clear();
        allocationRequests.clear();
        reasons.clear();
        byNode.clear();
    }
}
