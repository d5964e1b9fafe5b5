package io.fairway.core.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import io.fairway.core.events.Allocated;
import io.fairway.core.events.Decision;
import io.fairway.core.events.Event;
import io.fairway.core.events.GangReleased;
import io.fairway.core.events.GangReserved;
import io.fairway.core.events.LeaderElected;
import io.fairway.core.events.NodeObserved;
import io.fairway.core.events.PodObserved;
import io.fairway.core.events.PreemptionRequested;
import io.fairway.core.events.QueueConfigObserved;
import io.fairway.core.objects.GangSpec;
import io.fairway.core.objects.Node;
import io.fairway.core.objects.NodeAffinity;
import io.fairway.core.objects.Pod;
import io.fairway.core.objects.PodPhase;
import io.fairway.core.objects.SchedulingHints;
import io.fairway.core.objects.TaskGroup;
import io.fairway.core.objects.Topology;
import io.fairway.core.resources.Resources;
import io.fairway.core.state.ApplyResult;
import io.fairway.core.state.ClusterState;
import io.fairway.core.state.Gang;
import io.fairway.core.state.ReservedSlot;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/**
 * Gangs under contention, judged by the test's own book: many gang apps of random task groups (minMember and
 * per-member cpu and memory), styles Soft and Hard and timeouts, in three queues, over nodes that cannot hold them all
 * at once. Time advances 5 s a cycle; every decision is applied as the leader would; a gang whose members all run
 * finishes a few cycles later (its pods succeed), so room frees. The test keeps its own ledger of what runs where and
 * which slots are free (from the decisions it applied and the pods it made), and never reads the scheduler's
 * accounting (NodeFilters, QueueState.allocated(), node usage).
 *
 * <p>Properties (docs/configuration.md, Gangs):
 * <ul>
 *   <li><b>All or nothing.</b> Every {@code GangReserved} holds exactly minMember slots of each task group, and they
 *       fit the free room of their nodes (allocatable minus the pods running there and the free slots held there, per
 *       resource). After every applied cycle, every gang in the state is WAITING with no slot, RESERVED with
 *       minMember slots (free or used) of every group, or NORMAL/FAILED with no free slot. No member is placed while
 *       its gang waits.</li>
 *   <li><b>No deadlock.</b> If after a cycle some waiting gang fits whole in the free room of one node (then any
 *       first-fit placement of its members finds room, whatever their order: a sufficient condition), the next cycle
 *       reserves or places something, unless that gang was released by its timeout.</li>
 *   <li><b>Timeouts as the style says.</b> A gang is released only once {@code placeholderTimeoutInSeconds} has passed
 *       since its first pod arrived, only while it waits or holds a slot no member took; Soft: {@code GangReleased}
 *       NORMAL and its pods are then placed as normal pods; Hard: FAILED and none of its pods is placed afterwards.
 *       In the end every gang ran whole, timed out Soft and ran as normal pods (those that fit an empty node), or
 *       failed Hard.</li>
 * </ul>
 */
class GangContentionProperties {
    static final String[] QUEUES = {"root.q0", "root.q1", "root.q2"};
    static final long STEP_MILLIS = 5_000;

    record NodeGen(int cpu, int memGi) {
    }

    record GroupGen(int minMember, int cpuMillis, int memMi) {
    }

    record GangGen(int queue, List<GroupGen> groups, boolean hard, int timeoutSteps, int arrival, int runFor) {
    }

    record World(List<NodeGen> nodes, List<GangGen> gangs) {
    }

    @Provide
    Arbitrary<World> worlds() {
        Arbitrary<NodeGen> node = Combinators.combine(Arbitraries.integers().between(3, 8),
                Arbitraries.integers().between(6, 16)).as(NodeGen::new);
        Arbitrary<GroupGen> group = Combinators.combine(Arbitraries.integers().between(1, 4),
                Arbitraries.integers().between(1, 6).map(i -> i * 500), Arbitraries.integers().between(1, 8).map(i -> i * 512))
                .as(GroupGen::new);
        Arbitrary<GangGen> gang = Combinators.combine(Arbitraries.integers().between(0, QUEUES.length - 1),
                group.list().ofMinSize(1).ofMaxSize(2), Arbitraries.of(false, false, true),
                Arbitraries.integers().between(2, 16), Arbitraries.integers().between(0, 8),
                Arbitraries.integers().between(1, 4)).as(GangGen::new);
        return Combinators.combine(node.list().ofMinSize(1).ofMaxSize(3), gang.list().ofMinSize(3).ofMaxSize(9))
                .as(World::new);
    }

