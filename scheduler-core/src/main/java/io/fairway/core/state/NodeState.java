package io.fairway.core.state;

import io.fairway.core.objects.Node;
import io.fairway.core.resources.ResourceCounter;
import java.util.Collections;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.TreeMap;
import java.util.SortedMap;
import io.fairway.core.objects.Fpga;
import io.fairway.core.objects.SchedulingHints;
import io.fairway.core.resources.Resources;

/** A node with what is placed on it: our allocations and pods bound by other schedulers alike. */
public final class NodeState {
    private Node node;
    private final ResourceCounter allocated = new ResourceCounter();
    private final TreeSet<String> pods = new TreeSet<>();
    private long modCount;
    /** Regions in use by pods that asked for an FPGA function, by function, for "programmed and free". */
    private final TreeMap<String, Long> fpgaInUse = new TreeMap<>();

    NodeState(Node node) {
        this.node = node;
    }

    public Node node() {
        return node;
    }

    public String name() {
        return node.name();
    }

    public ResourceCounter allocated() {
        return allocated;
    }

    /** Uids of the pods using this node, sorted. */
    public SortedSet<String> pods() {
        return Collections.unmodifiableSortedSet(pods);
    }

    /** Increases on every change of the node or its usage, so that readers can tell what changed. */
    public long modCount() {
        return modCount;
    }

    /** A node takes new pods only when ready and not cordoned. */
    public boolean isSchedulable() {
        return node.ready() && !node.unschedulable();
    }

    void update(Node n) {
        node = n;
        modCount++;
    }

    /** Regions of each FPGA function taken by pods that asked for it, sorted by function. */
    public SortedMap<String, Long> fpgaInUse() {
        return Collections.unmodifiableSortedMap(fpgaInUse);
    }

    /** Regions programmed with {@code function} that no pod of that function uses. */
    public long fpgaProgrammedFree(String function) {
        long offered = node.allocatable().get(Fpga.function(function));
        return offered - fpgaInUse.getOrDefault(function, 0L);
    }

    void place(PodState p) {
        allocated.add(p.pod().requests());
        pods.add(p.uid());
        fpga(p, 1);
        modCount++;
    }

    void remove(PodState p) {
        allocated.subtract(p.pod().requests());
        pods.remove(p.uid());
        fpga(p, -1);
        modCount++;
    }

    private void fpga(PodState p, int sign) {
        SchedulingHints h = p.pod().hints();
        if (h.fpgaFunction().isEmpty()) {
            return;
        }
        long regions = p.pod().requests().get(Fpga.region(h.fpgaInterface()));
        if (regions > 0) {
            fpgaInUse.merge(h.fpgaFunction(), sign * regions, (a, b) -> a + b == 0 ? null : a + b);
        }
    }

    /** Holds (sign 1) or gives back (sign -1) room for a gang slot. */
    void reserve(Resources r, int sign) {
        if (sign > 0) {
            allocated.add(r);
        } else {
            allocated.subtract(r);
        }
        modCount++;
    }
}
