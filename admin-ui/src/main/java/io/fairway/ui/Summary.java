package io.fairway.ui;

import io.fairway.core.state.ClusterState;
import io.fairway.core.state.NodeState;
import io.fairway.core.state.AppState;
import io.fairway.core.resources.ResourceCounter;
import java.util.Map;

/**
 * The cluster at a glance.
 *
 * @param leader      the replica that won the newest election in the log, and {@code leaderEpoch} its epoch
 * @param capacity    allocatable of the ready, schedulable nodes
 * @param allocated   what is placed or held on every node
 * @param pendingPods pods of Fairway's apps waiting for a node; {@code runningPods} those placed on one (other
 *                    schedulers' pods show only in the nodes' {@code allocated})
 * @param decisionsApplied decisions of the leaders the log holds up to here: its rate is the console's decisions/s
 */
public record Summary(
        Leadership replica,
        String leader,
        long leaderEpoch,
        int nodes,
        int schedulableNodes,
        Map<String, Long> capacity,
        Map<String, Long> allocated,
        Map<String, Integer> appsByState,
        int pendingPods,
        int runningPods,
        long appliedEvents,
        long ignoredEvents,
        long decisionsApplied,
        long preemptions) {

    /** The same numbers, as seen by {@code replica}. */
    Summary withReplica(Leadership replica) {
        return new Summary(replica, leader, leaderEpoch, nodes, schedulableNodes, capacity, allocated, appsByState,
                pendingPods, runningPods, appliedEvents, ignoredEvents, decisionsApplied, preemptions);
    }

    static Summary of(ClusterState s, Leadership replica) {
        int schedulable = 0;
        ResourceCounter allocated = new ResourceCounter();
        for (NodeState n : s.nodes().values()) {
            allocated.add(n.allocated());
            if (n.isSchedulable()) {
                schedulable++;
            }
        }
        // Counted over the apps, not the pods: the pod map changes shape with every pod that comes or goes, so a walk
        // of it under a busy apply thread rarely finishes; the app map changes only when apps do.
        int pending = 0;
        int running = 0;
        for (AppState a : s.apps().values()) {
            pending += a.pendingPods();
            running += a.placedPods();
        }
        return new Summary(replica, s.leader(), s.leaderEpoch(), s.nodes().size(), schedulable,
                Amounts.of(s.capacity()), Amounts.of(allocated), AppsByState.count(s.apps().values()), pending, running,
                s.appliedCount(), s.ignoredCount(), s.decisionsApplied(), s.preemptions());
    }
}