    @Property(tries = 800)
    void gangsAreWholeNeverDeadlockAndTimeOutAsTheirStyleSays(@ForAll("worlds") World w) {
        Run run = new Run(w);
        run.execute();
        for (G g : run.gangs) {
            Statistics.label("gang outcome").collect(g.timedOut ? g.status + " after a timeout" : g.status.toString());
        }
        Statistics.label("deadlock checks that applied").collect(run.fitChecks > 0);
    }

    enum Status { NOT_ARRIVED, WAITING, RESERVED, NORMAL, FAILED, DONE }

    /** A member pod as the test knows it. */
    static final class M {
        final String uid;
        final int group;
        String node = "";
        boolean done;

        M(String uid, int group) {
            this.uid = uid;
            this.group = group;
        }
    }

    /** A slot of a reservation as the test books it. */
    static final class S {
        final int group;
        final String node;
        boolean free = true;

        S(int group, String node) {
            this.group = group;
            this.node = node;
        }
    }

    /** A gang as the test knows it. */
    static final class G {
        final int index;
        final GangGen gen;
        final String appId;
        final List<M> members = new ArrayList<>();
        final List<S> slots = new ArrayList<>();
        Status status = Status.NOT_ARRIVED;
        long arrivedAt;
        int allPlacedAt = -1;
        boolean timedOut;

        G(int index, GangGen gen) {
            this.index = index;
            this.gen = gen;
            this.appId = "gang-" + index;
        }

        long timeoutMillis() {
            return gen.timeoutSteps() * STEP_MILLIS;
        }

        long[] member(int group) {
            GroupGen gg = gen.groups().get(group);
            return new long[] {gg.cpuMillis(), (long) gg.memMi() << 20, 1};
        }

        long[] whole() {
            long[] t = new long[3];
            for (int i = 0; i < gen.groups().size(); i++) {
                long[] m = member(i);
                for (int k = 0; k < 3; k++) {
                    t[k] += m[k] * gen.groups().get(i).minMember();
                }
            }
            return t;
        }

        boolean allPlaced() {
            return members.stream().allMatch(m -> !m.node.isEmpty() || m.done);
        }

        String groupName(int i) {
            return "tg" + i;
        }

        int groupIndex(String name) {
            return Integer.parseInt(name.substring(2));
        }
    }

    private static final class Run {
        final World w;
        final ClusterState state = new ClusterState();
        final Scheduler scheduler;
        final Map<String, long[]> allocatable = new LinkedHashMap<>();
        final List<G> gangs = new ArrayList<>();
        final Map<String, G> byApp = new HashMap<>();
        final Map<String, M> byPod = new HashMap<>();
        long now;
        int step;
        int fitChecks;

        Run(World w) {
            this.w = w;
            this.scheduler = new Scheduler(state, 1);
            for (int i = 0; i < w.gangs().size(); i++) {
                G g = new G(i, w.gangs().get(i));
                gangs.add(g);
                byApp.put(g.appId, g);
            }
        }

        void apply(Event e) {
            ApplyResult r = state.apply(e);
            assertThat(r.applied()).as("%s: %s", e, r.reason()).isTrue();
        }

