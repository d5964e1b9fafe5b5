package io.fairway.core.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import io.fairway.core.config.NodeSortPolicy;
import io.fairway.core.events.Allocated;
import io.fairway.core.events.Decision;
import io.fairway.core.events.Event;
import io.fairway.core.events.GangReleased;
import io.fairway.core.events.GangReserved;
import io.fairway.core.events.LeaderElected;
import io.fairway.core.events.NodeGone;
import io.fairway.core.events.NodeObserved;
import io.fairway.core.events.PodGone;
import io.fairway.core.events.PodObserved;
import io.fairway.core.events.PreemptionRequested;
import io.fairway.core.events.QueueConfigObserved;
import io.fairway.core.events.Released;
import io.fairway.core.events.Unschedulable;
import io.fairway.core.objects.GangSpec;
import io.fairway.core.objects.Node;
import io.fairway.core.objects.NodeAffinity;
import io.fairway.core.objects.NodeSelectorRequirement;
import io.fairway.core.objects.Pod;
import io.fairway.core.objects.PodPhase;
import io.fairway.core.objects.SchedulingHints;
import io.fairway.core.objects.Taint;
import io.fairway.core.objects.TaskGroup;
import io.fairway.core.objects.Toleration;
import io.fairway.core.objects.Topology;
import io.fairway.core.resources.ResourceCounter;
import io.fairway.core.resources.ResourceNames;
import io.fairway.core.resources.Resources;
import io.fairway.core.state.AppState;
import io.fairway.core.state.ApplyResult;
import io.fairway.core.state.Balance;
import io.fairway.core.state.ClusterState;
import io.fairway.core.state.NodeState;
import io.fairway.core.state.PodState;
import io.fairway.core.state.QueueState;
import io.fairway.core.state.ReservedSlot;
import io.fairway.core.ugm.UgmCheck;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class SchedulerFuzzTest {
    static final String[] CONFIGS = {
            """
            partitions:
              - name: default
                queues:
                  - name: root
                    properties: {preemption.delay: 4ms}
                    queues:
                      - name: a
                        resources: {max: {vcore: 6, nvidia.com/gpu: 2}}
                      - name: b
                        resources: {guaranteed: {vcore: 2}}
                      - name: default
            """,
            """
            partitions:
              - name: default
                nodesortpolicy: {type: binpacking}
                queues:
                  - name: root
                    properties: {preemption.delay: 3ms}
                    queues:
                      - name: p
                        resources: {max: {vcore: 5}}
                        queues:
                          - name: a
                          - name: b
                            properties: {application.sort.policy: fair}
                      - name: default
            """,
            """
            partitions:
              - name: default
                nodesortpolicy: {type: fair, resourceweights: {vcore: 1.0, memory: 0.5, nvidia.com/gpu: 2.0}}
                preemption: {quotapreemptionenabled: true}
                queues:
                  - name: root
                    resources: {max: {vcore: 12}}
                    properties: {preemption.delay: 2ms, quota.preemption.delay: 5ms}
                    queues:
                      - name: a
                      - name: b
                      - name: default
            """};
    /**
     * For {@link #limitsAreNeverExceeded}: user and group limits on every level, wildcards included (see USERS and
     * GROUPS), a tighter variant to reload to, and a config without limits.
     */
    static final String[] LIMIT_CONFIGS = {
            """
            partitions:
              - name: default
                limits:
                  - {limit: partition, users: ["*"], maxapplications: 3}
                queues:
                  - name: root
                    limits:
                      - {limit: dev, groups: [dev], maxresources: {vcore: 4}}
                    queues:
                      - name: a
                        limits:
                          - {limit: alice, users: [alice], maxresources: {vcore: 2, memory: 1Gi}}
                          - {limit: others, users: ["*"], maxapplications: 1}
                          - {limit: any group, groups: ["*"], maxresources: {vcore: 3}}
                      - name: b
                        limits:
                          - {limit: ml, groups: [ml], maxapplications: 1, maxresources: {vcore: 2}}
                      - name: default
            """,
            """
            partitions:
              - name: default
                queues:
                  - name: root
                    limits:
                      - {limit: everyone, users: ["*"], maxresources: {vcore: 2}}
                      - {limit: dev, groups: [dev], maxapplications: 1}
                    queues:
                      - name: a
                        limits:
                          - {limit: alice, users: [alice], maxapplications: 1, maxresources: {vcore: 1}}
                      - name: b
                      - name: default
            """,
            CONFIGS[0]};
    /** Each app's user and groups, as its pods carry them. */
    static final String[] USERS = {"alice", "bob", "carol", "dave"};
    static final List<List<String>> GROUPS = List.of(List.of("dev"), List.of("ml", "dev"), List.of(), List.of("ops"));
    static final String[] QUEUES = {"root.a", "root.b", "", "root.p.a", "root.p.b"};
    static final String[] NODES = {"n0", "n1", "n2", "n3"};
    /** app3's pods are a gang: two task groups, each pod a member of one (or of none). */
    static final GangSpec GANG = new GangSpec(List.of(
            new TaskGroup("g1", 2, Resources.builder().set("cpu", 250).set("memory", 1L << 28).build(),
                    Map.of(), List.of(), NodeAffinity.NONE),
            new TaskGroup("g2", 1, Resources.builder().set("cpu", 500).set("memory", 1L << 28).build(),
                    Map.of(), List.of(new Toleration("dedicated", "Exists", "", "")), NodeAffinity.NONE)),
            GangSpec.Style.SOFT, 50, "");

    final class Run {
        final Random r;
        final ClusterState state = new ClusterState();
        final Scheduler scheduler;
        final List<Decision> out = new ArrayList<>();
        List<Decision> held = new ArrayList<>();
        long rv = 1;
        long time;
        int podSeq;
        final Map<String, Pod> pods = new HashMap<>();
        final long seed;
        /** Configs to start with and reload to: {@link #CONFIGS}, or {@link #LIMIT_CONFIGS}. */
        final String[] configs;

        Run(long seed) {
            this(seed, CONFIGS);
        }

        Run(long seed, String[] configs) {
            this.seed = seed;
            this.configs = configs;
            r = new Random(seed);
            scheduler = new Scheduler(state, 1, 1 + r.nextInt(6));
        }

        final List<String> trace = new ArrayList<>();
        void apply(Event e) {
            ApplyResult ar = state.apply(e);
            trace.add(e + " -> " + (ar.applied() ? "ok" : ar.reason()));
            if (e instanceof Allocated a && ar.applied()) {
                Pod pod = state.pod(a.podUid()).pod();
                assertThat(UgmCheck.overLimits(state, pod.appId(), pod.requests()))
                        .as("seed %d: %s left a user or group over a limit", seed, a).isEmpty();
            }
        }

        String ver() {
            return Long.toString(++rv);
        }

        Node node(String name) {
            long cpu = 1 + r.nextInt(6);
            Resources res = Resources.builder().set("cpu", cpu * 1000).set("memory", (long) (1 + r.nextInt(8)) << 30)
                    .set("nvidia.com/gpu", r.nextInt(3)).build();
            Map<String, String> labels = new HashMap<>();
            if (r.nextBoolean()) {
                labels.put("zone", r.nextBoolean() ? "a" : "b");
            }
            if (r.nextBoolean()) {
                labels.put("gen", Integer.toString(1 + r.nextInt(3)));
            }
            List<Taint> taints = r.nextInt(4) == 0 ? List.of(new Taint("dedicated", "gpu", "NoSchedule")) : List.of();
            return new Node(name, res, res, labels, taints, r.nextInt(6) == 0, r.nextInt(8) != 0, ver());
        }

        /** Required affinity of one or two terms over the zone and gen labels, every operator in play. */
        NodeAffinity affinity() {
            List<List<NodeSelectorRequirement>> terms = new ArrayList<>();
            for (int t = r.nextInt(3) == 0 ? 2 : 1; t > 0; t--) {
                List<NodeSelectorRequirement> term = new ArrayList<>();
                for (int q = 1 + r.nextInt(2); q > 0; q--) {
                    NodeSelectorRequirement.Operator op = NodeSelectorRequirement.Operator.values()[r.nextInt(6)];
                    boolean numeric = op == NodeSelectorRequirement.Operator.Gt || op == NodeSelectorRequirement.Operator.Lt;
                    String key = numeric || r.nextBoolean() ? "gen" : "zone";
                    List<String> values = switch (op) {
                        case Exists, DoesNotExist -> List.of();
                        case Gt, Lt -> List.of(Integer.toString(1 + r.nextInt(3)));
                        default -> key.equals("zone") ? List.of(r.nextBoolean() ? "a" : "b") : List.of("1", "3");
                    };
                    term.add(new NodeSelectorRequirement(key, op, values));
                }
                terms.add(term);
            }
            return new NodeAffinity(terms);
        }

        void run() {
            apply(new LeaderElected(0, 1, "me"));
            apply(new QueueConfigObserved(0, configs[r.nextInt(configs.length)], ver()));
            for (int i = 0; i < 200; i++) {
                time++;
                int k = r.nextInt(100);
                if (k < 10) {
                    apply(new NodeObserved(time, node(NODES[r.nextInt(NODES.length)])));
                } else if (k < 13) {
                    apply(new NodeGone(time, NODES[r.nextInt(NODES.length)], ver()));
                } else if (k < 35) {
                    String uid = "p" + (++podSeq);
                    boolean ours = r.nextInt(6) != 0;
                    String nodeName = ours ? "" : NODES[r.nextInt(NODES.length)];
                    Resources req = Resources.builder().set("cpu", 250L * (1 + r.nextInt(8))).set("memory", 1L << 28)
                            .set("nvidia.com/gpu", r.nextInt(4) == 0 ? 1 : 0).build();
                    Map<String, String> sel = r.nextInt(4) == 0 ? Map.of("zone", r.nextBoolean() ? "a" : "b") : Map.of();
                    NodeAffinity aff = r.nextInt(5) == 0 ? affinity() : NodeAffinity.NONE;
                    List<Toleration> tol = r.nextBoolean() ? List.of(new Toleration("dedicated", "Exists", "", "")) : List.of();
                    int appIndex = r.nextInt(4);
                    String app = "app" + appIndex;
                    SchedulingHints hints = !app.equals("app3")
                            ? SchedulingHints.NONE
                            : new SchedulingHints(new String[] {"g1", "g2", ""}[r.nextInt(3)], GANG,
                            Topology.NONE, "");
                    Pod p = new Pod(uid, "ns", uid, app, QUEUES[r.nextInt(QUEUES.length)], USERS[appIndex], GROUPS.get(appIndex),
                            req, r.nextInt(3), sel, aff, tol, ours ? ClusterState.DEFAULT_SCHEDULER_NAME : "other", nodeName,
                            nodeName.isEmpty() ? PodPhase.Pending : PodPhase.Running, time, ver(), hints);
                    pods.put(uid, p);
                    apply(new PodObserved(time, p));
                } else if (k < 45) {
                    // a placed pod finishes, or is observed bound where we put it
                    List<PodState> placed = new ArrayList<>();
                    for (PodState ps : state.pods()) {
                        if (ps.role() == PodState.Role.PLACED) {
                            placed.add(ps);
                        }
                    }
                    placed.sort(Comparator.comparing(PodState::uid));
                    if (!placed.isEmpty()) {
                        PodState ps = placed.get(r.nextInt(placed.size()));
                        Pod p = ps.pod().withNodeName(ps.node());
                        p = r.nextBoolean() ? p.withPhase(PodPhase.Running, ver()) : p.withPhase(PodPhase.Succeeded, ver());
                        apply(new PodObserved(time, p));
                    }
                } else if (k < 49) {
                    List<String> uids = new ArrayList<>(pods.keySet());
                    uids.sort(null);
                    if (!uids.isEmpty()) {
                        apply(new PodGone(time, uids.get(r.nextInt(uids.size())), ver()));
                    }
                } else if (k < 51) {
                    String n = NODES[r.nextInt(NODES.length)];
                    apply(new NodeGone(time, n, ver()));
                    apply(new NodeObserved(time, node(n)));
                } else if (k < 53) {
                    List<PodState> pend = new ArrayList<>();
                    for (PodState ps : state.pods()) if (ps.role() == PodState.Role.PENDING) pend.add(ps);
                    pend.sort(Comparator.comparing(PodState::uid));
                    if (!pend.isEmpty()) {
                        Pod p = pend.get(r.nextInt(pend.size())).pod();
                        apply(new PodObserved(time, new Pod(p.uid(), p.namespace(), p.name(), p.appId(), p.queue(), p.user(), p.groups(),
                            p.requests(), r.nextInt(5), p.nodeSelector(), p.affinity(), p.tolerations(), p.schedulerName(),
                            r.nextInt(5) == 0 ? NODES[r.nextInt(NODES.length)] : "", PodPhase.Pending, p.creationTime(), ver())));
                    }
                } else if (k < 55) {
                    apply(new QueueConfigObserved(time, configs[r.nextInt(configs.length)], ver()));
                } else if (k < 58) {
                    // bind failure of an unbound allocation
                    for (PodState ps : state.pods()) {
                        if (ps.role() == PodState.Role.PLACED && !ps.isBound() && r.nextBoolean()) {
                            apply(new Released(time, 1, ps.uid(), ps.node(), "bind failed"));
                            break;
                        }
                    }
                } else if (k < 63) {
                    // the leader deleted a preemption victim and it is gone
                    List<String> victims = new ArrayList<>();
                    for (PodState ps : state.pods()) if (ps.isPreempted()) victims.add(ps.uid());
                    victims.sort(null);
                    if (!victims.isEmpty()) {
                        apply(new PodGone(time, victims.get(r.nextInt(victims.size())), ver()));
                    }
                } else if (k < 80) {
                    cycle(false);
                } else {
                    cycle(true);
                }
            }
            cycle(false);
        }

        Map<String, ResourceCounter> pendingInFlight() {
            InFlight f = scheduler.inFlight();
            Map<String, ResourceCounter> nodeUse = new HashMap<>();
            for (Allocated a : f.allocations().values()) {
                PodState p = state.pod(a.podUid());
                if (p == null || p.role() != PodState.Role.PENDING) {
                    continue;
                }
                nodeUse.computeIfAbsent(a.nodeName(), x -> new ResourceCounter()).add(f.requests(a.podUid()));
            }
            reservations(f, nodeUse, null);
            givenBack(f, nodeUse, null, Set.of());
            return nodeUse;
        }

        /** A member placed away from its slot gives the slot back when applied: that room is not double-booked. */
        void givenBack(InFlight f, Map<String, ResourceCounter> nodeUse, Map<String, ResourceCounter> queueUse,
                       Set<String> except) {
            for (Allocated a : f.allocations().values()) {
                if (except.contains(a.podUid())) {
                    continue;
                }
                InFlight.SlotRef slotRef = f.slotOf(a.podUid());
                PodState p = state.pod(a.podUid());
                if (slotRef == null || p == null || p.role() != PodState.Role.PENDING) {
                    continue;
                }
                int id = slotRef.slotId();
                AppState app = state.app(p.pod().appId());
                for (ReservedSlot slot : app.gang().slots()) {
                    if (slot.id() == id && slot.isFree() && !slot.node().equals(a.nodeName())) {
                        nodeUse.computeIfAbsent(slot.node(), x -> new ResourceCounter()).subtract(slot.resources());
                        if (queueUse != null) {
                            for (QueueState q = state.queues().get(app.queue()); q != null; q = q.parent()) {
                                queueUse.computeIfAbsent(q.fullName(), x -> new ResourceCounter()).subtract(slot.resources());
                            }
                        }
                    }
                }
            }
        }

        /** Gang reservations not yet read back hold their room like allocations. */
        void reservations(InFlight f, Map<String, ResourceCounter> nodeUse, Map<String, ResourceCounter> queueUse) {
            for (GangReserved g : f.reservations().values()) {
                AppState app = state.app(g.appId());
                if (app == null) {
                    continue;
                }
                for (GangReserved.Slot slot : g.slots()) {
                    nodeUse.computeIfAbsent(slot.node(), x -> new ResourceCounter()).add(slot.resources());
                    if (queueUse != null) {
                        for (QueueState q = state.queues().get(app.queue()); q != null; q = q.parent()) {
                            queueUse.computeIfAbsent(q.fullName(), x -> new ResourceCounter()).add(slot.resources());
                        }
                    }
                }
            }
        }

        double score(NodeState n, ResourceCounter used) {
            var pol = state.config().defaultPartition().nodeSortPolicy();
            double sum = 0, wu = 0;
            for (var e : new TreeMap<>(pol.resourceWeights()).entrySet()) {
                if (e.getValue() <= 0) continue;
                int id = ResourceNames.id(e.getKey());
                long cap = n.node().allocatable().get(id);
                if (cap <= 0) continue;
                sum += e.getValue() * ((double) used.get(id) / cap);
                wu += e.getValue();
            }
            return wu == 0 ? 0 : sum / wu;
        }

        void checkOrder(CycleResult res, Map<String, ResourceCounter> before) {
            boolean bin = state.config().defaultPartition().nodeSortPolicy().type()
                    == NodeSortPolicy.Type.BINPACKING;
            for (Decision d : res.decisions()) {
                if (d instanceof GangReserved g) {
                    g.slots().forEach(slot -> before.computeIfAbsent(slot.node(), x -> new ResourceCounter()).add(slot.resources()));
                    continue;
                }
                if (!(d instanceof Allocated a)) continue;
                Pod pod = state.pod(a.podUid()).pod();
                if (state.pod(a.podUid()).holdsRoom() && !scheduler.inFlight().isHoldReleased(a.podUid())) {
                    // A preemptor goes into the room held for it, which already counts on its node.
                    assertThat(a.nodeName()).as("seed %d: %s holds room on", seed, a).isEqualTo(state.pod(a.podUid()).holdNode());
                    continue;
                }
                if (!pod.hints().taskGroup().isEmpty()) {
                    // A member goes to its slot, not to the best node; the invariants below still hold for it. Into its
                    // slot it books only what it asks beyond the slot.
                    before.computeIfAbsent(a.nodeName(), x -> new ResourceCounter())
                            .add(scheduler.inFlight().requests(a.podUid()));
                    InFlight.SlotRef slotRef = scheduler.inFlight().slotOf(a.podUid());
                    if (slotRef != null) {
                        int id = slotRef.slotId();
                        for (ReservedSlot slot : state.app(pod.appId()).gang().slots()) {
                            if (slot.id() == id && !slot.node().equals(a.nodeName())) {
                                // placed elsewhere: the slot it gave back is room again in this cycle
                                before.computeIfAbsent(slot.node(), x -> new ResourceCounter()).subtract(slot.resources());
                            }
                        }
                    }
                    continue;
                }
                String best = null;
                double bestScore = 0;
                long bestTier = 0;
                int gpu = ResourceNames.id("nvidia.com/gpu");
                boolean wantsGpu = pod.requests().get(gpu) > 0;
                for (NodeState n : state.nodes().values()) {
                    if (!Reference.admits(pod, n.node())) continue;
                    ResourceCounter use = new ResourceCounter();
                    use.add(n.allocated());
                    use.add(before.getOrDefault(n.name(), new ResourceCounter()));
                    if (!Reference.fits(pod.requests().toMap(), n.node().allocatable().toMap(), Reference.byName(use))) continue;
                    double sc = score(n, use);
                    // Accelerator pods take the node that leaves the least of it free; other pods keep off
                    // accelerator nodes while another fits; then policy order.
                    long tier = wantsGpu ? n.node().allocatable().get("nvidia.com/gpu") - use.get(gpu)
                            : n.node().allocatable().get("nvidia.com/gpu") > 0 ? 1 : 0;
                    if (best == null || tier < bestTier || (tier == bestTier && (bin ? sc > bestScore : sc < bestScore))) {
                        best = n.name();
                        bestScore = sc;
                        bestTier = tier;
                    }
                }
                assertThat(a.nodeName()).as("seed %d: %s, best by policy is %s", seed, a, best).isEqualTo(best);
                before.computeIfAbsent(a.nodeName(), x -> new ResourceCounter()).add(pod.requests());
            }
        }

        void cycle(boolean hold) {
            Map<String, ResourceCounter> before = pendingInFlight();
            CycleResult res = scheduler.cycle(time);
            STATS.merge("alloc", (int) res.decisions().stream().filter(Allocated.class::isInstance).count(), Integer::sum);
            STATS.merge("unsched", (int) res.decisions().stream().filter(Unschedulable.class::isInstance).count(), Integer::sum);
            STATS.merge("userGroupLimitWaits", (int) res.decisions().stream()
                    .filter(d -> d instanceof Unschedulable u && u.reasonKey().matches("(gang: )?(user|group) .*")).count(),
                    Integer::sum);
            STATS.merge("gangReserved", (int) res.decisions().stream()
                    .filter(GangReserved.class::isInstance).count(), Integer::sum);
            STATS.merge("preemptions", (int) res.decisions().stream()
                    .filter(PreemptionRequested.class::isInstance).count(), Integer::sum);
            STATS.merge("gangReleased", (int) res.decisions().stream()
                    .filter(GangReleased.class::isInstance).count(), Integer::sum);
            if (System.getenv("TRACE") != null) System.out.println("DECISIONS " + res.decisions() + " booked " + res.decisions().stream().filter(Allocated.class::isInstance).map(d -> ((Allocated) d).podUid() + "=" + scheduler.inFlight().requests(((Allocated) d).podUid())).toList() + " usage " + scheduler.nodeUsage() + " before " + before);
            checkOrder(res, before);
            trace.add("CYCLE hold=" + hold + " " + res.decisions());
            out.addAll(res.decisions());
            check(res);
            if (hold) {
                held.addAll(res.decisions());
            } else {
                List<Decision> all = new ArrayList<>(held);
                all.addAll(res.decisions());
                held = new ArrayList<>();
                all.forEach(this::apply);
                scheduler.acknowledge(all);
                // Every counter of the state, recomputed from its pods, slots and holds after each applied cycle.
                assertThat(Balance.check(state)).as("seed %d", seed).isEmpty();
            }
        }

        void check(CycleResult res) {
            InFlight f = scheduler.inFlight();
            Map<String, ResourceCounter> nodeUse = new HashMap<>();
            Map<String, ResourceCounter> queueUse = new HashMap<>();
            for (Allocated a : f.allocations().values()) {
                PodState p = state.pod(a.podUid());
                if (p == null || p.role() != PodState.Role.PENDING) {
                    continue;
                }
                nodeUse.computeIfAbsent(a.nodeName(), x -> new ResourceCounter()).add(f.requests(a.podUid()));
                for (QueueState q = state.queues().get(a.queue()); q != null; q = q.parent()) {
                    queueUse.computeIfAbsent(q.fullName(), x -> new ResourceCounter()).add(f.requests(a.podUid()));
                }
            }
            reservations(f, nodeUse, queueUse);
            // Room given back by this cycle's members was not free yet when an earlier ask of the cycle failed.
            Map<String, ResourceCounter> beforeGiveBacks = new HashMap<>();
            nodeUse.forEach((k, v) -> {
                ResourceCounter c = new ResourceCounter();
                c.add(v);
                beforeGiveBacks.put(k, c);
            });
            Set<String> thisCycle = new HashSet<>();
            res.decisions().forEach(d -> {
                if (d instanceof Allocated a) {
                    thisCycle.add(a.podUid());
                }
            });
            givenBack(f, nodeUse, queueUse, Set.of());
            givenBack(f, beforeGiveBacks, null, thisCycle);
            for (Decision d : res.decisions()) {
                if (d instanceof Allocated a) {
                    NodeState n = state.node(a.nodeName());
                    assertThat(n).as("seed %d: %s to unknown node", seed, a).isNotNull();
                    Pod pod = state.pod(a.podUid()).pod();
                    assertThat(Reference.ready(n.node())).as("seed %d %s to a node not ready", seed, a).isTrue();
                    assertThat(Reference.tolerated(pod, n.node())).as("seed %d %s to an untolerated taint", seed, a).isTrue();
                    assertThat(Reference.selectorMatches(pod, n.node()) && Reference.affinityMatches(pod, n.node()))
                            .as("seed %d %s against selector or affinity", seed, a).isTrue();
                    ResourceCounter use = new ResourceCounter();
                    use.add(n.allocated());
                    use.add(nodeUse.getOrDefault(a.nodeName(), new ResourceCounter()));
                    for (int id = 0; id < ResourceNames.count(); id++) {
                        if (pod.requests().get(id) == 0) continue;
                        assertThat(use.get(id)).as("seed %d node %s %s over-committed by %s", seed, n.name(),
                                ResourceNames.name(id), a).isLessThanOrEqualTo(n.node().allocatable().get(id));
                    }
                    for (QueueState q = state.queues().get(a.queue()); q != null; q = q.parent()) {
                        ResourceCounter qu = new ResourceCounter();
                        qu.add(q.allocated());
                        qu.add(queueUse.getOrDefault(q.fullName(), new ResourceCounter()));
                        Resources max = q.max();
                        for (int i = 0; i < max.size(); i++) {
                            if (pod.requests().get(max.idAt(i)) == 0) continue;
                            assertThat(qu.get(max.idAt(i))).as("seed %d queue %s over max by %s", seed, q.fullName(), a)
                                    .isLessThanOrEqualTo(max.valueAt(i));
                        }
                    }
                } else if (d instanceof Unschedulable u && u.reasonKey().startsWith("no node")) {
                    // Room only shrinks in a cycle: a node that fits now fitted when the ask failed.
                    Pod pod = state.pod(u.podUid()).pod();
                    for (NodeState n : state.nodes().values()) {
                        if (!Reference.admits(pod, n.node())) {
                            continue;
                        }
                        ResourceCounter use = new ResourceCounter();
                        use.add(n.allocated());
                        use.add(beforeGiveBacks.getOrDefault(n.name(), new ResourceCounter()));
                        boolean fits = Reference.fits(pod.requests().toMap(), n.node().allocatable().toMap(), Reference.byName(use));
                        if (fits && System.getenv("TRACE") != null) {
                            System.out.println("DEBUG pod " + pod + "\nDEBUG node " + n.name() + " allocated " + n.allocated()
                                    + " alloc " + n.node().allocatable() + " inflight " + nodeUse.get(n.name()) + "\nDEBUG usage "
                                    + scheduler.nodeUsage() + "\nDEBUG gang " + state.app(pod.appId()).gang().slots() + " "
                                    + state.app(pod.appId()).gang().status());
                        }
                        assertThat(fits).as("seed %d: %s said no node but %s fits (%s)", seed, u, n.name(), u.message()).isFalse();
                    }
                    String m = u.message();
                    int total = Integer.parseInt(m.substring(2, m.indexOf(' ')));
                    int sum = 0;
                    for (String part : m.substring(m.indexOf(':') + 2, m.length() - 1).split(", ")) {
                        if (!part.startsWith("the cluster")) {
                            sum += Integer.parseInt(part.substring(0, part.indexOf(' ')));
                        }
                    }
                    assertThat(total).as("seed %d: %s counts", seed, m).isEqualTo(state.nodes().size());
                    assertThat(sum).as("seed %d: %s sum", seed, m).isEqualTo(total);
                }
            }
        }
    }

    static final Map<String, Integer> STATS = new TreeMap<>();

    /** The runs reached every kind of decision they are meant to judge (printed only when one never came). */
    @org.junit.jupiter.api.AfterAll
    static void everyKindOfDecisionWasMade() {
        if (STATS.isEmpty()) {
            return; // a single test run by name, with the other's seeds
        }
        assertThat(STATS).as("STATS %s", STATS).allSatisfy((kind, n) -> assertThat(n).as(kind).isPositive())
                .containsKeys("alloc", "unsched", "userGroupLimitWaits", "gangReserved", "preemptions", "gangReleased");
    }
    @Test
    void cyclesNeverOverCommitAndAreDeterministic() {
        for (long seed = Long.getLong("seed0", 0); seed < Long.getLong("seed1", 2000); seed++) {
            Run a = new Run(seed);
            try { a.run(); } catch (AssertionError e) { if (System.getenv("TRACE") != null) a.trace.forEach(System.out::println); throw e; }
            Run b = new Run(seed);
            b.run();
            assertThat(b.out).as("seed %d", seed).isEqualTo(a.out);
            assertThat(b.state.hash()).isEqualTo(a.state.hash());
            assertThat(Balance.check(a.state)).as("seed %d", seed).isEmpty();
        }
    }

    /**
     * The same histories under user and group limits: every allocation apply takes leaves its user and group within
     * their limits (the Run checks it as it applies), the cycles stay deterministic, and the usage the state tracks per
     * user and group equals what its pods make, live and after a restore.
     */
    @Test
    void limitsAreNeverExceeded() {
        for (long seed = Long.getLong("seed0", 0); seed < Long.getLong("seed1", 500); seed++) {
            Run a = new Run(seed, LIMIT_CONFIGS);
            try { a.run(); } catch (AssertionError e) { if (System.getenv("TRACE") != null) a.trace.forEach(System.out::println); throw e; }
            Run b = new Run(seed, LIMIT_CONFIGS);
            b.run();
            assertThat(b.out).as("seed %d", seed).isEqualTo(a.out);
            assertThat(b.state.hash()).isEqualTo(a.state.hash());
            assertThat(Balance.check(a.state)).as("seed %d", seed).isEmpty();
            assertThat(UgmCheck.balance(a.state)).as("seed %d", seed).isEmpty();
            ClusterState restored = ClusterState.restore(a.state.snapshot());
            assertThat(restored.hash()).as("seed %d", seed).isEqualTo(a.state.hash());
            assertThat(UgmCheck.balance(restored)).as("seed %d", seed).isEmpty();
        }
    }
}
