package io.fairway.core.state;

import io.fairway.core.config.GoDuration;
import io.fairway.core.config.QueueConfig;
import io.fairway.core.config.QueueProperties;
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
    private final int priorityOffset;
    private final boolean priorityFence;
    private final String preemptionPolicy;
    private final long preemptionDelayMillis;
    private final long quotaPreemptionDelayMillis;

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
        // An offset and a fence belong to the queue that sets them; only "disabled" preemption passes down.
        this.priorityOffset = own(QueueProperties.PRIORITY_OFFSET).isEmpty() ? 0
                : Integer.parseInt(own(QueueProperties.PRIORITY_OFFSET).trim());
        this.priorityFence = "fence".equalsIgnoreCase(own(QueueProperties.PRIORITY_POLICY).trim());
        String policy = own(QueueProperties.PREEMPTION_POLICY).trim().toLowerCase(Locale.ROOT);
        if (policy.isEmpty() || !policy.equals("disabled") && !policy.equals("fence")) {
            policy = parent != null && parent.preemptionPolicy.equals("disabled") ? "disabled" : "default";
        }
        this.preemptionPolicy = policy;
        this.preemptionDelayMillis = duration(property(QueueProperties.PREEMPTION_DELAY, ""), DEFAULT_PREEMPTION_DELAY);
        this.quotaPreemptionDelayMillis = duration(property(QueueProperties.QUOTA_PREEMPTION_DELAY, ""), 0);
    }

    /** YuniKorn's default wait before an ask may preempt. */
    public static final long DEFAULT_PREEMPTION_DELAY = 30_000;

    private String own(String key) {
        String v = config.properties().get(key);
        return v == null ? "" : v;
    }

    private static long duration(String value, long fallback) {
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            return GoDuration.parse(value.trim()).toMillis();
        } catch (IllegalArgumentException e) {
            // The validator rejects such a config; a snapshot of an older one must still load.
            return fallback;
        }
    }

    /** {@code priority.offset} of this queue (not inherited). */
    public int priorityOffset() {
        return priorityOffset;
    }

    /** {@code priority.policy: fence}: the priorities below this queue are not seen above it, only its offset. */
    public boolean priorityFence() {
        return priorityFence;
    }

    /** {@code preemption.policy} in force: {@code default}, {@code fence} (own only) or {@code disabled} (inherited). */
    public String preemptionPolicy() {
        return preemptionPolicy;
    }

    /** {@code preemption.delay} (inherited, default 30 s): how long an ask waits before it may preempt. */
    public long preemptionDelayMillis() {
        return preemptionDelayMillis;
    }

    /** {@code quota.preemption.delay} (inherited, default 0 = off): how long after a max is lowered it is enforced. */
    public long quotaPreemptionDelayMillis() {
        return quotaPreemptionDelayMillis;
    }

    /** Whether {@code q} is this queue or below it. */
    public boolean contains(QueueState q) {
        for (QueueState x = q; x != null; x = x.parent) {
            if (x == this) {
                return true;
            }
        }
        return false;
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