        void execute() {
            apply(new LeaderElected(0, 1, "test"));
            apply(new QueueConfigObserved(0, """
                    partitions:
                      - name: default
                        queues:
                          - name: root
                            queues:
                              - {name: q0}
                              - {name: q1, properties: {application.sort.policy: fair}}
                              - {name: q2}
                    """, "1"));
            for (int i = 0; i < w.nodes().size(); i++) {
                NodeGen n = w.nodes().get(i);
                Resources cap = Resources.builder().set("cpu", n.cpu() * 1000L).set("memory", (long) n.memGi() << 30).build();
                allocatable.put("n" + i, new long[] {n.cpu() * 1000L, (long) n.memGi() << 30, Node.DEFAULT_MAX_PODS});
                apply(new NodeObserved(0, new Node("n" + i, cap, cap, Map.of(), List.of(), false, true, "1")));
            }
            int lastDeadline = 0;
            for (G g : gangs) {
                lastDeadline = Math.max(lastDeadline, g.gen.arrival() + g.gen.timeoutSteps());
            }
            List<G> fitting = List.of();
            for (step = 0; step < lastDeadline + 60 && !allSettled(); step++) {
                now = (step + 1) * STEP_MILLIS;
                arrive();
                List<Decision> decisions = scheduler.cycle(now).decisions();
                boolean progress = false;
                for (Decision d : decisions) {
                    progress |= applyDecision(d);
                }
                scheduler.acknowledge(decisions);
                checkStateWholeOrAbsent();
                for (G g : fitting) {
                    assertThat(progress || g.status != Status.WAITING)
                            .as("step %d: gang %s fitted whole on one node after the last cycle and still waits, but "
                                    + "this cycle reserved and placed nothing; %s", step, g.appId, book())
                            .isTrue();
                }
                complete();
                fitting = fittingWaitingGangs();
                fitChecks += fitting.size();
            }
            // Every gang ran whole, or timed out as its style says.
            for (G g : gangs) {
                assertThat(g.status).as("gang %s at the end; %s", g.appId, book())
                        .isIn(Status.DONE, Status.NORMAL, Status.FAILED);
                if (g.status == Status.NORMAL) {
                    for (M m : g.members) {
                        if (fitsAnEmptyNode(g.member(m.group))) {
                            assertThat(m.done).as("Soft gang %s timed out: its pod %s runs as a normal pod; %s",
                                    g.appId, m.uid, book()).isTrue();
                        }
                    }
                }
                Gang.Status seen = state.app(g.appId).gang().status();
                if (g.status == Status.FAILED) {
                    assertThat(seen).as("gang %s", g.appId).isEqualTo(Gang.Status.FAILED);
                }
                if (g.status == Status.NORMAL) {
                    assertThat(seen).as("gang %s", g.appId).isEqualTo(Gang.Status.NORMAL);
                }
            }
        }

        boolean allSettled() {
            for (G g : gangs) {
                switch (g.status) {
                    case DONE, FAILED -> {
                    }
                    case NORMAL -> {
                        for (M m : g.members) {
                            if (!m.done && fitsAnEmptyNode(g.member(m.group))) {
                                return false;
                            }
                        }
                    }
                    default -> {
                        return false;
                    }
                }
            }
            return true;
        }

        void arrive() {
            for (G g : gangs) {
                if (g.gen.arrival() != step) {
                    continue;
                }
                List<TaskGroup> groups = new ArrayList<>();
                for (int i = 0; i < g.gen.groups().size(); i++) {
                    GroupGen gg = g.gen.groups().get(i);
                    groups.add(new TaskGroup(g.groupName(i), gg.minMember(), resources(g.member(i)), Map.of(), List.of(),
                            NodeAffinity.NONE));
                }
                GangSpec spec = new GangSpec(groups, g.gen.hard() ? GangSpec.Style.HARD : GangSpec.Style.SOFT,
                        g.timeoutMillis(), "");
                int seq = 0;
                for (int i = 0; i < g.gen.groups().size(); i++) {
                    for (int k = 0; k < g.gen.groups().get(i).minMember(); k++) {
                        M m = new M(g.appId + "-" + (seq++), i);
                        g.members.add(m);
                        byPod.put(m.uid, m);
                        apply(new PodObserved(now, pod(g, m, spec, "", PodPhase.Pending, "1")));
                    }
                }
                g.status = Status.WAITING;
                g.arrivedAt = now;
            }
        }

        static Resources resources(long[] v) {
            return Resources.builder().set("cpu", v[0]).set("memory", v[1]).build();
        }

        Pod pod(G g, M m, GangSpec spec, String node, PodPhase phase, String version) {
            return new Pod(m.uid, "ns", m.uid, g.appId, QUEUES[g.gen.queue()], "u", List.of(), resources(g.member(m.group)),
                    0, Map.of(), NodeAffinity.NONE, List.of(), ClusterState.DEFAULT_SCHEDULER_NAME, node, phase,
                    g.arrivedAt == 0 ? now : g.arrivedAt, version,
                    new SchedulingHints(g.groupName(m.group), spec, Topology.NONE, ""));
        }

