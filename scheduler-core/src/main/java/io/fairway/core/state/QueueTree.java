package io.fairway.core.state;

import io.fairway.core.config.PartitionConfig;
import io.fairway.core.config.QueueConfig;
import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;

/** The live queue tree of one partition, by full name. */
public final class QueueTree {
    private final QueueState root;
    private final TreeMap<String, QueueState> byName = new TreeMap<>();
    private final java.util.HashMap<String, QueueState> index = new java.util.HashMap<>();

    QueueTree(PartitionConfig partition) {
        this.root = build(partition.root(), null);
    }

    private QueueState build(QueueConfig config, QueueState parent) {
        QueueState q = new QueueState(config, parent);
        byName.put(q.fullName(), q);
        index.put(q.fullName(), q);
        if (parent != null) {
            parent.addChild(q);
        }
        for (QueueConfig child : config.queues()) {
            build(child, q);
        }
        return q;
    }

    public QueueState root() {
        return root;
    }

    /** A queue by full name, or null. */
    public QueueState get(String fullName) {
        return index.get(fullName);
    }

    public SortedMap<String, QueueState> all() {
        return Collections.unmodifiableSortedMap(byName);
    }

    /** YuniKorn names queues from the root; a name without the {@code root.} prefix gets it, as the k8shim does. */
    public static String normalize(String queue) {
        if (queue == null || queue.isBlank()) {
            return "";
        }
        String q = queue.trim();
        return q.equals("root") || q.startsWith("root.") ? q : "root." + q;
    }
}
