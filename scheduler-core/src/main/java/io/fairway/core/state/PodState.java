package io.fairway.core.state;

import io.fairway.core.objects.Pod;
import java.util.Comparator;

/** A pod and what the scheduler made of it: its app and queue, where it is charged, why it waits. */
public final class PodState {
    /** Asks in an app: higher priority first, then older, then by uid so that the order is total. */
    public static final Comparator<PodState> ASK_ORDER = Comparator
            .comparingInt((PodState p) -> -p.pod.priority())
            .thenComparingLong(p -> p.pod.creationTime())
            .thenComparing(PodState::uid);

    public enum Role {
        /** Waiting for a node: an ask of its app. */
        PENDING,
        /** Allocated by us (bound or not yet) or bound by whoever: uses room on {@link #node()}. */
        PLACED,
        /** Succeeded or failed: uses nothing. */
        TERMINAL,
        /** Another scheduler's pod that is not on a node: nothing to do with us. */
        IGNORED
    }

    private Pod pod;
    private final boolean ours;
    private Role role;
    private String node = "";
    private boolean bound;
    private long allocationEpoch;
    private String waitKey = "";
    private String waitMessage = "";
    private long waitingSince;
    private String preemptedBy = "";
    private long preemptedAt;
    private String holdNode = "";
    private long holdSince;

    /** Where the state records that this pod's stored form changed. */
    private final StateChanges changes;

    PodState(Pod pod, boolean ours, StateChanges changes) {
        this.pod = pod;
        this.ours = ours;
        this.changes = changes;
    }

    public Pod pod() {
        return pod;
    }

    public String uid() {
        return pod.uid();
    }

    /** Scheduled by Fairway (its schedulerName is ours) rather than only counted. */
    public boolean isOurs() {
        return ours;
    }

    public Role role() {
        return role;
    }

    /** The node the pod is charged to, empty when none. */
    public String node() {
        return node;
    }

    /** The API server shows the pod on {@link #node()}. */
    public boolean isBound() {
        return bound;
    }

    /** The leader epoch that allocated the pod, 0 when we did not. */
    public long allocationEpoch() {
        return allocationEpoch;
    }

    /** Key of the last reason the pod could not be placed, empty when none was recorded. */
    public String waitKey() {
        return waitKey;
    }

    public String waitMessage() {
        return waitMessage;
    }

    /** Event time at which the current wait reason was first recorded. */
    public long waitingSince() {
        return waitingSince;
    }

    /**
     * Empty unless the pod was chosen as a preemption victim: then the preemptor's uid, or {@link #QUOTA} for a
     * victim of a lowered max. A victim keeps its room until it is gone.
     */
    public String preemptedBy() {
        return preemptedBy;
    }

    public boolean isPreempted() {
        return !preemptedBy.isEmpty();
    }

    /** Event time of the preemption that chose the pod as a victim, 0 when none did. */
    public long preemptedAt() {
        return preemptedAt;
    }

    /** For a pending preemptor, the node whose freed room is held for it; empty otherwise. */
    public String holdNode() {
        return holdNode;
    }

    public boolean holdsRoom() {
        return !holdNode.isEmpty();
    }

    /** Event time at which the room was first held. */
    public long holdSince() {
        return holdSince;
    }

    /** The {@link #preemptedBy()} of a victim of quota preemption. */
    public static final String QUOTA = "quota";

    void preempted(String by, long at) {
        changes.pod(uid());
        preemptedBy = by;
        preemptedAt = at;
    }

    void hold(String node, long since) {
        changes.pod(uid());
        holdNode = node;
        holdSince = since;
    }

    void pod(Pod p) {
        changes.pod(uid());
        pod = p;
    }

    void role(Role r) {
        changes.pod(uid());
        role = r;
    }

    void node(String n, boolean isBound, long epoch) {
        changes.pod(uid());
        node = n;
        bound = isBound;
        allocationEpoch = epoch;
    }

    void wait(String key, String message, long since) {
        changes.pod(uid());
        waitKey = key;
        waitMessage = message;
        waitingSince = since;
    }
}
