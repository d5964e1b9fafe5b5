package io.fairway.core.state;

import io.fairway.core.placement.Submission;
import io.fairway.core.resources.ResourceCounter;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/** An application: the pods that share an app id, queued together in one leaf queue. */
public final class AppState {
    public enum Status { ACCEPTED, RUNNING, COMPLETED, REJECTED, FAILED }

    private final String appId;
    private final String requestedQueue;
    private final String user;
    private final long submissionTime;
    private final Submission submission;
    private String queue;
    private String rejection = "";
    private final TreeSet<PodState> pending = new TreeSet<>(PodState.ASK_ORDER);
    private final ResourceCounter allocated = new ResourceCounter();
    private final ResourceCounter pendingResources = new ResourceCounter();
    private int placedPods;
    private int completedPods;
    private int podCount;
    private final Gang gang;
    private final StateChanges changes;
    /** Nodes the app's placed pods are on, with how many: where its topology domain is. */
    private final TreeMap<String, Integer> nodesInUse = new TreeMap<>();
    /** Event time at which a pod of the app was last chosen as a preemption victim, 0 when never. */
    private long lastPreemptedAt;

    AppState(String appId, String requestedQueue, String user, long submissionTime, Submission submission,
             StateChanges changes) {
        this.submission = submission;
        this.appId = appId;
        this.requestedQueue = requestedQueue;
        this.user = user;
        this.submissionTime = submissionTime;
        this.queue = requestedQueue;
        this.changes = changes;
        this.gang = new Gang(changes, appId);
    }

    public String appId() {
        return appId;
    }

    /** The leaf queue (full name) the app is in; empty when rejected. */
    public String queue() {
        return queue;
    }

    /** The queue the app asked for, before resolution. */
    public String requestedQueue() {
        return requestedQueue;
    }

    public String user() {
        return user;
    }

    /** What placement rules read: the first pod's queue, user, groups, namespace and labels. */
    public Submission submission() {
        return submission;
    }

    /** Time of the event that first showed the app: its FIFO position. */
    public long submissionTime() {
        return submissionTime;
    }

    /** Why the app cannot be scheduled (queue missing, …); empty when it can. */
    public String rejection() {
        return rejection;
    }

    /** Pending asks in the order they should be tried. */
    public NavigableSet<PodState> pendingAsks() {
        return Collections.unmodifiableNavigableSet(pending);
    }

    public ResourceCounter allocated() {
        return allocated;
    }

    public ResourceCounter pendingResources() {
        return pendingResources;
    }

    public int placedPods() {
        return placedPods;
    }

    public int pendingPods() {
        return pending.size();
    }

    public int completedPods() {
        return completedPods;
    }

    public int podCount() {
        return podCount;
    }

    /** The highest priority among pending asks, for priority-aware app ordering. */
    public int pendingPriority() {
        return pending.isEmpty() ? Integer.MIN_VALUE : pending.first().pod().priority();
    }

    /** The app's gang; {@link Gang.Status#NONE} for an app without task groups. */
    public Gang gang() {
        return gang;
    }

    /** Nodes its placed pods are on, sorted, with how many pods each. */
    public SortedMap<String, Integer> nodesInUse() {
        return Collections.unmodifiableSortedMap(nodesInUse);
    }

    public Status status() {
        if (gang.status() == Gang.Status.FAILED) {
            return Status.FAILED;
        }
        if (!rejection.isEmpty()) {
            return Status.REJECTED;
        }
        if (placedPods > 0) {
            return Status.RUNNING;
        }
        if (pending.isEmpty() && completedPods > 0) {
            return Status.COMPLETED;
        }
        return completedPods > 0 ? Status.RUNNING : Status.ACCEPTED;
    }

    void queue(String q, String why) {
        changes.app(appId);
        queue = q;
        rejection = why;
    }

    void podAdded() {
        podCount++;
    }

    void podRemoved() {
        podCount--;
    }

    void addPending(PodState p) {
        pending.add(p);
        pendingResources.add(p.pod().requests());
    }

    void removePending(PodState p) {
        pending.remove(p);
        pendingResources.subtract(p.pod().requests());
    }

    void addPlaced(PodState p) {
        placedPods++;
        nodesInUse.merge(p.node(), 1, Integer::sum);
        allocated.add(p.pod().requests());
    }

    void removePlaced(PodState p) {
        placedPods--;
        nodesInUse.computeIfPresent(p.node(), (k, v) -> v == 1 ? null : v - 1);
        allocated.subtract(p.pod().requests());
    }

    /**
     * When a pod of the app was last chosen as a preemption victim (event time), 0 when never: an app that just lost
     * pods does not preempt others at once, or two apps could take turns evicting each other.
     */
    public long lastPreemptedAt() {
        return lastPreemptedAt;
    }

    void lastPreemptedAt(long t) {
        changes.app(appId);
        lastPreemptedAt = t;
    }

    void completed(int delta) {
        completedPods += delta;
    }
}
