package io.fairway.core.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import io.fairway.core.events.Allocated;
import io.fairway.core.events.Decision;
import io.fairway.core.events.Event;
import io.fairway.core.events.LeaderElected;
import io.fairway.core.events.NodeObserved;
import io.fairway.core.events.PodGone;
import io.fairway.core.events.PodObserved;
import io.fairway.core.events.PreemptionRequested;
import io.fairway.core.events.QueueConfigObserved;
import io.fairway.core.events.Released;
import io.fairway.core.objects.Node;
import io.fairway.core.objects.NodeAffinity;
import io.fairway.core.objects.Pod;
import io.fairway.core.objects.PodPhase;
import io.fairway.core.resources.Resources;
import io.fairway.core.state.ApplyResult;
import io.fairway.core.state.ClusterState;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/**
 * Preemption judged by an oracle of its own: random nodes, a two-level queue tree with random guarantees, running
 * pods of random priorities, then pending preemptors arriving. Cycles run until quiet; every
 * {@code PreemptionRequested} is carried out as the leader would (its victims deleted, {@code PodGone}) after its
 * cycle is applied. Before each preemption is applied, the test checks it against its own book of the pods: which pod
 * runs where, in which queue, asking what, and which preemptor holds room where. Nothing of the scheduler's accounting
 * is read (no NodeFilters, QueueState.allocated(), PreemptionPlanner): usage and fit are sums over the test's pods,
 * per resource name.
 *
 * <p>The rule, from docs/configuration.md (Preemption) and PreemptionPlanner:
 * <ul>
 *   <li><b>Guaranteed</b>: the preemptor's leaf queue sets a guarantee and, with the preemptor added, stays within it
 *       on every resource the guarantee names. Its victims then have a priority lower than or equal to the
 *       preemptor's. The decision says {@code GUARANTEED}.</li>
 *   <li><b>Priority</b>: otherwise (no guarantee, or the leaf at or above it with the pod) priority alone decides: every
 *       victim has a priority strictly below the preemptor's. The decision says {@code PRIORITY}.</li>
 *   <li>Either way no victim's queue, from its leaf up to (not including) the queue it shares with the preemptor, ends
 *       below its guarantee on a resource the victims free; no victim is in the preemptor's leaf or app; the victims
 *       are running on the decision's node; they are enough for the preemptor to fit there and none is spare (without
 *       any one of them, it would not fit).</li>
 * </ul>
 * <p>This tree sets no {@code priority.offset}, no {@code priority.policy}, no {@code preemption.policy}, no max and no
 * gang, so the priorities compared are the pods' own and the only reason to need a victim is room on the node.
 * A queue's usage counts its running pods not chosen as victims and the rooms held for its preemptors. A pod fits
 * on a node when the node's allocatable minus the requests of the pods on it (not chosen as victims) and of the rooms
 * held there leaves its request, per resource (cpu, memory, pods): the room victims free is held for their preemptor
 * from the decision on, so two preemptions of one cycle cannot both count the same room.
 *
 * <p>Victims are deleted after their cycle, or in half the tries (slow deletions) one cycle later: from the next cycle
 * on they count on their node again until they are gone, as the state counts them (next to the room held for their
 * preemptor). With slow deletions every check but "none is spare" applies; see {@link Run#check}.
 */
class PreemptionProperties {
    static final String[] PARENTS = {"a", "b"};
    static final String[] LEAVES = {"root.a.a1", "root.a.a2", "root.b.b1", "root.b.b2"};

    /** A guarantee in whole cpus and GiB of memory; 0 leaves the resource out, both 0 sets no guarantee. */
    record Guarantee(int cpu, int memGi) {
        boolean isSet() {
            return cpu > 0 || memGi > 0;
        }
    }

    record NodeGen(int cpu, int memGi) {
    }

    record PodGen(int leaf, int app, int cpuMillis, int memMi, int priority) {
    }

    record Preemptor(PodGen pod, int arrival) {
    }

    record World(List<NodeGen> nodes, List<Guarantee> leafGuarantees, List<Guarantee> parentExtra,
                 List<PodGen> running, List<Preemptor> preemptors, boolean slowDeletes) {
    }

