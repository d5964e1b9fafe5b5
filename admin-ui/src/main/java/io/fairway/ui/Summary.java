package io.fairway.ui;

import io.fairway.core.state.ClusterState;
import io.fairway.core.state.NodeState;
import io.fairway.core.state.PodState;
import io.fairway.core.resources.ResourceCounter;
import java.util.Map;

/**
 * The cluster at a glance.
 *
 * @param leader      the replica that won the newest election in the log, and {@code leaderEpoch} its epoch
 * @param capacity    allocatable of the ready, schedulable nodes
 * @param allocated   what is placed or held on every node
 * @param pendingPods our pods waiting for a node; {@code runningPods} pods placed on one
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
        long preemptions) {

    static Summary of(ClusterState s, Leadership replica) {
        int schedulable = 0;
        ResourceCounter allocated = new ResourceCounter();
        for (NodeState n : s.nodes().values()) {
            allocated.add(n.allocated());
            if (n.isSchedulable()) {
                schedulable++;
            }
        }
        int pending = 0;
        int running = 0;
        for (PodState p : s.pods()) {
            if (p.role() == PodState.Role.PENDING) {
                pending++;
            } else if (p.role() == PodState.Role.PLACED) {
                running++;
            }
        }
        return new Summary(replica, s.leader(), s.leaderEpoch(), s.nodes().size(), schedulable,
                Amounts.of(s.capacity()), Amounts.of(allocated), AppsByState.count(s.apps().values()), pending, running,
                s.appliedCount(), s.ignoredCount(), s.preemptions());
    }
}
