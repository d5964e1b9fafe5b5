package io.fairway.core.scheduler;

import static io.fairway.core.scheduler.Fixtures.GI;
import static io.fairway.core.scheduler.Fixtures.res;
import static io.fairway.core.scheduler.StageFixture.EPOCH;
import static io.fairway.core.scheduler.StageFixture.app;
import static io.fairway.core.scheduler.StageFixture.context;
import static io.fairway.core.scheduler.StageFixture.leaf;
import static io.fairway.core.scheduler.StageFixture.lines;
import static io.fairway.core.scheduler.StageFixture.must;
import static io.fairway.core.scheduler.StageFixture.node;
import static io.fairway.core.scheduler.StageFixture.nodeCpu;
import static io.fairway.core.scheduler.StageFixture.observe;
import static io.fairway.core.scheduler.StageFixture.pod;
import static io.fairway.core.scheduler.StageFixture.queueCpu;
import static io.fairway.core.scheduler.StageFixture.state;
import static org.assertj.core.api.Assertions.assertThat;

import io.fairway.core.events.Allocated;
import io.fairway.core.events.GangReleased;
import io.fairway.core.events.GangReserved;
import io.fairway.core.objects.GangAnnotations;
import io.fairway.core.objects.SchedulingHints;
import io.fairway.core.resources.Resources;
import io.fairway.core.scheduler.FairTree.ANode;
import io.fairway.core.scheduler.FairTree.QNode;
import io.fairway.core.state.ClusterState;
import io.fairway.core.state.PodState;
import io.fairway.core.state.ReservedSlot;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link GangSlots} on its own: a member goes into a free slot of its group on the slot's node, the slot grown by what
 * it asks beyond it, judged with the slot given back; one that fits none names the slot it would give back. The gang
 * is app g of alice in root.a, task group exec (2 × 1 cpu), reserved as slot 0 on n1 and slot 1 on n2 (4 cpu each).
 */
class GangSlotsTest {
    static final String GROUPS = "[{\"name\":\"exec\",\"minMember\":2,\"minResource\":{\"cpu\":\"1\"}}]";
    private static final String CONFIG = """
            partitions:
              - name: default
                queues:
                  - name: root
                    queues:
                      - {name: a%s}
                      - {name: b}
            """;

    // ------------------------------------------------------------------ growth

    static Stream<Arguments> growths() {
        // what the pod asks, its slot -> what the slot grows by (per resource: what the pod asks beyond the slot)
        return Stream.of(
                Arguments.of(res("cpu", 1000), res("cpu", 1000), Map.of()),
                Arguments.of(res("cpu", 1500, "memory", GI), res("cpu", 1000, "memory", GI), Map.of("cpu", 500L)),
                // asking less than the slot never shrinks it
                Arguments.of(res("cpu", 500), res("cpu", 1000), Map.of()),
                Arguments.of(res("cpu", 2000, "memory", GI / 2), res("cpu", 1000, "memory", GI), Map.of("cpu", 1000L)),
                // a resource the slot does not hold grows by all the pod asks of it
                Arguments.of(res("cpu", 1000, "nvidia.com/gpu", 1), res("cpu", 1000), Map.of("nvidia.com/gpu", 1L)),
                // a resource the pod does not ask is no growth
                Arguments.of(res("cpu", 1000), res("cpu", 1000, "memory", GI), Map.of()),
                Arguments.of(res("cpu", 3000, "memory", 3 * GI, "pods", 1), res("cpu", 1000, "memory", GI),
                        Map.of("cpu", 2000L, "memory", 2 * GI, "pods", 1L)),
                Arguments.of(Resources.NONE, res("cpu", 1000), Map.of()));
    }

    @ParameterizedTest(name = "[{index}] asks {0}, slot {1} -> grows by {2}")
    @MethodSource("growths")
    void aSlotGrowsByWhatThePodAsksBeyondIt(Resources request, Resources slot, Map<String, Long> growth) {
        assertThat(GangSlots.growth(request, slot).toMap()).isEqualTo(growth);
    }