    @Provide
    Arbitrary<World> worlds() {
        Arbitrary<NodeGen> node = Combinators.combine(Arbitraries.integers().between(2, 8),
                Arbitraries.integers().between(4, 16)).as(NodeGen::new);
        Arbitrary<Guarantee> guarantee = Combinators.combine(Arbitraries.of(0, 0, 1, 2, 3, 4, 6),
                Arbitraries.of(0, 0, 2, 4, 8, 12)).as(Guarantee::new);
        // Running pods are small (several may have to go for one preemptor) and many (the nodes are full).
        Arbitrary<PodGen> running = Combinators.combine(Arbitraries.integers().between(0, LEAVES.length - 1),
                Arbitraries.integers().between(0, 2), Arbitraries.integers().between(1, 6).map(i -> i * 250),
                Arbitraries.integers().between(1, 8).map(i -> i * 256), Arbitraries.integers().between(0, 3))
                .as(PodGen::new);
        Arbitrary<PodGen> asking = Combinators.combine(Arbitraries.integers().between(0, LEAVES.length - 1),
                Arbitraries.integers().between(0, 1), Arbitraries.integers().between(1, 14).map(i -> i * 250),
                Arbitraries.integers().between(1, 16).map(i -> i * 256), Arbitraries.integers().between(0, 3))
                .as(PodGen::new);
        Arbitrary<Preemptor> preemptor = Combinators.combine(asking, Arbitraries.integers().between(0, 3))
                .as(Preemptor::new);
        return Combinators.combine(node.list().ofMinSize(1).ofMaxSize(3), guarantee.list().ofSize(LEAVES.length),
                Arbitraries.of(new Guarantee(0, 0), new Guarantee(0, 0), new Guarantee(1, 0), new Guarantee(2, 4),
                        new Guarantee(0, 2)).list().ofSize(PARENTS.length),
                running.list().ofMinSize(6).ofMaxSize(36), preemptor.list().ofMinSize(1).ofMaxSize(8),
                Arbitraries.of(false, true)).as(World::new);
    }

    @Property(tries = 1500)
    void preemptionKeepsGuaranteesPrioritiesAndTakesNoSpareVictim(@ForAll("worlds") World w) {
        Run run = new Run(w);
        run.execute();
        Statistics.label("preemptions per try").collect(Math.min(run.preemptions, 3));
    }

    // ------------------------------------------------------------------ the test's own book

    /** A pod as the test knows it. */
    static final class P {
        final String uid;
        final String app;
        final String leaf;
        final long cpu;
        final long mem;
        final int priority;
        /** The node it runs on (allocated or bound), or empty. */
        String node = "";
        /** The node where room is held for it as a preemptor, or empty. */
        String hold = "";
        /** Chosen as a victim: its room is held for its preemptor from then on. */
        boolean victim;
        /** A victim chosen in an earlier cycle and not gone yet: it counts on its node again, as in the state. */
        boolean leaving;

        P(String uid, String app, String leaf, long cpu, long mem, int priority) {
            this.uid = uid;
            this.app = app;
            this.leaf = leaf;
            this.cpu = cpu;
            this.mem = mem;
            this.priority = priority;
        }

        /** Per resource: cpu (millis), memory (bytes), pods. */
        long[] vector() {
            return new long[] {cpu, mem, 1};
        }

        /**
         * The node where its room counts: the node it runs on (not as a victim chosen in this cycle), or the node it
         * holds room on.
         */
        String onNode() {
            return victim && !leaving ? "" : !node.isEmpty() ? node : hold;
        }
    }

    static boolean under(String leaf, String queue) {
        return leaf.equals(queue) || leaf.startsWith(queue + ".");
    }

    static String parentOf(String queue) {
        int dot = queue.lastIndexOf('.');
        return dot < 0 ? null : queue.substring(0, dot);
    }

    private static final class Run {
        final World w;
        final ClusterState state = new ClusterState();
        final Scheduler scheduler;
        final Map<String, P> pods = new LinkedHashMap<>();
        final Map<String, long[]> allocatable = new LinkedHashMap<>();
        /** The configured guarantee of each queue that sets one: cpu millis, memory bytes (-1 where not named). */
        final Map<String, long[]> guarantees = new LinkedHashMap<>();
        long now;
        int preemptions;

        Run(World w) {
            this.w = w;
            this.scheduler = new Scheduler(state, 1);
        }

        void apply(Event e) {
            ApplyResult r = state.apply(e);
            assertThat(r.applied()).as("%s: %s", e, r.reason()).isTrue();
        }