        /** Applies one decision after checking it against the ledger; whether it reserved or placed something. */
        boolean applyDecision(Decision d) {
            String at = "step " + step + " (t=" + now + "): " + d;
            switch (d) {
                case GangReserved r -> {
                    G g = byApp.get(r.appId());
                    assertThat(g.status).as("a reservation for a waiting gang; %s; %s", at, book()).isEqualTo(Status.WAITING);
                    int[] perGroup = new int[g.gen.groups().size()];
                    Map<String, long[]> onNode = new HashMap<>();
                    for (GangReserved.Slot s : r.slots()) {
                        int gi = g.groupIndex(s.group());
                        perGroup[gi]++;
                        long[] m = g.member(gi);
                        long[] sum = onNode.computeIfAbsent(s.node(), k -> new long[3]);
                        sum[0] += m[0];
                        sum[1] += m[1];
                    }
                    for (int i = 0; i < perGroup.length; i++) {
                        assertThat(perGroup[i]).as("slots of group %d: the whole minMember; %s", i, at)
                                .isEqualTo(g.gen.groups().get(i).minMember());
                    }
                    onNode.forEach((n, sum) -> {
                        long[] free = free(n);
                        assertThat(sum[0] <= free[0] && sum[1] <= free[1])
                                .as("the slots on %s fit its free room %s; %s; %s", n, Arrays.toString(free), at,
                                        book()).isTrue();
                    });
                    apply(d);
                    for (GangReserved.Slot s : r.slots()) {
                        g.slots.add(new S(g.groupIndex(s.group()), s.node()));
                    }
                    g.status = Status.RESERVED;
                    return true;
                }
                case GangReleased r -> {
                    G g = byApp.get(r.appId());
                    assertThat(r.next()).as("no node is lost, so no gang waits again; %s", at)
                            .isNotEqualTo(GangReleased.Next.WAIT);
                    assertThat(now).as("released only after its timeout (arrived at %d, timeout %d); %s", g.arrivedAt,
                            g.timeoutMillis(), at).isGreaterThanOrEqualTo(g.arrivedAt + g.timeoutMillis());
                    assertThat(g.status == Status.WAITING || g.status == Status.RESERVED && g.slots.stream().anyMatch(s -> s.free))
                            .as("released only while it waits or holds a slot no member took; %s; %s", at, book()).isTrue();
                    assertThat(r.next()).as("style %s; %s", g.gen.hard() ? "Hard" : "Soft", at)
                            .isEqualTo(g.gen.hard() ? GangReleased.Next.FAILED : GangReleased.Next.NORMAL);
                    apply(d);
                    g.slots.removeIf(s -> s.free);
                    g.status = g.gen.hard() ? Status.FAILED : Status.NORMAL;
                    g.timedOut = true;
                    return false;
                }
                case Allocated a -> {
                    M m = byPod.get(a.podUid());
                    G g = byApp.get(a.podUid().substring(0, a.podUid().lastIndexOf('-')));
                    assertThat(g.status).as("a member is placed only into its gang's reservation or as a normal pod "
                            + "after a Soft timeout; %s; %s", at, book()).isIn(Status.RESERVED, Status.NORMAL);
                    S slot = null;
                    if (g.status == Status.RESERVED) {
                        for (S s : g.slots) {
                            if (s.free && s.group == m.group && (slot == null || s.node.equals(a.nodeName()) && !slot.node.equals(a.nodeName()))) {
                                slot = s;
                            }
                        }
                        assertThat(slot).as("a free slot of its group; %s; %s", at, book()).isNotNull();
                    }
                    if (slot == null || !slot.node.equals(a.nodeName())) {
                        // A normal pod, or a member placed away from its slot (which it gives back): room on the node.
                        long[] need = g.member(m.group);
                        long[] free = free(a.nodeName());
                        assertThat(need[0] <= free[0] && need[1] <= free[1] && need[2] <= free[2])
                                .as("the pod fits the free room %s of %s; %s; %s", Arrays.toString(free),
                                        a.nodeName(), at, book()).isTrue();
                    }
                    apply(d);
                    if (slot != null) {
                        slot.free = false;
                    }
                    m.node = a.nodeName();
                    return true;
                }
                case PreemptionRequested p -> throw new AssertionError("no preemption among equals without guarantees: " + at);
                default -> {
                    state.apply(d);
                    return false;
                }
            }
        }

