package io.fairway.core.state;

import io.fairway.core.objects.NodeSelectorRequirement;
import io.fairway.core.objects.Pod;
import io.fairway.core.objects.Taint;
import io.fairway.core.objects.Toleration;
import io.fairway.core.resources.ResourceCounter;
import io.fairway.core.resources.ResourceNames;
import io.fairway.core.resources.Resources;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The canonical digest of a {@link ClusterState}: every field that matters, written in a fixed order with
 * resources by name (never by the JVM-local id), so equal states hash equal in any run.
 */
final class StateDigest {
    private final MessageDigest md;

    private StateDigest() {
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    static String of(ClusterState s) {
        StateDigest d = new StateDigest();
        d.str("config").str(s.configVersion()).str(s.configText());
        d.num(s.leaderEpoch()).str(s.leader());
        d.str("priorityClasses");
        s.priorityClasses().forEach((k, v) -> d.str(k).num(v));
        d.str("nodes");
        for (NodeState n : s.nodes().values()) {
            var node = n.node();
            d.str(node.name()).str(node.resourceVersion()).res(node.capacity()).res(node.allocatable()).map(node.labels());
            for (Taint t : node.taints()) {
                d.str(t.key()).str(t.value()).str(t.effect());
            }
            d.num(node.unschedulable() ? 1 : 0).num(node.ready() ? 1 : 0).counter(n.allocated());
        }
        d.str("pods");
        List<String> uids = new ArrayList<>(s.pods().size());
        for (PodState p : s.pods()) {
            uids.add(p.uid());
        }
        uids.sort(null);
        for (String uid : uids) {
            PodState p = s.pod(uid);
            d.pod(p.pod());
            d.str(p.role().name()).str(p.node()).num(p.isBound() ? 1 : 0).num(p.allocationEpoch())
                    .str(p.waitKey()).str(p.waitMessage()).num(p.waitingSince());
            if (p.isPreempted() || p.holdsRoom()) {
                // Only when present, so that the digest of a state without preemption stays what it was.
                d.str("preemption").str(p.preemptedBy()).num(p.preemptedAt()).str(p.holdNode()).num(p.holdSince());
            }
        }
        d.str("apps");
        for (AppState a : s.apps().values()) {
            d.str(a.appId()).str(a.queue()).str(a.rejection()).str(a.user()).num(a.submissionTime())
                    .num(a.placedPods()).num(a.pendingPods()).num(a.completedPods()).counter(a.allocated());
            if (a.lastPreemptedAt() != 0) {
                d.str("lastPreemptedAt").num(a.lastPreemptedAt());
            }
            // What placement reads besides the queue and user above; only when set, so older digests stay what they were.
            if (!a.submission().groups().isEmpty()) {
                d.str("groups");
                a.submission().groups().forEach(d::str);
            }
            if (!a.submission().labels().isEmpty()) {
                d.str("labels").map(a.submission().labels());
            }
            Gang g = a.gang();
            if (g.status() != Gang.Status.NONE) {
                // Only for gangs, so that the digest of a state without any stays what it was.
                d.str("gang").str(g.status().name()).num(g.since()).str(g.reason()).num(g.nextSlotId())
                        .str(g.spec().toString()).str(g.topology().toString());
                for (ReservedSlot slot : g.slots()) {
                    d.num(slot.id()).str(slot.group()).str(slot.node()).res(slot.resources()).str(slot.podUid());
                }
            }
        }
        d.str("queues");
        for (QueueState q : s.queues().all().values()) {
            d.str(q.fullName()).counter(q.allocated()).counter(q.pending()).num(q.runningApps());
            if (q.isDynamic()) {
                d.str("dynamic");
            }
        }
        d.str("tombstones");
        new TreeMap<>(s.tombstones()).forEach((k, v) -> d.str(k).str(v));
        d.str("nodeTombstones");
        new TreeMap<>(s.nodeTombstones()).forEach((k, v) -> d.str(k).str(v));
        d.str(s.configSeenVersion());
        if (s.preemptions() > 0 || s.configAppliedAt() != 0) {
            d.str("preemption").num(s.preemptions()).num(s.configAppliedAt());
        }
        // Not hashed: the config history and the leader terms (like the counters) are the log's audit, kept in
        // snapshots; a store written before they were kept restores them empty and must still hash as a replay does.
        if (s.fpgaReprograms() > 0) {
            d.str("fpgaReprograms").num(s.fpgaReprograms());
        }
        return HexFormat.of().formatHex(d.md.digest());
    }

    private StateDigest pod(Pod p) {
        str(p.uid()).str(p.namespace()).str(p.name()).str(p.appId()).str(p.queue()).str(p.user());
        for (String g : p.groups()) {
            str(g);
        }
        res(p.requests()).num(p.priority()).map(p.nodeSelector());
        for (List<NodeSelectorRequirement> term : p.affinity().terms()) {
            str("term");
            for (NodeSelectorRequirement r : term) {
                str(r.key()).str(r.operator().name());
                r.values().forEach(this::str);
            }
        }
        for (Toleration t : p.tolerations()) {
            str(t.key()).str(t.operator()).str(t.value()).str(t.effect());
        }
        str(p.schedulerName()).str(p.nodeName()).str(p.phase().name()).num(p.creationTime()).str(p.resourceVersion());
        if (!p.hints().isNone()) {
            str("hints").str(p.hints().toString());
        }
        return this;
    }

    private StateDigest res(Resources r) {
        Map<String, Long> byName = r.toMap();
        num(byName.size());
        byName.forEach((k, v) -> str(k).num(v));
        return this;
    }

    private StateDigest counter(ResourceCounter c) {
        TreeMap<String, Long> byName = new TreeMap<>();
        for (int id = 0; id < ResourceNames.count(); id++) {
            long v = c.get(id);
            if (v != 0) {
                byName.put(ResourceNames.name(id), v);
            }
        }
        num(byName.size());
        byName.forEach((k, v) -> str(k).num(v));
        return this;
    }

    private StateDigest map(Map<String, String> m) {
        num(m.size());
        new TreeMap<>(m).forEach((k, v) -> str(k).str(v));
        return this;
    }

    private StateDigest str(String s) {
        byte[] b = (s == null ? "" : s).getBytes(StandardCharsets.UTF_8);
        num(b.length);
        md.update(b);
        return this;
    }

    private StateDigest num(long v) {
        for (int i = 7; i >= 0; i--) {
            md.update((byte) (v >>> (8 * i)));
        }
        return this;
    }
}
