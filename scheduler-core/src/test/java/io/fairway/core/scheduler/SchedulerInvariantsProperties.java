package io.fairway.core.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import io.fairway.core.events.Allocated;
import io.fairway.core.events.Decision;
import io.fairway.core.events.Event;
import io.fairway.core.events.LeaderElected;
import io.fairway.core.events.NodeGone;
import io.fairway.core.events.NodeObserved;
import io.fairway.core.events.PodGone;
import io.fairway.core.events.PodObserved;
import io.fairway.core.events.QueueConfigObserved;
import io.fairway.core.objects.Node;
import io.fairway.core.objects.NodeAffinity;
import io.fairway.core.objects.Pod;
import io.fairway.core.objects.PodPhase;
import io.fairway.core.objects.Taint;
import io.fairway.core.objects.Toleration;
import io.fairway.core.resources.ResourceNames;
import io.fairway.core.resources.Resources;
import io.fairway.core.state.ApplyResult;
import io.fairway.core.state.ClusterState;
import io.fairway.core.state.NodeState;
import io.fairway.core.state.PodState;
import io.fairway.core.state.QueueState;
import io.fairway.core.events.PreemptionRequested;
import io.fairway.core.events.Released;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The scheduler's invariants over random clusters and random histories: no node over-committed, no queue over its
 * max, every decision the cycle makes is one the state accepts (the in-flight overlay works), apply is
 * deterministic, and releasing everything returns usage to zero.
 */
class SchedulerInvariantsProperties {
    sealed interface Op permits Submit, Cycle, CycleWithoutApplying, Complete, RemoveNode {
    }

    record Submit(int queue, int app, int cpuMillis, int memMi, int gpus, int priority, int count, boolean tolerant)
            implements Op {
    }

    record Cycle() implements Op {
    }

    /** A cycle whose decisions are applied only after the next cycle ran: the overlay must hold the room. */
    record CycleWithoutApplying() implements Op {
    }

    record Complete(int count) implements Op {
    }

    record RemoveNode(int index) implements Op {
    }

    record NodeGen(int cpu, int memGi, int gpus, boolean tainted) {
    }

    record Workload(List<NodeGen> nodes, int parentMaxCpu, int leafMaxCpu, int guaranteedCpu, String policy,
                    int perCycle, List<Op> ops) {
    }

