package io.fairway.core.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import io.fairway.core.events.Allocated;
import io.fairway.core.events.Decision;
import io.fairway.core.events.LeaderElected;
import io.fairway.core.events.NodeObserved;
import io.fairway.core.events.PodObserved;
import io.fairway.core.events.QueueConfigObserved;
import io.fairway.core.objects.Node;
import io.fairway.core.objects.NodeAffinity;
import io.fairway.core.objects.Pod;
import io.fairway.core.objects.PodPhase;
import io.fairway.core.resources.Resources;
import io.fairway.core.state.ApplyResult;
import io.fairway.core.state.ClusterState;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * Every cycle's allocations, in order, equal those of a naive model of YuniKorn's fair scheduling written here from
 * the documented rules, over random queue trees (guaranteed and max at any level), nodes and histories:
 *
 * <ul>
 *   <li>queues: from the root down, the child with work first: below its guarantee before at or above it; then by
 *       dominant share of use (committed and booked this cycle) over guaranteed, else over max, else over the
 *       cluster; a queue with a guarantee before one without; then by full name;
 *   <li>apps in a leaf (fifo): first submitted first, then by id; asks in an app: higher priority, older, by uid;
 *   <li>an ask goes where it fits (every resource, by name) and within every max on its path, to the node the
 *       policy prefers (fair: least used by the mean of cpu and memory shares; binpacking: most), first by name on
 *       a tie; an ask that cannot go is passed over; at most {@code perCycle} allocations.
 * </ul>
 *
 * <p>Use is recomputed from the pods every cycle; nothing is read from the scheduler or the state's counters.
 * Preemption is off: it is judged by {@code PreemptionProperties}.
 */
class FairOrderProperties {
    /** The queues of the tree; {@code root.p} is the only parent. */
    static final List<String> LEAVES = List.of("root.p.a", "root.p.b", "root.c", "root.d");
    static final List<String> QUEUES = List.of("root.p", "root.p.a", "root.p.b", "root.c", "root.d");

    record Limits(int guaranteedCpu, int guaranteedMemGi, int maxCpu, int maxMemGi) {
    }

    sealed interface Op permits Submit, Cycle, Complete {
    }

    record Submit(int leaf, int app, int cpuMillis, int memMi, int count) implements Op {
    }

    record Cycle() implements Op {
    }

    record Complete(int count) implements Op {
    }

    record Workload(List<Tuple.Tuple2<Integer, Integer>> nodes, List<Limits> limits, boolean binpacking, int perCycle,
                    List<Op> ops) {
    }

    @Provide
    Arbitrary<Workload> workloads() {
        Arbitrary<Tuple.Tuple2<Integer, Integer>> node = Combinators.combine(Arbitraries.integers().between(1, 8),
                Arbitraries.integers().between(1, 16)).as(Tuple::of);
        // 0 means not set
        Arbitrary<Limits> limits = Combinators.combine(Arbitraries.of(0, 0, 1, 2, 4, 8), Arbitraries.of(0, 0, 0, 2, 8),
                Arbitraries.of(0, 0, 2, 4, 12), Arbitraries.of(0, 0, 0, 4, 16)).as(Limits::new);
        Arbitrary<Op> submit = Combinators.combine(Arbitraries.integers().between(0, LEAVES.size() - 1),
                Arbitraries.integers().between(0, 2), Arbitraries.integers().between(100, 3000),
                Arbitraries.integers().between(64, 4096), Arbitraries.integers().between(1, 5)).as(Submit::new);
        Arbitrary<Op> op = Arbitraries.frequencyOf(Tuple.of(4, submit), Tuple.of(3, Arbitraries.just(new Cycle())),
                Tuple.of(2, Arbitraries.integers().between(1, 4).map(Complete::new)));
        return Combinators.combine(node.list().ofMinSize(1).ofMaxSize(4), limits.list().ofSize(QUEUES.size()),
                Arbitraries.of(true, false), Arbitraries.integers().between(1, 8), op.list().ofMinSize(1).ofMaxSize(30))
                .as(Workload::new);
    }

    @Property(tries = 300)
    void allocationsFollowTheFairOrder(@ForAll("workloads") Workload w) {
        new Run(w).execute();
    }