        /** The state's gangs: a whole reservation or none. */
        void checkStateWholeOrAbsent() {
            for (G g : gangs) {
                if (g.status == Status.NOT_ARRIVED) {
                    continue;
                }
                Gang sg = state.app(g.appId).gang();
                int[] perGroup = new int[g.gen.groups().size()];
                boolean anyFree = false;
                for (ReservedSlot s : sg.slots()) {
                    perGroup[g.groupIndex(s.group())]++;
                    anyFree |= s.isFree();
                }
                String at = "step " + step + ": gang " + g.appId + " in the state " + sg.status() + " " + sg.slots();
                switch (sg.status()) {
                    case WAITING -> assertThat(sg.slots()).as(at).isEmpty();
                    case RESERVED -> {
                        for (int i = 0; i < perGroup.length; i++) {
                            assertThat(perGroup[i]).as("group %d whole; %s", i, at).isEqualTo(g.gen.groups().get(i).minMember());
                        }
                    }
                    case NORMAL, FAILED -> assertThat(anyFree).as("no free slot left; %s", at).isFalse();
                    default -> throw new AssertionError("not a gang? " + at);
                }
                Status expected = switch (sg.status()) {
                    case WAITING -> Status.WAITING;
                    case RESERVED -> g.status == Status.DONE ? Status.DONE : Status.RESERVED;
                    case NORMAL -> g.status == Status.DONE ? Status.DONE : Status.NORMAL;
                    default -> Status.FAILED;
                };
                assertThat(g.status).as("the ledger agrees; %s", at).isEqualTo(expected);
            }
        }

        /** Gangs whose members all run finish {@code runFor} cycles later; so do Soft gangs' pods run as normal pods. */
        void complete() {
            for (G g : gangs) {
                if ((g.status != Status.RESERVED && g.status != Status.NORMAL) || !g.allPlaced()) {
                    if (g.status == Status.NORMAL) {
                        finishPlaced(g, false);
                    }
                    continue;
                }
                if (g.allPlacedAt < 0) {
                    g.allPlacedAt = step;
                }
                if (step - g.allPlacedAt >= g.gen.runFor()) {
                    finishPlaced(g, true);
                    g.status = Status.DONE;
                }
            }
        }

        /** The gang's running pods succeed (all of them, or for a Soft gang run normally, those placed long enough). */
        void finishPlaced(G g, boolean all) {
            if (!all && g.allPlacedAt < 0) {
                g.allPlacedAt = step;
            }
            if (!all && step - g.allPlacedAt < g.gen.runFor()) {
                return;
            }
            for (M m : g.members) {
                if (!m.node.isEmpty() && !m.done) {
                    apply(new PodObserved(now, pod(g, m, GangSpec.NONE, m.node, PodPhase.Succeeded, "2")));
                    m.done = true;
                    m.node = "";
                }
            }
        }

        /** A node's free room: allocatable minus the running pods and the free slots on it, per resource. */
        long[] free(String node) {
            long[] f = allocatable.get(node).clone();
            for (G g : gangs) {
                for (M m : g.members) {
                    if (m.node.equals(node)) {
                        long[] r = g.member(m.group);
                        for (int k = 0; k < 3; k++) {
                            f[k] -= r[k];
                        }
                    }
                }
                for (S s : g.slots) {
                    if (s.free && s.node.equals(node)) {
                        long[] r = g.member(s.group);
                        f[0] -= r[0];
                        f[1] -= r[1];
                    }
                }
            }
            return f;
        }

        /** Waiting gangs that fit whole in the free room of one node. */
        List<G> fittingWaitingGangs() {
            List<G> out = new ArrayList<>();
            for (G g : gangs) {
                if (g.status != Status.WAITING) {
                    continue;
                }
                long[] whole = g.whole();
                for (String n : allocatable.keySet()) {
                    long[] f = free(n);
                    if (whole[0] <= f[0] && whole[1] <= f[1] && whole[2] <= f[2]) {
                        out.add(g);
                        break;
                    }
                }
            }
            return out;
        }

        boolean fitsAnEmptyNode(long[] need) {
            for (long[] a : allocatable.values()) {
                if (need[0] <= a[0] && need[1] <= a[1]) {
                    return true;
                }
            }
            return false;
        }

        String book() {
            StringBuilder b = new StringBuilder("\nnodes ");
            allocatable.forEach((n, a) -> b.append(n).append('=').append(a[0]).append("m/").append(a[1] >> 20)
                    .append("Mi free ").append(Arrays.toString(free(n))).append("  "));
            for (G g : gangs) {
                b.append("\n  ").append(g.appId).append(' ').append(g.status).append(' ').append(g.gen);
                for (M m : g.members) {
                    b.append("\n    ").append(m.uid).append(" tg").append(m.group)
                            .append(m.node.isEmpty() ? "" : " on " + m.node).append(m.done ? " done" : "");
                }
                for (S s : g.slots) {
                    b.append("\n    slot tg").append(s.group).append(" on ").append(s.node).append(s.free ? " free" : " used");
                }
            }
            return b.toString();
        }
    }
}
