package io.fairway.core.scheduler;

import io.fairway.core.events.PreemptionRequested;
import io.fairway.core.state.AppState;
import io.fairway.core.state.ClusterState;
import io.fairway.core.state.PodState;
import io.fairway.core.state.QueueHeadroom;
import io.fairway.core.state.QueueState;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A cycle's last stage: preemption for the asks that found no room, in the fair order they were tried, then quota
 * preemption of queues left above a lowered max. Victims are chosen by {@link PreemptionPlanner} over the cycle's
 * view of queue use; the decisions go to the cycle, which commits them like any other.
 */
final class PreemptionStage {
    /** An ask that found no room, and how it must be placed (its topology domain in its node selector). */
    record Want(PodState ask, NodeAsk target) {
    }

    /** Asks that find the same victims or none: same leaf, same shape of what they need, same priority. */
    private record AlikeAsk(String leaf, NodeAsk shape, int priority) {
    }

    private final ClusterState state;
    private final NodeIndex nodes;
    private final InFlight inFlight;
    private final QueueHeadroom.Usage use;
    private PreemptionPlanner planner;

    PreemptionStage(ClusterState state, NodeIndex nodes, InFlight inFlight, QueueHeadroom.Usage use) {
        this.state = state;
        this.nodes = nodes;
        this.inFlight = inFlight;
        this.use = use;
    }

    /** Decides the preemptions of this cycle and hands each to {@code record}, in order. */
    void decide(long now, long epoch, List<Want> wanting, Consumer<PreemptionRequested> record) {
        boolean quota = PreemptionPlanner.quotaEnabled(state);
        if (wanting.isEmpty() && !quota) {
            return;
        }
        Set<String> seen = new HashSet<>();
        // Asks alike (same leaf, shape and priority) find the same victims or none: one that found none is not
        // tried again this cycle, and the tries are capped, so thousands of waiting asks cost a few searches.
        Set<AlikeAsk> fruitless = new HashSet<>();
        int tries = 0;
        for (Want want : wanting) {
            PodState ask = want.ask();
            if (!seen.add(ask.uid()) || inFlight.isAllocated(ask.uid())) {
                continue;
            }
            AppState app = state.app(ask.pod().appId());
            QueueState leaf = app == null ? null : state.queues().get(app.queue());
            if (leaf == null) {
                continue;
            }
            PreemptionPlanner p = planner();
            if (p.full()) {
                break;
            }
            if (!p.mayPreempt(ask, app, leaf, now)) {
                continue;
            }
            AlikeAsk alike = new AlikeAsk(leaf.fullName(), want.target(), ask.pod().priority());
            if (fruitless.contains(alike)) {
                continue;
            }
            if (++tries > PreemptionPlanner.MAX_TRIES_PER_CYCLE) {
                break;
            }
            PreemptionPlanner.Plan plan = p.plan(ask, want.target(), leaf);
            if (plan == null) {
                fruitless.add(alike);
            } else {
                record.accept(new PreemptionRequested(now, epoch, plan.kind(), ask.uid(), plan.node(),
                        plan.victimUids(), plan.reason()));
            }
        }
        if (quota) {
            for (PreemptionPlanner.Plan plan : planner().quota(now)) {
                record.accept(new PreemptionRequested(now, epoch, plan.kind(), "", "", plan.victimUids(), plan.reason()));
            }
        }
    }

    private PreemptionPlanner planner() {
        if (planner == null) {
            planner = new PreemptionPlanner(state, nodes, inFlight, use);
        }
        return planner;
    }
}