    // ------------------------------------------------------------------ into a slot

    static SchedulingHints member(String group) {
        return group.isEmpty() ? GangAnnotations.hints(Map.of(GangAnnotations.TASK_GROUPS, GROUPS))
                : GangAnnotations.hints(Map.of(GangAnnotations.TASK_GROUPS, GROUPS, GangAnnotations.TASK_GROUP_NAME, group));
    }

    static GangReserved reservation() {
        return new GangReserved(2, EPOCH, "g", List.of(new GangReserved.Slot("exec", "n1", res("cpu", 1000)),
                new GangReserved.Slot("exec", "n2", res("cpu", 1000))));
    }

    /** A running pod of someone else in root.b, filling a node beside the gang's slot. */
    static void other(ClusterState s, String uid, String node, long cpuMillis) {
        observe(s, 1, pod(uid, "other-" + uid, "root.b", "bob", List.of(), cpuMillis, node, 1, SchedulingHints.NONE));
    }

    static Stream<Arguments> members() {
        BiConsumer<ClusterState, InFlight> reserved = (s, f) -> must(s.apply(reservation()));
        // what: root.a's settings, the member's group and cpu, what else happened -> the slot it would give back, whether
        // it went into a slot, the decisions, n1's, n2's and root.a's cpu as the cycle sees them after
        return Stream.of(
                row("asks what its slot holds: into slot 0 on n1, nothing more booked", "", "exec", 1000, reserved,
                        "exec@n1", true, List.of("Allocated e1 on n1"), 1000, 1000, 2000),
                row("asks 500m more: slot 0 grows by that on n1", "", "exec", 1500, reserved,
                        "exec@n1", true, List.of("Allocated e1 on n1"), 1500, 1000, 2500),
                row("n1 has no room for the growth: into slot 1 on n2", "", "exec", 1500, reserved.andThen(
                                (s, f) -> other(s, "x", "n1", 3000)),
                        "exec@n1", true, List.of("Allocated e1 on n2"), 4000, 1500, 2500),
                row("no slot's node has room for the growth: not placed, nothing booked", "", "exec", 1500,
                        reserved.andThen((s, f) -> {
                            other(s, "x", "n1", 3000);
                            other(s, "y", "n2", 3000);
                        }),
                        "exec@n1", false, List.of(), 4000, 4000, 2000),
                row("root.a's max leaves no room for the growth: not placed", "resources: {max: {vcore: 2}}", "exec",
                        1500, reserved, "exec@n1", false, List.of(), 1000, 1000, 2000),
                row("root.a's max is no bar to a member that fits its slot", "resources: {max: {vcore: 2}}", "exec",
                        1000, reserved, "exec@n1", true, List.of("Allocated e1 on n1"), 1000, 1000, 2000),
                row("slot 0 taken in flight by e0: into slot 1 on n2", "", "exec", 1000, reserved.andThen((s, f) -> {
                            observe(s, 3, pod("e0", "g", "root.a", "alice", List.of(), 1000, "", 0, member("exec")));
                            f.add(new Allocated(4, EPOCH, "e0", "n1", "root.a"), Resources.NONE);
                            f.takeSlot("e0", "g", 0);
                        }),
                        "exec@n2", true, List.of("Allocated e1 on n2"), 1000, 1000, 2000),
                row("a pod of the gang's app in no task group: no slot", "", "", 1000, reserved,
                        null, false, List.of(), 1000, 1000, 2000),
                row("the gang is being released: no slot", "", "exec", 1000, reserved.andThen((s, f) -> f.add(
                                new GangReleased(3, EPOCH, "g", GangReleased.Next.NORMAL, "t"))),
                        null, false, List.of(), 1000, 1000, 2000));
    }