        void execute() {
            apply(new LeaderElected(0, 1, "test"));
            apply(new QueueConfigObserved(0, config(), "1"));
            for (int i = 0; i < w.nodes().size(); i++) {
                NodeGen g = w.nodes().get(i);
                Resources cap = Resources.builder().set("cpu", g.cpu() * 1000L).set("memory", (long) g.memGi() << 30).build();
                String name = "n" + i;
                allocatable.put(name, new long[] {g.cpu() * 1000L, (long) g.memGi() << 30, Node.DEFAULT_MAX_PODS});
                apply(new NodeObserved(0, new Node(name, cap, cap, Map.of(), List.of(), false, true, "1")));
            }
            // Running pods, placed first-fit by the test (those that fit nowhere are left out).
            int seq = 0;
            for (PodGen g : w.running()) {
                P p = new P("r" + (seq++), "run-" + g.leaf() + "-" + g.app(), LEAVES[g.leaf()], g.cpuMillis(),
                        (long) g.memMi() << 20, g.priority());
                String node = null;
                for (String n : allocatable.keySet()) {
                    if (fits(n, p.vector(), new long[3])) {
                        node = n;
                        break;
                    }
                }
                if (node == null) {
                    continue;
                }
                p.node = node;
                pods.put(p.uid, p);
                apply(new PodObserved(0, pod(p, node, 0)));
            }
            int maxArrival = w.preemptors().stream().mapToInt(Preemptor::arrival).max().orElse(0);
            int quiet = 0;
            List<String> leaving = new ArrayList<>();
            for (int step = 0; step < 40 && (step <= maxArrival || quiet < 2 || !leaving.isEmpty()); step++) {
                now += 2_000;
                for (int i = 0; i < w.preemptors().size(); i++) {
                    Preemptor pr = w.preemptors().get(i);
                    if (pr.arrival() == step) {
                        PodGen g = pr.pod();
                        P p = new P("w" + i, "wait-" + g.leaf() + "-" + g.app(), LEAVES[g.leaf()], g.cpuMillis(),
                                (long) g.memMi() << 20, g.priority());
                        pods.put(p.uid, p);
                        apply(new PodObserved(now, pod(p, "", now)));
                    }
                }
                List<Decision> decisions = scheduler.cycle(now).decisions();
                boolean busy = false;
                List<String> victims = new ArrayList<>();
                List<Released> released = new ArrayList<>();
                for (Decision d : decisions) {
                    if (d instanceof PreemptionRequested pr) {
                        check(pr);
                        preemptions++;
                        for (String v : pr.victims()) {
                            pods.get(v).victim = true;
                            victims.add(v);
                        }
                        pods.get(pr.preemptorUid()).hold = pr.nodeName();
                        busy = true;
                    }
                    ApplyResult r = state.apply(d);
                    if (d instanceof PreemptionRequested) {
                        assertThat(r.applied()).as("%s: %s", d, r.reason()).isTrue();
                    }
                    if (d instanceof Allocated a) {
                        assertThat(r.applied()).as("%s: %s", d, r.reason()).isTrue();
                        P p = pods.get(a.podUid());
                        p.node = a.nodeName();
                        p.hold = "";
                        busy = true;
                    }
                    if (d instanceof Released rel && r.applied()) {
                        released.add(rel);
                        busy = true;
                    }
                }
                scheduler.acknowledge(decisions);
                for (Released rel : released) {
                    pods.get(rel.podUid()).hold = "";
                }
                // The leader deletes the victims once the decision is committed; slow deletions take a cycle more.
                List<String> gone = w.slowDeletes() ? leaving : victims;
                for (String v : gone) {
                    apply(new PodGone(now, v, "2"));
                    pods.remove(v);
                }
                leaving = w.slowDeletes() ? victims : new ArrayList<>();
                for (String v : leaving) {
                    pods.get(v).leaving = true;
                }
                quiet = busy ? 0 : quiet + 1;
            }
        }

        String config() {
            StringBuilder y = new StringBuilder("""
                    partitions:
                      - name: default
                        queues:
                          - name: root
                            properties: {preemption.delay: 1s}
                            queues:
                    """);
            for (int pi = 0; pi < PARENTS.length; pi++) {
                Guarantee g1 = w.leafGuarantees().get(pi * 2);
                Guarantee g2 = w.leafGuarantees().get(pi * 2 + 1);
                Guarantee extra = w.parentExtra().get(pi);
                String parent = "root." + PARENTS[pi];
                y.append("          - name: ").append(PARENTS[pi]).append('\n');
                if (extra.isSet()) {
                    // A parent's guarantee must hold its children's: their sum plus something.
                    Guarantee pg = new Guarantee(extra.cpu() > 0 ? extra.cpu() + g1.cpu() + g2.cpu() : 0,
                            extra.memGi() > 0 ? extra.memGi() + g1.memGi() + g2.memGi() : 0);
                    // and it names every resource its children name.
                    if (pg.cpu() == 0 && (g1.cpu() > 0 || g2.cpu() > 0)) {
                        pg = new Guarantee(g1.cpu() + g2.cpu(), pg.memGi());
                    }
                    if (pg.memGi() == 0 && (g1.memGi() > 0 || g2.memGi() > 0)) {
                        pg = new Guarantee(pg.cpu(), g1.memGi() + g2.memGi());
                    }
                    guarantee(y, "            ", parent, pg);
                }
                y.append("            queues:\n");
                for (int li = 0; li < 2; li++) {
                    String leaf = LEAVES[pi * 2 + li];
                    y.append("              - name: ").append(leaf.substring(leaf.lastIndexOf('.') + 1)).append('\n');
                    guarantee(y, "                ", leaf, li == 0 ? g1 : g2);
                }
            }
            return y.toString();
        }