    @Provide
    Arbitrary<Workload> workloads() {
        Arbitrary<NodeGen> node = Combinators.combine(Arbitraries.integers().between(1, 16),
                Arbitraries.integers().between(1, 32), Arbitraries.integers().between(0, 2),
                Arbitraries.of(true, false, false, false)).as(NodeGen::new);
        Arbitrary<Op> submit = Combinators.combine(Arbitraries.integers().between(0, 2), Arbitraries.integers().between(0, 4),
                Arbitraries.integers().between(100, 4000), Arbitraries.integers().between(64, 8192),
                Arbitraries.of(0, 0, 0, 1), Arbitraries.integers().between(0, 2), Arbitraries.integers().between(1, 6),
                Arbitraries.of(true, false)).as(Submit::new);
        Arbitrary<Op> op = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(5, submit),
                net.jqwik.api.Tuple.of(3, Arbitraries.just(new Cycle())),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(new CycleWithoutApplying())),
                net.jqwik.api.Tuple.of(2, Arbitraries.integers().between(1, 6).map(Complete::new)),
                net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(0, 7).map(RemoveNode::new)));
        return Combinators.combine(node.list().ofMinSize(1).ofMaxSize(6), Arbitraries.integers().between(2, 40),
                Arbitraries.integers().between(1, 40), Arbitraries.integers().between(0, 20),
                Arbitraries.of("fair", "binpacking"), Arbitraries.integers().between(1, 20),
                op.list().ofMinSize(1).ofMaxSize(40)).as(Workload::new);
    }

    @Property(tries = 300)
    void invariantsHoldOverAnyHistory(@ForAll("workloads") Workload w) {
        Run run = new Run(w);
        run.execute();

        // Apply is deterministic: the same log gives the same state.
        ClusterState replay = new ClusterState();
        run.log.forEach(replay::apply);
        assertThat(replay.hash()).isEqualTo(run.state.hash());

        // The scheduler is deterministic too: the same history gives the same decisions.
        Run again = new Run(w);
        again.execute();
        assertThat(again.state.hash()).isEqualTo(run.state.hash());

        // Releasing everything returns usage to zero.
        for (PodState p : List.copyOf(run.state.pods())) {
            run.apply(new PodGone(run.now, p.uid(), ""));
        }
        for (NodeState n : run.state.nodes().values()) {
            assertThat(n.allocated().isZero()).as("node %s after all pods left", n.name()).isTrue();
        }
        for (QueueState q : run.state.queues().all().values()) {
            assertThat(q.allocated().isZero()).as("queue %s allocated", q.fullName()).isTrue();
            assertThat(q.pending().isZero()).as("queue %s pending", q.fullName()).isTrue();
            assertThat(q.runningApps()).isZero();
        }
        assertThat(run.state.apps()).isEmpty();
    }

    private static final class Run {
        final Workload w;
        final ClusterState state = new ClusterState();
        final Scheduler scheduler;
        final List<Event> log = new ArrayList<>();
        final List<String> nodeNames = new ArrayList<>();
        List<Decision> held = List.of();
        long now;
        int podSeq;

        Run(Workload w) {
            this.w = w;
            this.scheduler = new Scheduler(state, 1, w.perCycle());
        }

        /** What each pod uses where, kept by the test from the events that applied; never read from the state. */
        final Map<String, Pod> seen = new HashMap<>();
        final Map<String, String> placedOn = new HashMap<>();
        /** Preemptors and the node whose room their preemption holds for them. */
        final Map<String, String> heldOn = new HashMap<>();

        ApplyResult apply(Event e) {
            log.add(e);
            ApplyResult r = state.apply(e);
            if (r.applied()) {
                record(e);
            }
            return r;
        }

        /** The ledger's reading of an event the state applied. */
        void record(Event e) {
            switch (e) {
                case PodObserved o -> {
                    Pod p = o.pod();
                    seen.put(p.uid(), p);
                    if (p.phase() == PodPhase.Succeeded || p.phase() == PodPhase.Failed) {
                        placedOn.remove(p.uid());
                        heldOn.remove(p.uid());
                    } else if (!p.nodeName().isEmpty()) {
                        placedOn.put(p.uid(), p.nodeName());
                    }
                }
                case PodGone g -> {
                    seen.remove(g.uid());
                    placedOn.remove(g.uid());
                    heldOn.remove(g.uid());
                }
                case Allocated a -> {
                    placedOn.put(a.podUid(), a.nodeName());
                    heldOn.remove(a.podUid());
                }
                case Released r -> {
                    if (heldOn.remove(r.podUid()) == null) {
                        placedOn.remove(r.podUid());
                    }
                }
                case PreemptionRequested p -> {
                    if (p.kind() != PreemptionRequested.Kind.QUOTA) {
                        heldOn.put(p.preemptorUid(), p.nodeName());
                    }
                }
                case NodeGone n -> {
                    placedOn.values().removeIf(n.name()::equals);
                    heldOn.values().removeIf(n.name()::equals);
                }
                default -> {
                }
            }
        }

        /** Use by node (placed pods and held room), by queue path (the same, up the tree) and by app (placed only). */
        Map<String, Map<String, Long>> ledgerUse(String kind) {
            Map<String, Map<String, Long>> use = new HashMap<>();
            for (Map<String, String> where : List.of(placedOn, heldOn)) {
                where.forEach((uid, node) -> {
                    Pod p = seen.get(uid);
                    Map<String, Long> req = p.requests().toMap();
                    switch (kind) {
                        case "node" -> Reference.add(use.computeIfAbsent(node, k -> new HashMap<>()), req);
                        case "queue" -> {
                            String q = p.queue();
                            for (int dot = q.length(); dot > 0; dot = q.lastIndexOf('.', dot - 1)) {
                                Reference.add(use.computeIfAbsent(q.substring(0, dot), k -> new HashMap<>()), req);
                            }
                        }
                        default -> {
                            if (where == placedOn) {
                                Reference.add(use.computeIfAbsent(p.appId(), k -> new HashMap<>()), req);
                            }
                        }
                    }
                });
            }
            return use;
        }

        void execute() {
            apply(new LeaderElected(0, 1, "test"));
            int leafMax = Math.min(w.leafMaxCpu(), w.parentMaxCpu());
            int guaranteed = Math.min(w.guaranteedCpu(), leafMax);
            ApplyResult config = apply(new QueueConfigObserved(0, """
                    partitions:
                      - name: default
                        nodesortpolicy: {type: %s}
                        queues:
                          - name: root
                            queues:
                              - name: parent
                                resources: {max: {vcore: %d}}
                                queues:
                                  - name: a
                                    resources: {guaranteed: {vcore: %d}, max: {vcore: %d}}
                                  - name: b
                                    properties: {application.sort.policy: fair}
                              - name: c
                                resources: {max: {memory: 20Gi, nvidia.com/gpu: 2}}
                    """.formatted(w.policy(), w.parentMaxCpu(), guaranteed, leafMax), "1"));
            assertThat(config.applied()).as(config.reason()).isTrue();
            for (int i = 0; i < w.nodes().size(); i++) {
                NodeGen g = w.nodes().get(i);
                Resources cap = Resources.builder().set("cpu", g.cpu() * 1000L).set("memory", (long) g.memGi() << 30)
                        .set("nvidia.com/gpu", g.gpus()).build();
                String name = "node-" + i;
                nodeNames.add(name);
                apply(new NodeObserved(0, new Node(name, cap, cap, Map.of("zone", i % 2 == 0 ? "a" : "b"),
                        g.tainted() ? List.of(new Taint("dedicated", "gpu", "NoSchedule")) : List.of(),
                        false, true, "1")));
            }
            String[] queues = {"root.parent.a", "root.parent.b", "root.c"};
            for (Op op : w.ops()) {
                now += 1000;
                switch (op) {
                    case Submit s -> {
                        for (int i = 0; i < s.count(); i++) {
                            String uid = "p" + (++podSeq);
                            Resources req = Resources.builder().set("cpu", s.cpuMillis()).set("memory", (long) s.memMi() << 20)
                                    .set("nvidia.com/gpu", s.gpus()).build();
                            String app = "app-" + s.queue() + "-" + s.app();
                            apply(new PodObserved(now, new Pod(uid, "ns", uid, app, queues[s.queue()], "u", List.of(), req,
                                    s.priority(), Map.of(), NodeAffinity.NONE,
                                    s.tolerant() ? List.of(new Toleration("dedicated", "Exists", "", "")) : List.of(),
                                    ClusterState.DEFAULT_SCHEDULER_NAME, "", PodPhase.Pending, now, "")));
                        }
                    }
                    case Cycle c -> {
                        applyDecisions(held);
                        held = List.of();
                        applyDecisions(scheduler.cycle(now).decisions());
                    }
                    case CycleWithoutApplying c -> {
                        List<Decision> first = scheduler.cycle(now).decisions();
                        List<Decision> second = scheduler.cycle(now).decisions();
                        applyDecisions(held);
                        applyDecisions(first);
                        held = second;
                    }
                    case Complete c -> {
                        int done = 0;
                        for (PodState p : List.copyOf(state.pods())) {
                            if (done < c.count() && p.role() == PodState.Role.PLACED) {
                                apply(new PodObserved(now, p.pod().withNodeName(p.node()).withPhase(PodPhase.Succeeded, "")));
                                done++;
                            }
                        }
                    }
                    case RemoveNode r -> {
                        if (r.index() < nodeNames.size() && state.node(nodeNames.get(r.index())) != null) {
                            apply(new NodeGone(now, nodeNames.get(r.index()), ""));
                        }
                    }
                }
                checkInvariants();
            }
            applyDecisions(held);
            checkInvariants();
        }

        void applyDecisions(List<Decision> decisions) {
            for (Decision d : decisions) {
                ApplyResult r = apply(d);
                if (d instanceof Allocated a) {
                    // Only a pod that left meanwhile (completed, node removed) may turn an allocation down.
                    PodState p = state.pod(a.podUid());
                    boolean stillSensible = state.node(a.nodeName()) != null && p != null;
                    if (stillSensible) {
                        assertThat(r.applied()).as("allocation %s refused: %s", a, r.reason()).isTrue();
                    }
                }
            }
            scheduler.acknowledge(decisions);
        }

        /**
         * Capacity and max judged on the ledger's use, and every counter of the state equal to the ledger's: a counter
         * that drifts low would otherwise let the scheduler over-fill while looking within bounds.
         */
        void checkInvariants() {
            Map<String, Map<String, Long>> byNode = ledgerUse("node");
            Map<String, Map<String, Long>> byQueue = ledgerUse("queue");
            Map<String, Map<String, Long>> byApp = ledgerUse("app");
            for (NodeState n : state.nodes().values()) {
                Map<String, Long> used = byNode.getOrDefault(n.name(), Map.of());
                n.node().allocatable().toMap().forEach((res, cap) -> assertThat(used.getOrDefault(res, 0L))
                        .as("node %s %s", n.name(), res).isLessThanOrEqualTo(cap));
                assertThat(Reference.byName(n.allocated())).as("node %s allocated counter", n.name())
                        .isEqualTo(Reference.normal(used));
            }
            assertThat(byNode.keySet()).as("nodes with pods").allMatch(name -> state.node(name) != null);
            for (QueueState q : state.queues().all().values()) {
                Map<String, Long> used = byQueue.getOrDefault(q.fullName(), Map.of());
                q.max().toMap().forEach((res, max) -> assertThat(used.getOrDefault(res, 0L))
                        .as("queue %s %s", q.fullName(), res).isLessThanOrEqualTo(max));
                assertThat(Reference.byName(q.allocated())).as("queue %s allocated counter", q.fullName())
                        .isEqualTo(Reference.normal(used));
            }
            for (var app : state.apps().values()) {
                assertThat(Reference.byName(app.allocated())).as("app %s allocated counter", app.appId())
                        .isEqualTo(Reference.normal(byApp.getOrDefault(app.appId(), Map.of())));
            }
        }
    }
}
