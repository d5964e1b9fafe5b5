package io.fairway.core.state;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What applying events changed in a state since it was last drained ({@link ClusterState#drainChanges}): the pods,
 * apps and nodes whose stored form may differ, and the pods deleted, in the order their tombstones were laid. Marked
 * where the state changes them, so whoever persists the state writes exactly those rows. Off until the first drain:
 * a state nobody persists (the simulator, a benchmark) pays nothing for it.
 */
public final class StateChanges {
    private final LinkedHashSet<String> pods = new LinkedHashSet<>();
    private final LinkedHashSet<String> apps = new LinkedHashSet<>();
    private final LinkedHashSet<String> nodes = new LinkedHashSet<>();
    private final List<String> tombstoned = new ArrayList<>();
    private boolean recording;

    void pod(String uid) {
        if (recording) {
            pods.add(uid);
        }
    }

    void app(String appId) {
        if (recording) {
            apps.add(appId);
        }
    }

    void node(String name) {
        if (recording) {
            nodes.add(name);
        }
    }

    void tombstone(String uid) {
        if (recording) {
            tombstoned.add(uid);
        }
    }

    /** Pods added, changed or removed (a removed one is no longer in the state). */
    public Set<String> pods() {
        return Collections.unmodifiableSet(pods);
    }

    /** Apps added, changed (placement, gang, preemption time) or removed. */
    public Set<String> apps() {
        return Collections.unmodifiableSet(apps);
    }

    /** Nodes observed, changed or gone. */
    public Set<String> nodes() {
        return Collections.unmodifiableSet(nodes);
    }

    /** Uids given a tombstone, oldest first. */
    public List<String> tombstoned() {
        return Collections.unmodifiableList(tombstoned);
    }

    /** Whether these changes are all there were: false for the first drain, which only starts the recording. */
    public boolean recorded() {
        return recording;
    }

    /** Hands over what was recorded and starts afresh, recording from now on. */
    StateChanges drain() {
        StateChanges out = new StateChanges();
        out.recording = recording;
        out.pods.addAll(pods);
        out.apps.addAll(apps);
        out.nodes.addAll(nodes);
        out.tombstoned.addAll(tombstoned);
        pods.clear();
        apps.clear();
        nodes.clear();
        tombstoned.clear();
        recording = true;
        return out;
    }
}