        void guarantee(StringBuilder y, String indent, String queue, Guarantee g) {
            if (!g.isSet()) {
                return;
            }
            List<String> parts = new ArrayList<>();
            long[] v = {-1, -1};
            if (g.cpu() > 0) {
                parts.add("vcore: " + g.cpu());
                v[0] = g.cpu() * 1000L;
            }
            if (g.memGi() > 0) {
                parts.add("memory: " + g.memGi() + "Gi");
                v[1] = (long) g.memGi() << 30;
            }
            y.append(indent).append("resources: {guaranteed: {").append(String.join(", ", parts)).append("}}\n");
            guarantees.put(queue, v);
        }

        static Pod pod(P p, String node, long created) {
            Resources req = Resources.builder().set("cpu", p.cpu).set("memory", p.mem).build();
            return new Pod(p.uid, "ns", p.uid, p.app, p.leaf, "u", List.of(), req, p.priority, Map.of(), NodeAffinity.NONE,
                    List.of(), ClusterState.DEFAULT_SCHEDULER_NAME, node, node.isEmpty() ? PodPhase.Pending : PodPhase.Running,
                    created, "1");
        }

        // -------------------------------------------------------------- oracles

        /** The room used on a node: its running pods not chosen as victims, and rooms held there. */
        long[] usedOn(String node) {
            long[] u = new long[3];
            for (P p : pods.values()) {
                if (p.onNode().equals(node)) {
                    long[] v = p.vector();
                    for (int i = 0; i < 3; i++) {
                        u[i] += v[i];
                    }
                }
            }
            return u;
        }

        /** Whether {@code need} fits on the node with {@code extra} given back. */
        boolean fits(String node, long[] need, long[] extra) {
            long[] alloc = allocatable.get(node);
            long[] used = usedOn(node);
            for (int i = 0; i < 3; i++) {
                if (alloc[i] - used[i] + extra[i] < need[i]) {
                    return false;
                }
            }
            return true;
        }

        /** A queue's usage (cpu, memory): its running pods not chosen as victims, and the rooms held for its pods. */
        long[] usage(String queue) {
            long[] u = new long[2];
            for (P p : pods.values()) {
                if (!p.victim && !p.onNode().isEmpty() && under(p.leaf, queue)) {
                    u[0] += p.cpu;
                    u[1] += p.mem;
                }
            }
            return u;
        }

