package io.fairway.core.scheduler;

import io.fairway.core.events.GangReserved;
import io.fairway.core.objects.TaskGroup;
import io.fairway.core.objects.Topology;
import io.fairway.core.resources.ResourceNames;
import io.fairway.core.resources.Resources;
import io.fairway.core.state.AppState;
import io.fairway.core.state.ClusterState;
import io.fairway.core.state.Gang;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Finds room for every missing member of a gang at once, or none: group by group, each member on the first node that
 * fits its task group's resources, selector, affinity and tolerations, in a topology domain when the gang asks for
 * one (the domain where it fits tightest). The slots found stay booked in the node index; a search that fails leaves
 * the index as it was and says why, naming the group that found no room.
 */
final class GangSlotSearch {
    /** One try at a whole reservation: the slots found, or why not (with the index left as it was). */
    record Attempt(List<GangReserved.Slot> slots, List<NodeIndex.Entry> entries, Reasons.Reason failure, int placed) {
    }

    private final ClusterState state;
    private final NodeIndex nodes;

    GangSlotSearch(ClusterState state, NodeIndex nodes) {
        this.state = state;
        this.nodes = nodes;
    }

    /** Slots for every missing member of the app's gang, which together need {@code needed}; or why not. */
    Attempt reserve(AppState a, Resources needed) {
        Gang g = a.gang();
        Topology topology = g.topology();
        // The members are asked for by their task group's constraints: they may not exist as pods yet.
        if (topology.isNone()) {
            return attempt(a.appId(), g, null, null);
        }
        Attempt chosen = inBestDomain(a.appId(), g, topology.key(), needed);
        if (chosen.failure() != null && !topology.required()) {
            Attempt anywhere = attempt(a.appId(), g, null, null);
            if (anywhere.failure() == null) {
                chosen = anywhere;
            }
        }
        return chosen;
    }

    /**
     * The domain of {@code key} where the whole gang fits tightest (the least of its main resource left free
     * there, ties by name), so that larger domains stay whole for larger gangs. The bookings of the chosen attempt
     * stay in the index; the others are undone.
     */
    private Attempt inBestDomain(String appId, Gang g, String key, Resources needed) {
        int main = mainResource(needed);
        Attempt best = null;
        String bestDomain = null;
        long bestLeft = Long.MAX_VALUE;
        // Of the domains that do not fit, the reason names the one that came closest.
        Reasons.Reason closest = null;
        int closestPlaced = -1;
        for (String domain : TopologyDomain.domains(nodes, key)) {
            Attempt at = attempt(appId, g, key, domain);
            if (at.failure() != null) {
                if (at.placed() > closestPlaced) {
                    closestPlaced = at.placed();
                    closest = Reasons.gangNoDomainFits(key, domain, at.failure().message());
                }
                continue;
            }
            long left = TopologyDomain.freeIn(nodes, key, domain, main);
            undo(at);
            if (left < bestLeft) {
                bestLeft = left;
                bestDomain = domain;
            }
        }
        if (bestDomain == null) {
            return new Attempt(List.of(), List.of(), closest != null ? closest
                    : Reasons.gangNoDomain(key), 0);
        }
        best = attempt(appId, g, key, bestDomain);
        return best;
    }

    private int mainResource(Resources needed) {
        int main = ResourceNames.CPU;
        long most = -1;
        for (int i = 0; i < needed.size(); i++) {
            int id = needed.idAt(i);
            long cap = state.capacity().get(id);
            long share = cap <= 0 ? 0 : needed.valueAt(i) * 1_000_000L / cap;
            if (id != ResourceNames.PODS && share > most) {
                most = share;
                main = id;
            }
        }
        return main;
    }

    /** Books a slot for every missing member, group by group; on the first that finds no node undoes them all. */
    private Attempt attempt(String appId, Gang g, String key, String domain) {
        List<GangReserved.Slot> slots = new ArrayList<>();
        List<NodeIndex.Entry> entries = new ArrayList<>();
        for (TaskGroup group : g.spec().groups()) {
            int missing = g.missing(group);
            if (missing == 0) {
                continue;
            }
            Map<String, String> selector = group.nodeSelector();
            if (key != null) {
                selector = new TreeMap<>(selector);
                selector.put(key, domain);
            }
            NodeAsk member = NodeAsk.member(group, selector);
            for (int i = 0; i < missing; i++) {
                NodeIndex.Entry e = nodes.firstFit(member);
                if (e == null) {
                    Reasons.Reason noNode = Reasons.noNode(nodes.failures(member), nodes.size());
                    Attempt failed = new Attempt(slots, entries,
                            Reasons.gangNoRoomForGroup(appId, group, missing, i, noNode), slots.size());
                    undo(failed);
                    return failed;
                }
                nodes.reserve(e, group.minResource());
                slots.add(new GangReserved.Slot(group.name(), e.name, group.minResource()));
                entries.add(e);
            }
        }
        return new Attempt(slots, entries, null, slots.size());
    }

    private void undo(Attempt at) {
        for (int i = 0; i < at.entries().size(); i++) {
            nodes.unreserve(at.entries().get(i), at.slots().get(i).resources());
        }
    }
}
