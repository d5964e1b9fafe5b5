package io.fairway.core.state;

import io.fairway.core.objects.GangSpec;
import io.fairway.core.objects.TaskGroup;
import io.fairway.core.objects.Topology;
import io.fairway.core.resources.ResourceCounter;
import io.fairway.core.resources.Resources;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.TreeMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** An app's gang: its task groups, where its reservation stands and the slots it holds. Changed only by apply. */
public final class Gang {
    public enum Status {
        /** Not a gang app. */
        NONE,
        /** Its task groups could not be read; scheduled as a normal app once the leader said so. */
        INVALID,
        /** Waiting for room for every member it still needs, holding nothing free. */
        WAITING,
        /** Holds slots for its members (some may be used, some lost with a node). */
        RESERVED,
        /** Scheduled as a normal app: Soft timeout, or task groups that could not be read. */
        NORMAL,
        /** Failed: Hard timeout, or larger than its queue's max. Nothing more of it is placed. */
        FAILED
    }

    /** Per group: free slots, slots taken by members, and members still pending. */
    public record GroupCount(String group, int minMember, int reserved, int used, int waiting) {
    }

    private GangSpec spec = GangSpec.NONE;
    private Topology topology = Topology.NONE;
    private Status status = Status.NONE;
    private long since;
    private String reason = "";
    /** Every slot by id, in the order they were reserved. */
    private final TreeMap<Integer, ReservedSlot> slots = new TreeMap<>();
    /** Free slots by group, and by group and node: a member finds its slot without walking the gang. */
    private final HashMap<String, TreeMap<Integer, ReservedSlot>> freeByGroup = new HashMap<>();
    private final HashMap<String, TreeMap<Integer, ReservedSlot>> freeByGroupNode = new HashMap<>();
    private final HashMap<String, Integer> perGroup = new HashMap<>();
    private final ResourceCounter reserved = new ResourceCounter();
    private int nextSlotId;
    /** Where the state records that the app's stored form changed, and the app. */
    private final StateChanges changes;
    private final String appId;

    Gang(StateChanges changes, String appId) {
        this.changes = changes;
        this.appId = appId;
    }

    public GangSpec spec() {
        return spec;
    }

    public Status status() {
        return status;
    }

    /** The topology domain the gang's reservation must (or should) be in, from the pod that declared the gang. */
    public Topology topology() {
        return topology;
    }

    /** Event time the app first waited as a gang: its timeout counts from here. */
    public long since() {
        return since;
    }

    /** Why the gang was released, failed or reads as normal; empty otherwise. */
    public String reason() {
        return reason;
    }

    /** Every slot, free and used, by id. */
    public Collection<ReservedSlot> slots() {
        return Collections.unmodifiableCollection(slots.values());
    }

    /** The free slots of a group from {@code fromId} on, by id. */
    public Collection<ReservedSlot> freeSlots(String group, int fromId) {
        TreeMap<Integer, ReservedSlot> m = freeByGroup.get(group);
        return m == null ? List.of() : Collections.unmodifiableCollection(m.tailMap(fromId, true).values());
    }

    /** The free slots of a group, by id. */
    public Collection<ReservedSlot> freeSlots(String group) {
        TreeMap<Integer, ReservedSlot> m = freeByGroup.get(group);
        return m == null ? List.of() : Collections.unmodifiableCollection(m.values());
    }

    /** Resources of the free slots. */
    public ResourceCounter reserved() {
        return reserved;
    }

    public int nextSlotId() {
        return nextSlotId;
    }

    public boolean hasFreeSlots() {
        return !freeByGroup.isEmpty();
    }

    /** Members of {@code group} that have no slot yet (neither free nor used). */
    public int missing(TaskGroup group) {
        return Math.max(0, group.minMember() - perGroup.getOrDefault(group.name(), 0));
    }

    /** Members of all groups that have no slot yet: what a (re-)reservation must find room for. */
    public int missing() {
        int n = 0;
        for (TaskGroup group : spec.groups()) {
            n += missing(group);
        }
        return n;
    }

