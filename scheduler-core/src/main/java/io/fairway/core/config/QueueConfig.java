package io.fairway.core.config;

import io.fairway.core.resources.Resources;
import java.util.List;
import java.util.Map;

/**
 * One queue of the tree as configured. {@code name} is the short name; full names ({@code root.a.b}) are built
 * by the tree. A queue is a parent when it has children or says {@code parent: true}.
 *
 * @param maxApplications 0 means no limit, as in YuniKorn
 * @param properties      as written; inheritance from the parent is applied by the tree
 */
public record QueueConfig(
        String name,
        boolean parent,
        Resources guaranteed,
        Resources max,
        long maxApplications,
        Map<String, String> properties,
        Acl submitAcl,
        Acl adminAcl,
        ChildTemplate childTemplate,
        List<QueueConfig> queues,
        List<Limit> limits) {
    public QueueConfig {
        properties = Map.copyOf(properties);
        queues = List.copyOf(queues);
        limits = List.copyOf(limits);
    }

    public boolean isParent() {
        return parent || !queues.isEmpty();
    }

    /** This queue and every queue below it. */
    public int queueCount() {
        int n = 1;
        for (QueueConfig c : queues) {
            n += c.queueCount();
        }
        return n;
    }
}