    /** The YAML of the workload's tree; a max below the guarantee is raised to it (the config would be refused). */
    static String config(Workload w) {
        StringBuilder b = new StringBuilder("""
                partitions:
                  - name: default
                    preemption: {enabled: false}
                    nodesortpolicy: {type: %s}
                    queues:
                      - name: root
                        queues:
                """.formatted(w.binpacking() ? "binpacking" : "fair"));
        for (int i = 0; i < QUEUES.size(); i++) {
            String name = QUEUES.get(i);
            String indent = name.startsWith("root.p.") ? "              " : "          ";
            b.append(indent).append("- name: ").append(name.substring(name.lastIndexOf('.') + 1)).append('\n');
            String resources = resources(effective(w, i));
            if (!resources.isEmpty()) {
                b.append(indent).append("  resources: {").append(resources).append("}\n");
            }
            if (name.equals("root.p")) {
                b.append(indent).append("  queues:\n");
            }
        }
        return b.toString();
    }

    /**
     * The limits as configured: a max is raised to the guarantee, and a child's guarantee and max kept within the
     * parent's (what the config validator demands).
     */
    static Limits effective(Workload w, int i) {
        Limits l = w.limits().get(i);
        int gc = l.guaranteedCpu();
        int gm = l.guaranteedMemGi();
        int mc = l.maxCpu() == 0 ? 0 : Math.max(l.maxCpu(), gc);
        int mm = l.maxMemGi() == 0 ? 0 : Math.max(l.maxMemGi(), gm);
        if (QUEUES.get(i).startsWith("root.p.")) {
            // two children: each guarantee at most half of the parent's guarantee, else of its max; a max within the
            // parent's
            Limits parent = effective(w, 0);
            int capCpu = parent.guaranteedCpu() > 0 ? parent.guaranteedCpu() : parent.maxCpu();
            int capMem = parent.guaranteedMemGi() > 0 ? parent.guaranteedMemGi() : parent.maxMemGi();
            gc = capCpu > 0 ? Math.min(gc, capCpu / 2) : gc;
            gm = capMem > 0 ? Math.min(gm, capMem / 2) : gm;
            mc = mc == 0 ? 0 : Math.max(parent.maxCpu() > 0 ? Math.min(mc, parent.maxCpu()) : mc, gc);
            mm = mm == 0 ? 0 : Math.max(parent.maxMemGi() > 0 ? Math.min(mm, parent.maxMemGi()) : mm, gm);
        }
        return new Limits(gc, gm, mc, mm);
    }

    private static String resources(Limits l) {
        List<String> parts = new ArrayList<>();
        String g = quantities(l.guaranteedCpu(), l.guaranteedMemGi());
        String m = quantities(l.maxCpu(), l.maxMemGi());
        if (!g.isEmpty()) {
            parts.add("guaranteed: {" + g + "}");
        }
        if (!m.isEmpty()) {
            parts.add("max: {" + m + "}");
        }
        return String.join(", ", parts);
    }

    private static String quantities(int cpu, int memGi) {
        List<String> q = new ArrayList<>();
        if (cpu > 0) {
            q.add("vcore: " + cpu);
        }
        if (memGi > 0) {
            q.add("memory: " + memGi + "Gi");
        }
        return String.join(", ", q);
    }

    /** Limits by resource name, in the units pods ask in (millicores, bytes). */
    static Map<String, Long> guaranteed(Limits l) {
        return byName(l.guaranteedCpu(), l.guaranteedMemGi());
    }

    static Map<String, Long> max(Limits l) {
        return byName(l.maxCpu(), l.maxMemGi());
    }

    private static Map<String, Long> byName(int cpu, int memGi) {
        Map<String, Long> m = new TreeMap<>();
        if (cpu > 0) {
            m.put("cpu", cpu * 1000L);
        }
        if (memGi > 0) {
            m.put("memory", (long) memGi << 30);
        }
        return m;
    }

