package io.fairway.core.scheduler;

import io.fairway.core.objects.Pod;
import io.fairway.core.objects.Topology;
import io.fairway.core.resources.Resources;
import io.fairway.core.scheduler.FairTree.ANode;
import io.fairway.core.scheduler.FairTree.QNode;
import io.fairway.core.state.NodeState;
import io.fairway.core.state.PodState;
import io.fairway.core.state.ReservedSlot;
import java.util.HashMap;
import java.util.Map;

/**
 * An ask placed like any pod: admission, then the first node in policy order that passes every filter, inside the
 * app's topology domain when it has one. An ask that finds no room is told why and handed on to preemption.
 */
final class NodePlacement {
    private final CycleContext c;
    private final Admission admission;
    /** Shapes that found no node this cycle, with why: nodes only fill up within a cycle. */
    private final Map<NodeAsk, CycleContext.Failure> failedShapes = new HashMap<>();

    NodePlacement(CycleContext c, Admission admission) {
        this.c = c;
        this.admission = admission;
    }

    /**
     * @param roomFreed room was given back in this cycle (a member's slot), so shapes that found no node earlier may
     *                  fit now
     * @return whether the ask was placed
     */
    boolean place(QNode leaf, ANode app, PodState ask, boolean roomFreed) {
        Pod pod = ask.pod();
        Resources req = pod.requests();
        Topology topology = pod.hints().topology();
        AdmissionCheck.Refusal refused = admission.admit(c, leaf, app, req, CycleContext.starts(app), false);
        if (refused != null) {
            c.fail(ask, refused.reason());
            if (refused.parentAtMax()) {
                c.wanting.add(new PreemptionStage.Want(ask, placeable(app, NodeAsk.of(pod), topology)));
            }
            return false;
        }
        NodeAsk asked = NodeAsk.of(pod);
        NodeAsk target = topology.isNone() ? asked : asked.inDomain(topology.key(), domainOf(app, topology.key()));
        NodeIndex.Entry node = find(target, roomFreed);
        if (node == null && target != asked && !topology.required()) {
            target = asked;
            node = find(target, roomFreed);
        }
        if (node != null) {
            c.allocate(leaf, app, ask, node, req, null);
            return true;
        }
        CycleContext.Failure known = failedShapes.get(target);
        if (known == null || (known.atAllocations() != c.allocations && !c.alreadyReported(ask, known.key()))) {
            // The counts may have moved since: a reason about to be written is worked out afresh.
            known = noNode(target);
            failedShapes.put(target, known);
        }
        c.fail(ask, known.reason());
        // held to its domain when the domain is required, as target already is; else as it is
        c.wanting.add(new PreemptionStage.Want(ask, topology.isNone() || !topology.required() ? asked : target));
        return false;
    }

    /**
     * The pod as preemption must place it: inside its app's topology domain when the domain is required (room freed
     * elsewhere would be of no use to it), else as it is.
     */
    private NodeAsk placeable(ANode app, NodeAsk asked, Topology topology) {
        return topology.isNone() || !topology.required() ? asked
                : asked.inDomain(topology.key(), domainOf(app, topology.key()));
    }

    /** A node for the pod, or null; shapes that found none this cycle are not tried again. */
    private NodeIndex.Entry find(NodeAsk ask, boolean roomFreed) {
        if (!roomFreed && !failedShapes.isEmpty() && failedShapes.containsKey(ask)) {
            return null;
        }
        NodeIndex.Entry node = c.nodes.firstFit(ask);
        if (node == null) {
            failedShapes.put(ask, noNode(ask));
        }
        return node;
    }

    private CycleContext.Failure noNode(NodeAsk pod) {
        return c.failure(Reasons.noNode(c.nodes.failures(pod), c.nodes.size()));
    }

    /** The domain the app's placed pods (or its gang's slots) are in, or null when none is placed yet. */
    private String domainOf(ANode app, String key) {
        if (!app.domainKnown) {
            app.domainKnown = true;
            for (String n : app.app.nodesInUse().keySet()) {
                String v = labelOf(n, key);
                if (v != null) {
                    app.domain = v;
                    break;
                }
            }
            if (app.domain == null) {
                for (ReservedSlot slot : app.app.gang().slots()) {
                    String v = labelOf(slot.node(), key);
                    if (v != null) {
                        app.domain = v;
                        break;
                    }
                }
            }
        }
        return app.domain;
    }

    private String labelOf(String node, String key) {
        NodeState n = c.state.node(node);
        return n == null ? null : n.node().labels().get(key);
    }
}
