package io.fairway.core.scheduler;

import io.fairway.core.events.Allocated;
import io.fairway.core.events.Decision;
import io.fairway.core.events.Unschedulable;
import io.fairway.core.objects.Fpga;
import io.fairway.core.objects.Pod;
import io.fairway.core.objects.Topology;
import io.fairway.core.resources.Resources;
import io.fairway.core.scheduler.FairTree.ANode;
import io.fairway.core.scheduler.FairTree.QNode;
import io.fairway.core.state.ClusterState;
import io.fairway.core.state.PodState;
import io.fairway.core.state.QueueHeadroom;
import io.fairway.core.state.ReservedSlot;
import java.util.ArrayList;
import java.util.List;

/**
 * What the stages of one cycle share (kube-scheduler's CycleState): the state and overlay they read, the room booked
 * so far in nodes, queues and user limits, and the decisions made. Stages change the cycle only through it, so an
 * allocation or a reason is recorded one way whichever stage makes it.
 */
final class CycleContext {
    /** A reason worked out at a point of the cycle. @param atAllocations the cycle's allocation count then */
    record Failure(String key, String message, int atAllocations) {
        Reasons.Reason reason() {
            return new Reasons.Reason(key, message);
        }
    }

    final long now;
    final long epoch;
    final ClusterState state;
    final InFlight inFlight;
    final NodeIndex nodes;
    /** The queues and apps with asks, in their fair order, with this cycle's use. */
    final FairTree tree;
    /** Queue use as this cycle sees it: committed, in flight and booked in the cycle. */
    final QueueHeadroom.Usage use;
    /** User and group limits, with their use in flight and booked in this cycle. */
    final UserGroupLimits limits;
    final List<Decision> decisions = new ArrayList<>();
    /** Asks that found no room (no node, or a parent queue at max), in the order they were tried: for preemption. */
    final List<PreemptionStage.Want> wanting = new ArrayList<>();
    int allocations;
    int unschedulable;
    int tried;

    CycleContext(long now, long epoch, ClusterState state, InFlight inFlight, NodeIndex nodes) {
        this.now = now;
        this.epoch = epoch;
        this.state = state;
        this.inFlight = inFlight;
        this.nodes = nodes;
        this.tree = new FairTree(state, inFlight);
        this.use = tree.usage();
        this.limits = new UserGroupLimits(state.userGroups());
    }

    /** A decision that changes nothing the cycle counts (a release, a reservation booked by its stage). */
    void decide(Decision d) {
        decisions.add(d);
    }

    /** A failure worded by {@link Reasons}, at this point of the cycle. */
    Failure failure(Reasons.Reason r) {
        return new Failure(r.key(), r.message(), allocations);
    }

    boolean alreadyReported(PodState ask, String key) {
        return key.equals(ask.waitKey()) || key.equals(inFlight.reportedReason(ask.uid()));
    }

    /** The ask waits for this reason; said once, not again while it stays the same. */
    void fail(PodState ask, Reasons.Reason r) {
        if (alreadyReported(ask, r.key())) {
            return;
        }
        Unschedulable u = new Unschedulable(now, epoch, ask.uid(), r.key(), r.message());
        inFlight.add(u);
        decisions.add(u);
        unschedulable++;
    }

    /** Whether the app's next placement starts it (it runs nothing and has no gang slots to come into). */
    static boolean starts(ANode app) {
        return app.app.placedPods() == 0 && !app.started && !app.app.gang().hasFreeSlots();
    }

    boolean overMax(QNode leaf, Resources r) {
        return QueueHeadroom.overMax(leaf.queue, r, use) != null;
    }

    /**
     * Places the ask on the node.
     *
     * @param booked what the allocation adds to the node and queues: the pod's requests, or for a pod into its gang
     *               slot only what it asks beyond the slot
     * @param slot   the gang slot the pod takes, or null
     */
    void allocate(QNode leaf, ANode app, PodState ask, NodeIndex.Entry node, Resources booked, ReservedSlot slot) {
        Pod pod = ask.pod();
        String fpga = "";
        String fn = pod.hints().fpgaFunction();
        long regions = fn.isEmpty() ? 0 : pod.requests().get(Fpga.region(pod.hints().fpgaInterface()));
        if (regions > 0) {
            fpga = node.programmedFree(fn) >= regions ? Allocated.FPGA_PROGRAMMED : Allocated.FPGA_REPROGRAM;
        }
        Allocated a = new Allocated(now, epoch, ask.uid(), node.name, leaf.queue.fullName(), fpga);
        inFlight.add(a, booked);
        if (slot != null) {
            inFlight.takeSlot(ask.uid(), app.app.appId(), slot.id());
        }
        if (regions > 0) {
            nodes.reserveFpga(node, fn, regions);
            inFlight.addFpga(ask.uid(), node.name, fn, regions);
        }
        decisions.add(a);
        allocations++;
        nodes.reserve(node, booked);
        book(leaf, app, booked);
        Topology topology = pod.hints().topology();
        if (!topology.isNone() && app.domain == null) {
            app.domain = node.state.node().labels().get(topology.key());
            app.domainKnown = app.domain != null;
        }
    }

    /**
     * Counts (sign 1) or stops counting (sign -1) room already held (a gang slot, a preemptor's room) on its node, in
     * the leaf and its parents and in the app's user and groups: a stage gives it back to judge an ask as apply will,
     * then books it again. {@code node} may be null (the node is gone): the queues and limits are still counted.
     */
    void bookHeld(QNode leaf, ANode app, NodeIndex.Entry node, Resources held, int sign) {
        limits.book(app.app, leaf.queue.fullName(), held, sign, false);
        if (node != null) {
            if (sign > 0) {
                nodes.reserve(node, held);
            } else {
                nodes.unreserve(node, held);
            }
        }
        tree.bookQueues(leaf, held, sign);
    }

    /** Counts room taken in this cycle against the leaf, its parents, the app and its user and groups. */
    void book(QNode leaf, ANode app, Resources req) {
        tree.bookQueues(leaf, req, 1);
        for (int i = 0, n = req.size(); i < n; i++) {
            app.used[req.idAt(i)] += req.valueAt(i);
        }
        boolean starts = app.app.placedPods() == 0 && !app.started;
        limits.book(app.app, leaf.queue.fullName(), req, 1, starts);
        if (starts) {
            app.started = true;
            for (QNode q = leaf; q != null; q = q.parent) {
                q.startedApps++;
            }
        }
    }
}