    /** The free slot of {@code group} on {@code node} with the lowest id, or null. */
    public ReservedSlot freeSlotOn(String group, String node) {
        TreeMap<Integer, ReservedSlot> m = freeByGroupNode.get(group + '\u0000' + node);
        return m == null ? null : m.firstEntry().getValue();
    }

    /** The free slot of {@code group} with the lowest id, or null. */
    public ReservedSlot firstFree(String group) {
        TreeMap<Integer, ReservedSlot> m = freeByGroup.get(group);
        return m == null ? null : m.firstEntry().getValue();
    }

    /** Reserved / used / waiting per group, in the spec's order. */
    public List<GroupCount> counts(AppState app) {
        Map<String, int[]> byGroup = new LinkedHashMap<>();
        for (TaskGroup g : spec.groups()) {
            byGroup.put(g.name(), new int[3]);
        }
        for (ReservedSlot s : slots.values()) {
            int[] c = byGroup.get(s.group());
            if (c != null) {
                c[s.isFree() ? 0 : 1]++;
            }
        }
        for (PodState p : app.pendingAsks()) {
            int[] c = byGroup.get(p.pod().hints().taskGroup());
            if (c != null) {
                c[2]++;
            }
        }
        List<GroupCount> out = new ArrayList<>();
        for (TaskGroup g : spec.groups()) {
            int[] c = byGroup.get(g.name());
            out.add(new GroupCount(g.name(), g.minMember(), c[0], c[1], c[2]));
        }
        return out;
    }

    // ------------------------------------------------------------ changed by ClusterState only

    void start(GangSpec s, Topology t, long time) {
        changes.app(appId);
        spec = s;
        topology = t;
        status = s.isGang() ? Status.WAITING : Status.INVALID;
        since = time;
        reason = s.problem();
    }

    void status(Status s, String why) {
        changes.app(appId);
        status = s;
        reason = why == null ? "" : why;
    }

    ReservedSlot addSlot(String group, String node, Resources r) {
        changes.app(appId);
        ReservedSlot s = new ReservedSlot(nextSlotId++, group, node, r, "");
        put(s);
        return s;
    }

    void use(ReservedSlot slot, String podUid) {
        changes.app(appId);
        unfree(slot);
        slots.put(slot.id(), slot.usedBy(podUid));
    }

    /** Drops a free slot (released, or lost with its node). */
    void drop(ReservedSlot slot) {
        changes.app(appId);
        if (slots.remove(slot.id()) != null) {
            unfree(slot);
            perGroup.computeIfPresent(slot.group(), (k, v) -> v == 1 ? null : v - 1);
        }
    }

    private void put(ReservedSlot s) {
        slots.put(s.id(), s);
        perGroup.merge(s.group(), 1, Integer::sum);
        if (s.isFree()) {
            reserved.add(s.resources());
            freeByGroup.computeIfAbsent(s.group(), k -> new TreeMap<>()).put(s.id(), s);
            freeByGroupNode.computeIfAbsent(s.group() + '\u0000' + s.node(), k -> new TreeMap<>()).put(s.id(), s);
        }
    }

    private void unfree(ReservedSlot s) {
        reserved.subtract(s.resources());
        removeFrom(freeByGroup, s.group(), s.id());
        removeFrom(freeByGroupNode, s.group() + '\u0000' + s.node(), s.id());
    }

    private static void removeFrom(HashMap<String, TreeMap<Integer, ReservedSlot>> index, String key, int id) {
        TreeMap<Integer, ReservedSlot> m = index.get(key);
        if (m != null && m.remove(id) != null && m.isEmpty()) {
            index.remove(key);
        }
    }

    void restore(GangSpec s, Topology t, Status st, long sinceTime, String why,
                 List<ReservedSlot> saved, int nextId) {
        spec = s;
        topology = t == null ? Topology.NONE : t;
        status = st;
        since = sinceTime;
        reason = why;
        slots.clear();
        freeByGroup.clear();
        freeByGroupNode.clear();
        perGroup.clear();
        reserved.clear();
        for (ReservedSlot slot : saved) {
            put(slot);
        }
        nextSlotId = nextId;
    }
}