    private static final class Run {
        final Workload w;
        final ClusterState state = new ClusterState();
        final Scheduler scheduler;
        final Map<String, Node> nodes = new TreeMap<>();
        final Map<String, Pod> pods = new LinkedHashMap<>();
        /** Where each placed pod is, from the allocations applied; completed pods leave. */
        final Map<String, String> placedOn = new TreeMap<>();
        final Map<String, Long> appSubmitted = new HashMap<>();
        long now;
        int podSeq;

        Run(Workload w) {
            this.w = w;
            this.scheduler = new Scheduler(state, 1, w.perCycle());
        }

        void execute() {
            state.apply(new LeaderElected(0, 1, "test"));
            ApplyResult config = state.apply(new QueueConfigObserved(0, config(w), "1"));
            assertThat(config.applied()).as("%s\n%s", config.reason(), config(w)).isTrue();
            for (int i = 0; i < w.nodes().size(); i++) {
                Resources cap = Resources.builder().set("cpu", w.nodes().get(i).get1() * 1000L)
                        .set("memory", (long) w.nodes().get(i).get2() << 30).build();
                Node n = new Node("node-" + i, cap, cap, Map.of(), List.of(), false, true, "1");
                nodes.put(n.name(), n);
                state.apply(new NodeObserved(0, n));
            }
            for (Op op : w.ops()) {
                now += 1000;
                switch (op) {
                    case Submit s -> submit(s);
                    case Cycle c -> cycle();
                    case Complete c -> complete(c.count());
                }
            }
            cycle();
        }

        void submit(Submit s) {
            String app = "app-" + s.leaf() + "-" + s.app();
            appSubmitted.putIfAbsent(app, now);
            for (int i = 0; i < s.count(); i++) {
                String uid = "p" + String.format("%03d", ++podSeq);
                Resources req = Resources.builder().set("cpu", s.cpuMillis()).set("memory", (long) s.memMi() << 20).build();
                Pod p = new Pod(uid, "ns", uid, app, LEAVES.get(s.leaf()), "u", List.of(), req, 0, Map.of(),
                        NodeAffinity.NONE, List.of(), ClusterState.DEFAULT_SCHEDULER_NAME, "", PodPhase.Pending, now, "");
                pods.put(uid, p);
                assertThat(state.apply(new PodObserved(now, p)).applied()).isTrue();
            }
        }

        void complete(int count) {
            List<String> done = new ArrayList<>(placedOn.keySet()).subList(0, Math.min(count, placedOn.size()));
            for (String uid : List.copyOf(done)) {
                Pod p = pods.remove(uid);
                String node = placedOn.remove(uid);
                assertThat(state.apply(new PodObserved(now, p.withNodeName(node).withPhase(PodPhase.Succeeded, "")))
                        .applied()).isTrue();
            }
        }

        void cycle() {
            List<String> expected = model();
            List<Decision> decisions = scheduler.cycle(now).decisions();
            List<String> actual = new ArrayList<>();
            for (Decision d : decisions) {
                if (d instanceof Allocated a) {
                    actual.add(a.podUid() + "@" + a.nodeName());
                }
            }
            assertThat(actual).as("allocations of the cycle at %d, config\n%s", now, config(w)).isEqualTo(expected);
            for (Decision d : decisions) {
                ApplyResult r = state.apply(d);
                if (d instanceof Allocated a) {
                    assertThat(r.applied()).as("%s: %s", a, r.reason()).isTrue();
                    placedOn.put(a.podUid(), a.nodeName());
                }
            }
            scheduler.acknowledge(decisions);
        }

        /** The cycle's allocations as the naive model makes them: "uid@node", in order. */
        List<String> model() {
            Map<String, Map<String, Long>> nodeUse = new HashMap<>();
            Map<String, Map<String, Long>> queueUse = new HashMap<>();
            for (Map.Entry<String, String> e : placedOn.entrySet()) {
                book(nodeUse, queueUse, pods.get(e.getKey()), e.getValue());
            }
            Map<String, Long> cluster = new TreeMap<>();
            nodes.values().forEach(n -> Reference.add(cluster, n.allocatable().toMap()));
            Set<String> tried = new HashSet<>();
            List<String> out = new ArrayList<>();
            while (out.size() < w.perCycle()) {
                Pod ask = nextAsk("root", tried, queueUse, cluster);
                if (ask == null) {
                    break;
                }
                tried.add(ask.uid());
                String node = choose(ask, nodeUse, queueUse);
                if (node != null) {
                    book(nodeUse, queueUse, ask, node);
                    out.add(ask.uid() + "@" + node);
                }
            }
            return out;
        }