        void check(PreemptionRequested pr) {
            Statistics.label("preemption kind").collect(pr.kind());
            Statistics.label("victims per preemption").collect(Math.min(pr.victims().size(), 3));
            String at = "preemption #" + preemptions + " at " + now + ": " + pr + "\nbook: " + book();
            assertThat(pr.kind()).as(at).isNotEqualTo(PreemptionRequested.Kind.QUOTA);
            P ask = pods.get(pr.preemptorUid());
            assertThat(ask).as(at).isNotNull();
            assertThat(ask.node).as("the preemptor is pending; " + at).isEmpty();
            assertThat(ask.hold).as("the preemptor holds no room yet; " + at).isEmpty();
            assertThat(pr.victims()).as(at).isNotEmpty().doesNotHaveDuplicates();
            List<P> victims = new ArrayList<>();
            for (String uid : pr.victims()) {
                P v = pods.get(uid);
                assertThat(v).as("victim %s is a pod of the test; %s", uid, at).isNotNull();
                assertThat(v.node).as("victim %s runs on the decision's node; %s", uid, at).isEqualTo(pr.nodeName());
                assertThat(v.victim).as("victim %s was not chosen before; %s", uid, at).isFalse();
                assertThat(v.leaf).as("victim %s is in another queue than its preemptor; %s", uid, at).isNotEqualTo(ask.leaf);
                assertThat(v.app).as("victim %s is of another app; %s", uid, at).isNotEqualTo(ask.app);
                victims.add(v);
            }

            // Guaranteed or priority: the preemptor's leaf, with it, within the guarantee on every resource it names.
            long[] g = guarantees.get(ask.leaf);
            boolean within = g != null;
            if (g != null) {
                long[] u = usage(ask.leaf);
                within = (g[0] < 0 || u[0] + ask.cpu <= g[0]) && (g[1] < 0 || u[1] + ask.mem <= g[1]);
            }
            assertThat(pr.kind()).as("kind (the leaf %s within its guarantee with the pod: %s); %s", ask.leaf, within, at)
                    .isEqualTo(within ? PreemptionRequested.Kind.GUARANTEED : PreemptionRequested.Kind.PRIORITY);
            for (P v : victims) {
                if (within) {
                    assertThat(v.priority).as("guaranteed: victim %s priority at most the preemptor's; %s", v.uid, at)
                            .isLessThanOrEqualTo(ask.priority);
                } else {
                    assertThat(v.priority).as("priority decides: victim %s priority below the preemptor's; %s", v.uid, at)
                            .isLessThan(ask.priority);
                }
            }

            // No victim's queue below its guarantee, up to the queue it shares with the preemptor.
            Set<String> checked = new HashSet<>();
            for (P v : victims) {
                for (String q = v.leaf; q != null && !under(ask.leaf, q); q = parentOf(q)) {
                    long[] qg = guarantees.get(q);
                    if (qg == null || !checked.add(q)) {
                        continue;
                    }
                    long[] before = usage(q);
                    long[] freed = new long[2];
                    for (P o : victims) {
                        if (under(o.leaf, q)) {
                            freed[0] += o.cpu;
                            freed[1] += o.mem;
                        }
                    }
                    for (int i = 0; i < 2; i++) {
                        if (qg[i] >= 0 && freed[i] > 0) {
                            assertThat(before[i] - freed[i])
                                    .as("queue %s %s after its victims leave (before %d, freed %d), guaranteed %d; %s",
                                            q, i == 0 ? "cpu" : "memory", before[i], freed[i], qg[i], at)
                                    .isGreaterThanOrEqualTo(qg[i]);
                        }
                    }
                }
            }

            // Enough victims, and none spare.
            long[] all = new long[3];
            for (P v : victims) {
                long[] r = v.vector();
                for (int i = 0; i < 3; i++) {
                    all[i] += r[i];
                }
            }
            assertThat(fits(pr.nodeName(), ask.vector(), all))
                    .as("the preemptor fits on %s once its victims left; %s", pr.nodeName(), at).isTrue();
            if (w.slowDeletes()) {
                // Not judged with slow deletions: the state counts a victim still leaving and its preemptor's room
                // both, and a preemptor that gave up its room and went elsewhere counts on both nodes until its
                // cycle is applied, so a later preemption on such a node may take a victim the room would not need.
                return;
            }
            for (P v : victims) {
                long[] without = all.clone();
                long[] r = v.vector();
                for (int i = 0; i < 3; i++) {
                    without[i] -= r[i];
                }
                assertThat(fits(pr.nodeName(), ask.vector(), without))
                        .as("victim %s is spare: the preemptor fits on %s without taking it; %s", v.uid, pr.nodeName(), at)
                        .isFalse();
            }
        }

        String book() {
            StringBuilder b = new StringBuilder();
            b.append("nodes ");
            allocatable.forEach((n, a) -> b.append(n).append("=").append(a[0]).append("m/").append(a[1] >> 20).append("Mi "));
            b.append("\nguarantees ");
            guarantees.forEach((q, g) -> b.append(q).append("=").append(g[0]).append("m/")
                    .append(g[1] < 0 ? -1 : g[1] >> 20).append("Mi "));
            b.append("\npods:");
            for (P p : pods.values()) {
                b.append("\n  ").append(p.uid).append(' ').append(p.app).append(' ').append(p.leaf).append(' ')
                        .append(p.cpu).append("m/").append(p.mem >> 20).append("Mi prio ").append(p.priority)
                        .append(p.node.isEmpty() ? "" : " on " + p.node).append(p.hold.isEmpty() ? "" : " holds " + p.hold)
                        .append(p.victim ? " VICTIM" : "").append(p.leaving ? " (leaving)" : "");
            }
            return b.toString();
        }
    }
}
