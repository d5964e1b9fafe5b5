package io.fairway.core.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.fairway.core.events.Allocated;
import io.fairway.core.events.Event;
import io.fairway.core.events.GangReleased;
import io.fairway.core.events.GangReserved;
import io.fairway.core.events.LeaderElected;
import io.fairway.core.events.NodeGone;
import io.fairway.core.events.NodeObserved;
import io.fairway.core.events.PodGone;
import io.fairway.core.events.PodObserved;
import io.fairway.core.events.QueueConfigObserved;
import io.fairway.core.events.Released;
import io.fairway.core.events.Unschedulable;
import io.fairway.core.objects.GangSpec;
import io.fairway.core.objects.Node;
import io.fairway.core.objects.NodeAffinity;
import io.fairway.core.objects.Pod;
import io.fairway.core.objects.PodPhase;
import io.fairway.core.objects.SchedulingHints;
import io.fairway.core.objects.Taint;
import io.fairway.core.objects.TaskGroup;
import io.fairway.core.objects.Topology;
import io.fairway.core.resources.Resources;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class StateFuzzTest {
    static final String[] CONFIGS = {
            """
            partitions:
              - name: default
                queues:
                  - name: root
                    queues:
                      - name: a
                        resources: {max: {vcore: 6}}
                      - name: b
                      - name: default
            """,
            """
            partitions:
              - name: default
                queues:
                  - name: root
                    queues:
                      - name: a
                        queues:
                          - name: x
                      - name: c
                        maxapplications: 1
            """,
            """
            partitions:
              - name: default
                nodesortpolicy: {type: binpacking}
                queues:
                  - name: root
                    resources: {max: {vcore: 10}}
                    queues:
                      - name: b
                      - name: default
                      - name: c
            """};
    static final String[] QUEUES = {"root.a", "root.b", "root.c", "root.a.x", "", "root.nosuch"};
    static final String[] NODES = {"n0", "n1", "n2"};
    /** app3 and app4 are gangs: two task groups, members named by their pods. */
    static final GangSpec GANG = new GangSpec(List.of(
            new TaskGroup("g1", 2, Resources.builder().set("cpu", 500).build(), Map.of(), List.of(),
                    NodeAffinity.NONE),
            new TaskGroup("g2", 1, Resources.builder().set("cpu", 1000).set("memory", 1L << 28).build(),
                    Map.of(), List.of(), NodeAffinity.NONE)), GangSpec.Style.SOFT, 60_000, "");

    static final class Gen {
        final Random r;
        long rv = 1;
        long time = 0;
        long epoch = 0;
        final Map<String, Pod> lastPod = new HashMap<>();
        final Map<String, Node> lastNode = new HashMap<>();
        int podSeq;

        Gen(long seed) {
            r = new Random(seed);
        }

        String ver() {
            int k = r.nextInt(10);
            if (k == 0) {
                return "";
            }
            if (k == 1) {
                return Long.toString(Math.max(1, rv - 1 - r.nextInt(3)));  // stale
            }
            return Long.toString(++rv);
        }

        Node node(String name) {
            long cpu = 2 + r.nextInt(6);
            Resources res = Resources.builder().set("cpu", cpu * 1000).set("memory", 8L << 30)
                    .set("nvidia.com/gpu", r.nextInt(3)).build();
            Map<String, String> labels = r.nextBoolean() ? Map.of("zone", r.nextBoolean() ? "a" : "b") : Map.of();
            List<Taint> taints = r.nextInt(4) == 0 ? List.of(new Taint("dedicated", "gpu", "NoSchedule")) : List.of();
            return new Node(name, res, res, labels, taints, r.nextInt(5) == 0, r.nextInt(6) != 0, ver());
        }

        Event next(ClusterState st) {
            time += 1;
            int k = r.nextInt(100);
            if (k < 12) {
                String n = NODES[r.nextInt(NODES.length)];
                Node node = node(n);
                lastNode.put(n, node);
                return new NodeObserved(time, node);
            }
            if (k < 16) {
                return new NodeGone(time, NODES[r.nextInt(NODES.length)], ver());
            }
            if (k < 36) {
                String uid = "p" + (++podSeq);
                boolean ours = r.nextInt(5) != 0;
                String nodeName = !ours || r.nextInt(6) == 0 ? (r.nextBoolean() ? NODES[r.nextInt(NODES.length)] : "") : "";
                Resources req = Resources.builder().set("cpu", 100L * (1 + r.nextInt(20))).set("memory", 1L << 28)
                        .set("nvidia.com/gpu", r.nextInt(4) == 0 ? 1 : 0).build();
                String app = "app" + r.nextInt(5);
                boolean gang = app.equals("app3") || app.equals("app4");
                SchedulingHints hints = !gang ? SchedulingHints.NONE
                        : new SchedulingHints(new String[] {"g1", "g2", ""}[r.nextInt(3)], GANG,
                        Topology.NONE, "");
                Pod p = new Pod(uid, "ns", uid, app, QUEUES[r.nextInt(QUEUES.length)], "u", List.of(),
                        req, r.nextInt(3), Map.of(), NodeAffinity.NONE, List.of(),
                        ours ? ClusterState.DEFAULT_SCHEDULER_NAME : "other", nodeName,
                        nodeName.isEmpty() ? PodPhase.Pending : PodPhase.Running, time, ver(), hints);
                lastPod.put(uid, p);
                return new PodObserved(time, p);
            }
            List<String> uids = new ArrayList<>(lastPod.keySet());
            uids.sort(null);
            if (uids.isEmpty()) {
                return new LeaderElected(time, ++epoch, "x");
            }
            String uid = uids.get(r.nextInt(uids.size()));
            Pod p = lastPod.get(uid);
            if (k < 50) {
                int c = r.nextInt(4);
                Pod u = switch (c) {
                    case 0 -> p.withNodeName(NODES[r.nextInt(NODES.length)]).withPhase(PodPhase.Running, ver());
                    case 1 -> p.withPhase(r.nextBoolean() ? PodPhase.Succeeded : PodPhase.Failed, ver());
                    case 2 -> new Pod(p.uid(), p.namespace(), p.name(), p.appId(), p.queue(), p.user(), p.groups(),
                            p.requests(), r.nextInt(5), p.nodeSelector(), p.affinity(), p.tolerations(), p.schedulerName(),
                            p.nodeName(), p.phase(), p.creationTime(), ver(), p.hints());
                    default -> p.withPhase(p.phase(), ver());
                };
                lastPod.put(uid, u);
                return new PodObserved(time, u);
            }
            if (k < 56) {
                return new PodGone(time, uid, ver());
            }
            if (k < 76) {
                List<PodState> pend = new ArrayList<>();
                for (PodState ps : st.pods()) if (ps.role() == PodState.Role.PENDING) pend.add(ps);
                pend.sort(Comparator.comparing(PodState::uid));
                if (!pend.isEmpty() && r.nextInt(4) != 0) {
                    PodState ps = pend.get(r.nextInt(pend.size()));
                    return new Allocated(time, epoch, ps.uid(), NODES[r.nextInt(NODES.length)], st.app(ps.pod().appId()).queue());
                }
                return new Allocated(time, epoch, uid, NODES[r.nextInt(NODES.length)], QUEUES[r.nextInt(QUEUES.length - 2)]);
            }
            if (k < 84) {
                List<PodState> pl = new ArrayList<>();
                for (PodState ps : st.pods()) if (ps.role() == PodState.Role.PLACED && !ps.isBound()) pl.add(ps);
                pl.sort(Comparator.comparing(PodState::uid));
                if (!pl.isEmpty() && r.nextInt(4) != 0) { PodState rp = pl.get(r.nextInt(pl.size())); return new Released(time, epoch, rp.uid(), rp.node(), "x"); }
                return new Released(time, epoch, uid, "node-0", "x");
            }
            if (k < 87) {
                return new Unschedulable(time, epoch, uid, "k" + r.nextInt(3), "m");
            }
            if (k < 90) {
                String app = r.nextBoolean() ? "app3" : "app4";
                if (r.nextInt(3) == 0) {
                    return new GangReleased(time, epoch, app,
                            GangReleased.Next.values()[r.nextInt(3)], "r");
                }
                List<GangReserved.Slot> slots = new ArrayList<>();
                for (int i = 0, n = 1 + r.nextInt(3); i < n; i++) {
                    TaskGroup g = GANG.groups().get(r.nextInt(2));
                    slots.add(new GangReserved.Slot(r.nextInt(8) == 0 ? "nope" : g.name(),
                            NODES[r.nextInt(NODES.length)], g.minResource()));
                }
                return new GangReserved(time, epoch, app, slots);
            }
            if (k < 95) {
                return new QueueConfigObserved(time, CONFIGS[r.nextInt(CONFIGS.length)], ver());
            }
            return new LeaderElected(time, r.nextBoolean() ? ++epoch : epoch, "x");
        }
    }

    static final Map<String, Integer> STATS = new TreeMap<>();

    /**
     * A state restored from a snapshot taken anywhere in a history is the same state, and stays the same as the
     * original while the rest of the history is applied to both.
     */
    @Test
    void aRestoredSnapshotCarriesOnAsTheOriginal() {
        for (long seed = 0; seed < 300; seed++) {
            Gen g = new Gen(seed);
            ClusterState s = new ClusterState();
            List<Event> log = new ArrayList<>();
            for (int i = 0; i < 150; i++) {
                Event e = g.next(s);
                log.add(e);
                s.apply(e);
            }
            int cut = (int) (seed % log.size());
            ClusterState original = new ClusterState();
            log.subList(0, cut).forEach(original::apply);
            ClusterState restored = ClusterState.restore(original.snapshot());
            assertThat(restored.hash()).as("seed %d right after restore at %d", seed, cut).isEqualTo(original.hash());
            assertThat(Balance.check(restored)).as("seed %d", seed).isEmpty();
            for (Event e : log.subList(cut, log.size())) {
                assertThat(restored.apply(e)).as("seed %d %s", seed, e).isEqualTo(original.apply(e));
            }
            assertThat(restored.hash()).as("seed %d at the end", seed).isEqualTo(original.hash());
        }
    }
    @Test
    void balancedThroughRandomHistories() {
        for (long seed = 0; seed < 3000; seed++) {
            Gen g = new Gen(seed);
            ClusterState s = new ClusterState();
            List<Event> log = new ArrayList<>();
            for (int i = 0; i < 150; i++) {
                Event e = g.next(s);
                log.add(e);
                try {
                    ApplyResult ar = s.apply(e);
                    if (ar.applied()) STATS.merge(e.type(), 1, Integer::sum); else STATS.merge(e.type()+"-ignored", 1, Integer::sum);
                } catch (RuntimeException ex) {
                    throw new AssertionError("seed " + seed + " step " + i + " " + e + " threw", ex);
                }
                List<String> problems = Balance.check(s);
                if (!problems.isEmpty()) {
                    StringBuilder sb = new StringBuilder("seed " + seed + " step " + i + " after " + e + ": " + problems);
                    throw new AssertionError(sb.toString());
                }
            }
            ClusterState replay = new ClusterState();
            log.forEach(replay::apply);
            assertThat(replay.hash()).as("seed %d", seed).isEqualTo(s.hash());
            for (PodState p : List.copyOf(s.pods())) {
                s.apply(new PodGone(0, p.uid(), ""));
            }
            assertThat(Balance.check(s)).isEmpty();
            for (QueueState q : s.queues().all().values()) {
                assertThat(q.allocated().isZero() && q.pending().isZero() && q.runningApps() == 0).as("seed %d %s", seed, q).isTrue();
            }
            for (NodeState n : s.nodes().values()) {
                assertThat(n.allocated().isZero()).as("seed %d %s", seed, n.name()).isTrue();
            }
        }
    }
}
