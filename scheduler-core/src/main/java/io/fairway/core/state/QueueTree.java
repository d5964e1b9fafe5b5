package io.fairway.core.state;

import io.fairway.core.config.Acl;
import io.fairway.core.config.ChildTemplate;
import io.fairway.core.config.PartitionConfig;
import io.fairway.core.config.QueueConfig;
import io.fairway.core.placement.QueueLookup;
import io.fairway.core.resources.Resources;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The live queue tree of one partition, by full name: the configured queues and those placement rules created. A
 * dynamic queue is a pure function of its path (its settings come from the nearest child template above it), so the
 * same apps give the same tree in any order and after any restore.
 */
public final class QueueTree implements QueueLookup {
    private final QueueState root;
    private final TreeMap<String, QueueState> byName = new TreeMap<>();
    private final HashMap<String, QueueState> index = new HashMap<>();

    QueueTree(PartitionConfig partition) {
        this.root = build(partition.root(), null);
    }

    private QueueState build(QueueConfig config, QueueState parent) {
        QueueState q = register(new QueueState(config, parent));
        for (QueueConfig child : config.queues()) {
            build(child, q);
        }
        return q;
    }

    private QueueState register(QueueState q) {
        byName.put(q.fullName(), q);
        index.put(q.fullName(), q);
        if (q.parent() != null) {
            q.parent().addChild(q);
        }
        return q;
    }

    @Override
    public QueueConfig config(String fullName) {
        QueueState q = index.get(fullName);
        return q == null ? null : q.config();
    }

    /**
     * Creates a leaf queue that placement chose, with the parents it lacks. The leaf takes the child template of the
     * nearest queue above it that has one (YuniKorn's inheritance); parents made on the way set nothing of their own.
     *
     * @throws IllegalArgumentException when the name is not under root or an existing queue on its path is a leaf
     */
    QueueState addDynamic(String fullName) {
        String[] parts = fullName.split("\\.");
        if (!parts[0].equals(root.fullName())) {
            throw new IllegalArgumentException("dynamic queue " + fullName + " is not under " + root.fullName());
        }
        QueueState q = root;
        for (int i = 1; i < parts.length; i++) {
            QueueState next = index.get(q.fullName() + "." + parts[i]);
            if (next == null) {
                if (q.isLeaf()) {
                    throw new IllegalArgumentException("dynamic queue " + fullName + " cannot go under " + q.fullName()
                            + ", which is a leaf queue");
                }
                boolean leaf = i == parts.length - 1;
                next = register(new QueueState(leaf ? fromTemplate(parts[i], templateFor(q)) : dynamicParent(parts[i]),
                        q, true));
            }
            q = next;
        }
        if (!q.isLeaf()) {
            throw new IllegalArgumentException("queue " + fullName + " is a parent queue, not a leaf for an app");
        }
        return q;
    }

    /** Removes a dynamic queue that holds no app any more, and the dynamic parents it leaves empty. */
    void dropIfUnused(QueueState q) {
        while (q != null && q.isDynamic() && q.apps().isEmpty() && q.children().isEmpty()) {
            byName.remove(q.fullName());
            index.remove(q.fullName());
            q.parent().removeChild(q);
            q = q.parent();
        }
    }

    private static ChildTemplate templateFor(QueueState parent) {
        for (QueueState q = parent; q != null; q = q.parent()) {
            ChildTemplate t = q.config().childTemplate();
            if (t != null && !t.equals(ChildTemplate.NONE)) {
                return t;
            }
        }
        return ChildTemplate.NONE;
    }

    private static QueueConfig fromTemplate(String name, ChildTemplate t) {
        return new QueueConfig(name, false, t.guaranteed(), t.max(), t.maxApplications(), t.properties(), Acl.NOT_SET,
                Acl.NOT_SET, ChildTemplate.NONE, List.of(), List.of());
    }

    private static QueueConfig dynamicParent(String name) {
        return new QueueConfig(name, true, Resources.NONE, Resources.NONE, 0, Map.of(), Acl.NOT_SET, Acl.NOT_SET,
                ChildTemplate.NONE, List.of(), List.of());
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