    private static Arguments row(String what, String leafSettings, String group, long cpuMillis,
                                 BiConsumer<ClusterState, InFlight> setup, String givesBack, boolean intoSlot,
                                 List<String> decisions, long n1Cpu, long n2Cpu, long queueCpu) {
        return Arguments.of(what, leafSettings, group, cpuMillis, setup, givesBack, intoSlot, decisions, n1Cpu, n2Cpu,
                queueCpu);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("members")
    void aMemberGoesIntoAFreeSlotOfItsGroupWhereItFits(String what, String leafSettings, String group, long cpuMillis,
                                                      BiConsumer<ClusterState, InFlight> setup, String givesBack,
                                                      boolean intoSlot, List<String> decisions, long n1Cpu, long n2Cpu,
                                                      long queueCpu) {
        ClusterState s = state(CONFIG.formatted(leafSettings.isEmpty() ? "" : ", " + leafSettings),
                node("n1", 4), node("n2", 4));
        observe(s, 1, pod("e1", "g", "root.a", "alice", List.of(), cpuMillis, "", 1, member(group)));
        InFlight inFlight = new InFlight();
        setup.accept(s, inFlight);
        CycleContext c = context(s, inFlight, 10);
        QNode a = leaf(c, "root.a");
        ANode g = app(a, "g");
        PodState e1 = s.pod("e1");
        GangSlots slots = new GangSlots(c, Admission.DEFAULT);

        ReservedSlot back = slots.toGiveBack(g, e1.pod());
        boolean placed = slots.intoSlot(a, g, e1);

        assertThat(back == null ? null : back.group() + "@" + back.node()).as("the slot it would give back")
                .isEqualTo(givesBack);
        assertThat(placed).as("into a slot").isEqualTo(intoSlot);
        assertThat(lines(c)).isEqualTo(decisions);
        assertThat(nodeCpu(c, "n1")).as("n1's cpu").isEqualTo(n1Cpu);
        assertThat(nodeCpu(c, "n2")).as("n2's cpu").isEqualTo(n2Cpu);
        assertThat(queueCpu(c, "root.a")).as("root.a's cpu").isEqualTo(queueCpu);
        if (placed) {
            ReservedSlot taken = s.app("g").gang().slots().stream()
                    .filter(sl -> sl.node().equals(((Allocated) c.decisions.getFirst()).nodeName()))
                    .findFirst().orElseThrow();
            assertThat(inFlight.isSlotTaken("g", taken.id())).as("the slot is taken in flight").isTrue();
        }
    }

    // ------------------------------------------------------------------ book

    @Test
    void bookingASlotOutAndBackMovesItsRoomOnItsNodeInTheQueuesAndInTheUsersLimit() {
        ClusterState s = state(CONFIG.formatted(", limits: [{limit: alice, users: [alice], maxresources: {vcore: 2}}]"),
                node("n1", 4), node("n2", 4));
        observe(s, 1, pod("e1", "g", "root.a", "alice", List.of(), 1000, "", 1, member("exec")));
        must(s.apply(reservation()));
        CycleContext c = context(s, 10);
        QNode a = leaf(c, "root.a");
        ANode g = app(a, "g");
        ReservedSlot onN1 = s.app("g").gang().freeSlots("exec").iterator().next();
        Resources oneCpu = res("cpu", 1000);
        GangSlots slots = new GangSlots(c, Admission.DEFAULT);
        // alice's two free slots reach her limit of 2 cpu
        assertThat(c.limits.breach(g.app, "root.a", oneCpu, false, false)).isNotNull();

        slots.book(a, g, onN1, -1);
        assertThat(nodeCpu(c, "n1")).isZero();
        assertThat(nodeCpu(c, "n2")).isEqualTo(1000);
        assertThat(queueCpu(c, "root.a")).isEqualTo(1000);
        assertThat(queueCpu(c, "root")).isEqualTo(1000);
        assertThat(c.limits.breach(g.app, "root.a", oneCpu, false, false)).isNull();

        slots.book(a, g, onN1, 1);
        assertThat(nodeCpu(c, "n1")).isEqualTo(1000);
        assertThat(queueCpu(c, "root.a")).isEqualTo(2000);
        assertThat(queueCpu(c, "root")).isEqualTo(2000);
        assertThat(c.limits.breach(g.app, "root.a", oneCpu, false, false)).isNotNull();
        assertThat(c.decisions).isEmpty();
    }
}
