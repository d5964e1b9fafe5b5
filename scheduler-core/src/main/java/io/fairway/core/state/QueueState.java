package io.fairway.core.state;

import io.fairway.core.config.QueueConfig;
import io.fairway.core.resources.ResourceCounter;
import io.fairway.core.resources.Resources;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.SortedMap;
import java.util.TreeMap;

/** A queue of the live tree: its config, and the usage of its subtree. */
public final class QueueState {
    private final String fullName;
    private final QueueConfig config;
    private final QueueState parent;
    private final List<QueueState> children = new ArrayList<>();
    private final TreeMap<String, AppState> apps = new TreeMap<>();
    private final ResourceCounter allocated = new ResourceCounter();
    private final ResourceCounter pending = new ResourceCounter();
    private final int depth;
    private final boolean fairAppOrder;
    private final boolean priorityAppOrder;
    private final boolean dynamic;
    private int appsWithAllocations;

    QueueState(QueueConfig config, QueueState parent) {
        this(config, parent, false);
    }

    /** @param dynamic created by a placement rule, not in the config; it goes when its last app does */
    QueueState(QueueConfig config, QueueState parent, boolean dynamic) {
        this.dynamic = dynamic;
        this.config = config;
        this.parent = parent;
        this.fullName = parent == null ? config.name() : parent.fullName + "." + config.name();
        this.depth = parent == null ? 0 : parent.depth + 1;
        this.fairAppOrder = "fair".equals(property("application.sort.policy", "fifo").toLowerCase(Locale.ROOT));
        this.priorityAppOrder = !"disabled".equals(property("application.sort.priority", "enabled").toLowerCase(Locale.ROOT));
    }

    public String fullName() {
        return fullName;
    }

    public QueueConfig config() {
        return config;
    }

    public QueueState parent() {
        return parent;
    }

    /** Children in name order. */
    public List<QueueState> children() {
        return Collections.unmodifiableList(children);
    }

    /** Created by a placement rule ({@code create: true}) rather than configured. */
    public boolean isDynamic() {
        return dynamic;
    }

    public boolean isLeaf() {
        return !config.isParent();
    }

    public int depth() {
        return depth;
    }

    public Resources guaranteed() {
        return config.guaranteed();
    }

    public Resources max() {
        return config.max();
    }

    /** Usage of the whole subtree. */
    public ResourceCounter allocated() {
        return allocated;
    }

    /** Pending asks of the whole subtree. */
    public ResourceCounter pending() {
        return pending;
    }

    /** Apps of a leaf queue by id. */
    public SortedMap<String, AppState> apps() {
        return Collections.unmodifiableSortedMap(apps);
    }

    /** {@code application.sort.policy: fair}: apps ordered by usage rather than by submission. */
    public boolean fairAppOrder() {
        return fairAppOrder;
    }

    /** {@code application.sort.priority} (on unless disabled): apps with higher-priority asks first. */
    public boolean priorityAppOrder() {
        return priorityAppOrder;
    }

    /** Apps that hold at least one allocation, counted against {@code maxapplications}. */
    public int runningApps() {
        return appsWithAllocations;
    }

    /** A property as written on this queue or inherited from the nearest ancestor that sets it. */
    public String property(String key, String fallback) {
        for (QueueState q = this; q != null; q = q.parent) {
            String v = q.config.properties().get(key);
            if (v != null) {
                return v;
            }
        }
        return fallback;
    }

    void addChild(QueueState child) {
        children.add(child);
        children.sort((a, b) -> a.fullName.compareTo(b.fullName));
    }

    void removeChild(QueueState child) {
        children.remove(child);
    }

    void addApp(AppState app) {
        apps.put(app.appId(), app);
    }

    void removeApp(String appId) {
        apps.remove(appId);
    }

    void runningAppsDelta(int delta) {
        for (QueueState q = this; q != null; q = q.parent) {
            q.appsWithAllocations += delta;
        }
    }

    void addAllocated(Resources r) {
        for (QueueState q = this; q != null; q = q.parent) {
            q.allocated.add(r);
        }
    }

    void subtractAllocated(Resources r) {
        for (QueueState q = this; q != null; q = q.parent) {
            q.allocated.subtract(r);
        }
    }

    void addPending(Resources r) {
        for (QueueState q = this; q != null; q = q.parent) {
            q.pending.add(r);
        }
    }

    void subtractPending(Resources r) {
        for (QueueState q = this; q != null; q = q.parent) {
            q.pending.subtract(r);
        }
    }

    @Override
    public String toString() {
        return fullName;
    }
}
