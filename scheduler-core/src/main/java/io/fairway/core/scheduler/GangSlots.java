package io.fairway.core.scheduler;

import io.fairway.core.objects.Pod;
import io.fairway.core.resources.Resources;
import io.fairway.core.scheduler.FairTree.ANode;
import io.fairway.core.scheduler.FairTree.QNode;
import io.fairway.core.state.AppState;
import io.fairway.core.state.Gang;
import io.fairway.core.state.PodState;
import io.fairway.core.state.ReservedSlot;
import java.util.HashMap;

/**
 * Members of a gang that holds slots: a member goes into a free slot of its task group on the slot's node (the slot
 * grown by what it asks beyond it), or, fitting none, gives one slot back and is placed like any pod.
 */
final class GangSlots {
    private final CycleContext c;
    private final Admission admission;

    GangSlots(CycleContext c, Admission admission) {
        this.c = c;
        this.admission = admission;
    }

    /** @return whether the member was placed into one of its group's slots */
    boolean intoSlot(QNode leaf, ANode app, PodState ask) {
        Pod pod = ask.pod();
        String group = pod.hints().taskGroup();
        if (group.isEmpty() || !usable(app.app)) {
            return false;
        }
        if (app.slotCursor == null) {
            app.slotCursor = new HashMap<>();
        }
        int from = app.slotCursor.getOrDefault(group, 0);
        boolean prefixTaken = true;
        for (ReservedSlot slot : app.app.gang().freeSlots(group, from)) {
            if (c.inFlight.isSlotTaken(app.app.appId(), slot.id())) {
                if (prefixTaken) {
                    app.slotCursor.put(group, slot.id() + 1);
                }
                continue;
            }
            prefixTaken = false;
            NodeIndex.Entry e = c.nodes.entry(slot.node());
            if (e == null) {
                continue;
            }
            // Judged as apply will judge it: the whole pod on the node and in the queues, with the slot given back.
            // A member into its gang's slot was let in with the reservation: it starts nothing (no maxapplications).
            book(leaf, app, slot, -1);
            boolean fits = c.nodes.rejectOn(pod, e) == null
                    && admission.admit(c, leaf, app, pod.requests(), false, false) == null;
            book(leaf, app, slot, 1);
            if (fits) {
                c.allocate(leaf, app, ask, e, growth(pod.requests(), slot.resources()), slot);
                return true;
            }
        }
        return false;
    }

    /** The slot a member that fits none of its group's free slots gives back, or null (none, or not a member). */
    ReservedSlot toGiveBack(ANode app, Pod pod) {
        String group = pod.hints().taskGroup();
        if (group.isEmpty() || !usable(app.app)) {
            return null;
        }
        int from = app.slotCursor == null ? 0 : app.slotCursor.getOrDefault(group, 0);
        for (ReservedSlot slot : app.app.gang().freeSlots(group, from)) {
            if (!c.inFlight.isSlotTaken(app.app.appId(), slot.id())) {
                return slot;
            }
        }
        return null;
    }

    /** Counts (sign 1) or stops counting (sign -1) a slot's room in this cycle's nodes, queues and user limits. */
    void book(QNode leaf, ANode app, ReservedSlot slot, int sign) {
        c.bookHeld(leaf, app, c.nodes.entry(slot.node()), slot.resources(), sign);
    }

    private boolean usable(AppState app) {
        return app.gang().status() == Gang.Status.RESERVED && c.inFlight.release(app.appId()) == null;
    }

    /** What a pod asks beyond its slot, per resource: the room its slot must grow by on the slot's node. */
    static Resources growth(Resources req, Resources slot) {
        Resources.Builder b = Resources.builder();
        for (int i = 0; i < req.size(); i++) {
            int id = req.idAt(i);
            long extra = req.valueAt(i) - slot.get(id);
            if (extra > 0) {
                b.set(id, extra);
            }
        }
        return b.build();
    }
}
