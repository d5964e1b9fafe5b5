package io.fairway.core.state;

import io.fairway.core.objects.Node;
import io.fairway.core.resources.ResourceCounter;
import java.util.Collections;
import java.util.SortedSet;
import java.util.TreeSet;

/** A node with what is placed on it: our allocations and pods bound by other schedulers alike. */
public final class NodeState {
    private Node node;
    private final ResourceCounter allocated = new ResourceCounter();
    private final TreeSet<String> pods = new TreeSet<>();
    private long modCount;

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

    void place(PodState p) {
        allocated.add(p.pod().requests());
        pods.add(p.uid());
        modCount++;
    }

    void remove(PodState p) {
        allocated.subtract(p.pod().requests());
        pods.remove(p.uid());
        modCount++;
    }
}