        void book(Map<String, Map<String, Long>> nodeUse, Map<String, Map<String, Long>> queueUse, Pod p, String node) {
            Map<String, Long> req = p.requests().toMap();
            Reference.add(nodeUse.computeIfAbsent(node, k -> new HashMap<>()), req);
            for (String q = p.queue(); q.contains("."); q = q.substring(0, q.lastIndexOf('.'))) {
                Reference.add(queueUse.computeIfAbsent(q, k -> new HashMap<>()), req);
            }
        }

        /** The first untried ask under {@code queue} in the fair order, or null. */
        Pod nextAsk(String queue, Set<String> tried, Map<String, Map<String, Long>> queueUse, Map<String, Long> cluster) {
            if (LEAVES.contains(queue)) {
                return pods.values().stream()
                        .filter(p -> p.queue().equals(queue) && !placedOn.containsKey(p.uid()) && !tried.contains(p.uid()))
                        .min(Comparator.comparingLong((Pod p) -> appSubmitted.get(p.appId())).thenComparing(Pod::appId)
                                .thenComparingLong(Pod::creationTime).thenComparing(Pod::uid))
                        .orElse(null);
            }
            List<String> children = QUEUES.stream()
                    .filter(q -> q.startsWith(queue + ".") && q.indexOf('.', queue.length() + 1) < 0).toList();
            record Candidate(String name, int tier, double share, boolean noGuarantee, Pod ask) {
            }
            Candidate best = null;
            for (String child : children) {
                Pod ask = nextAsk(child, tried, queueUse, cluster);
                if (ask == null) {
                    continue;
                }
                Limits l = effective(w, QUEUES.indexOf(child));
                Map<String, Long> used = queueUse.getOrDefault(child, Map.of());
                Map<String, Long> g = guaranteed(l);
                Map<String, Long> base = !g.isEmpty() ? g : !max(l).isEmpty() ? max(l) : cluster;
                double share = 0;
                for (Map.Entry<String, Long> e : base.entrySet()) {
                    if (e.getValue() > 0) {
                        share = Math.max(share, (double) used.getOrDefault(e.getKey(), 0L) / e.getValue());
                    }
                }
                Candidate c = new Candidate(child, !g.isEmpty() && share < 1.0 ? 0 : 1, share, g.isEmpty(), ask);
                if (best == null || Comparator.comparingInt(Candidate::tier).thenComparingDouble(Candidate::share)
                        .thenComparing(Candidate::noGuarantee).thenComparing(Candidate::name).compare(c, best) < 0) {
                    best = c;
                }
            }
            return best == null ? null : best.ask();
        }

        /** The node the pod goes to, or null when a max on its path or every node's room says no. */
        String choose(Pod p, Map<String, Map<String, Long>> nodeUse, Map<String, Map<String, Long>> queueUse) {
            Map<String, Long> req = p.requests().toMap();
            for (String q = p.queue(); q.contains("."); q = q.substring(0, q.lastIndexOf('.'))) {
                Map<String, Long> max = max(effective(w, QUEUES.indexOf(q)));
                if (!Reference.withinMax(req, max, queueUse.getOrDefault(q, Map.of()))) {
                    return null;
                }
            }
            String best = null;
            double bestScore = 0;
            for (Node n : nodes.values()) {
                Map<String, Long> used = nodeUse.getOrDefault(n.name(), Map.of());
                if (!Reference.placeable(p, n, used)) {
                    continue;
                }
                double score = ((double) used.getOrDefault("cpu", 0L) / n.allocatable().get("cpu")
                        + (double) used.getOrDefault("memory", 0L) / n.allocatable().get("memory")) / 2;
                if (best == null || (w.binpacking() ? score > bestScore : score < bestScore)) {
                    best = n.name();
                    bestScore = score;
                }
            }
            return best;
        }
    }
}
