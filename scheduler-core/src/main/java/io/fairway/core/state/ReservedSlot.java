package io.fairway.core.state;

import io.fairway.core.resources.Resources;

/**
 * Room held on a node for one member of a gang's task group. Free while {@link #podUid()} is empty: its resources then
 * count on the node, the queue and the app as if a pod ran there. Used once a member pod took it (bound into it, or
 * placed elsewhere because it did not fit): the pod counts from then on, the slot nothing.
 *
 * @param id stable within its app, assigned by apply in log order
 */
public record ReservedSlot(int id, String group, String node, Resources resources, String podUid) {
    public ReservedSlot {
        podUid = podUid == null ? "" : podUid;
    }

    public boolean isFree() {
        return podUid.isEmpty();
    }

    ReservedSlot usedBy(String uid) {
        return new ReservedSlot(id, group, node, resources, uid);
    }
}
