package io.fairway.core.scheduler;

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
import io.fairway.core.events.NodeGone;
import io.fairway.core.events.QueueConfigObserved;
import io.fairway.core.objects.GangAnnotations;
import io.fairway.core.objects.Node;
import io.fairway.core.objects.SchedulingHints;
import io.fairway.core.resources.Resources;
import io.fairway.core.scheduler.FairTree.ANode;
import io.fairway.core.scheduler.FairTree.QNode;
import io.fairway.core.state.ClusterState;
import io.fairway.core.state.Gang;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link GangStage} on its own: gangs released at their deadline as their style says, and a gang's turn (reserve every
 * missing member at once or nothing, fail, wait, or let its members be placed). The gang is app g of alice in
 * root.a: task group driver (1 × 1 cpu) and exec (2 × 2 cpu), 5 cpu in all; its pods d, e1, e2 wait, first seen at
 * {@link #SINCE}.
 */
class GangStageTest {
    static final long SINCE = 10_000;
    static final String GROUPS = "[{\"name\":\"driver\",\"minMember\":1,\"minResource\":{\"cpu\":\"1\"}},"
            + "{\"name\":\"exec\",\"minMember\":2,\"minResource\":{\"cpu\":\"2\"}}]";
    private static final String CONFIG = """
            partitions:
              - name: default
                queues:
                  - name: root
                    queues:
                      - {name: a%s}
                      - {name: b}
            """;

    static SchedulingHints member(String group, String taskGroups, String parameters) {
        return GangAnnotations.hints(Map.of(GangAnnotations.TASK_GROUPS, taskGroups,
                GangAnnotations.TASK_GROUP_NAME, group, GangAnnotations.POLICY_PARAMETERS, parameters));
    }

    /** The gang's three pods, seen at {@code since}. */
    static void gang(ClusterState s, long since, String taskGroups, String parameters) {
        observe(s, since, pod("d", "g", "root.a", "alice", List.of(), 1000, "", 1, member("driver", taskGroups, parameters)));
        observe(s, since, pod("e1", "g", "root.a", "alice", List.of(), 2000, "", 2, member("exec", taskGroups, parameters)));
        observe(s, since, pod("e2", "g", "root.a", "alice", List.of(), 2000, "", 3, member("exec", taskGroups, parameters)));
    }

    static GangReserved.Slot slot(String group, String node) {
        return new GangReserved.Slot(group, node,
                Resources.builder().set("cpu", group.equals("driver") ? 1000 : 2000).build());
    }

    static GangReserved whole(long time, String driverNode, String exec1Node, String exec2Node) {
        return new GangReserved(time, EPOCH, "g", List.of(slot("driver", driverNode), slot("exec", exec1Node),
                slot("exec", exec2Node)));
    }

    // ------------------------------------------------------------------ timeouts

    /** How the gang stands when its deadline is judged. */
    enum Standing {
        /** Waiting for its whole reservation. */
        WAITING,
        /** Holding slots no member took yet. */
        RESERVED_FREE,
        /** Every slot taken by a member. */
        RESERVED_USED,
        /** Released to be scheduled as a normal app. */
        NORMAL,
        /** Failed. */
        FAILED,
        /** Its task groups cannot be read. */
        INVALID,
        /** Waiting, and a release is already in flight. */
        RELEASE_IN_FLIGHT
    }

    static Stream<Arguments> deadlines() {
        // standing, style, first seen, placeholderTimeoutInSeconds, now -> what the gang is released to (null: not)
        return Stream.of(
                Arguments.of(Standing.WAITING, "Soft", 10_000, 60, 69_999, null),
                Arguments.of(Standing.WAITING, "Soft", 10_000, 60, 70_000, GangReleased.Next.NORMAL),
                Arguments.of(Standing.WAITING, "Hard", 10_000, 60, 69_999, null),
                Arguments.of(Standing.WAITING, "Hard", 10_000, 60, 70_000, GangReleased.Next.FAILED),
                Arguments.of(Standing.WAITING, "Hard", 5_000, 1, 6_000, GangReleased.Next.FAILED),
                Arguments.of(Standing.RESERVED_FREE, "Soft", 10_000, 60, 100_000, GangReleased.Next.NORMAL),
                Arguments.of(Standing.RESERVED_FREE, "Hard", 10_000, 60, 100_000, GangReleased.Next.FAILED),
                Arguments.of(Standing.RESERVED_FREE, "Hard", 10_000, 60, 20_000, null),
                // complete: every member has its slot, nothing to release
                Arguments.of(Standing.RESERVED_USED, "Soft", 10_000, 60, 100_000, null),
                Arguments.of(Standing.RESERVED_USED, "Hard", 10_000, 60, 100_000, null),
                // already released, failed, or never a gang
                Arguments.of(Standing.NORMAL, "Soft", 10_000, 60, 100_000, null),
                Arguments.of(Standing.FAILED, "Hard", 10_000, 60, 100_000, null),
                Arguments.of(Standing.INVALID, "Hard", 10_000, 60, 100_000, null),
                // released once, not again while that release is in flight
                Arguments.of(Standing.RELEASE_IN_FLIGHT, "Hard", 10_000, 60, 100_000, null));
    }

    @ParameterizedTest(name = "[{index}] {0} {1}, since {2}, timeout {3}s, now {4} -> {5}")
    @MethodSource("deadlines")
    void gangsAreReleasedAtTheirDeadlineAsTheirStyleSays(Standing standing, String style, long since, int timeoutSec,
                                                         long now, GangReleased.Next expected) {
        ClusterState s = state(CONFIG.formatted(""), node("n1", 8));
        String parameters = "placeholderTimeoutInSeconds=" + timeoutSec + " gangSchedulingStyle=" + style;
        gang(s, since, standing == Standing.INVALID ? "[]" : GROUPS, parameters);
        InFlight inFlight = new InFlight();
        switch (standing) {
            case RESERVED_FREE -> must(s.apply(whole(since + 1, "n1", "n1", "n1")));
            case RESERVED_USED -> {
                must(s.apply(whole(since + 1, "n1", "n1", "n1")));
                for (String uid : List.of("d", "e1", "e2")) {
                    must(s.apply(new Allocated(since + 2, EPOCH, uid, "n1", "root.a")));
                }
            }
            case NORMAL -> must(s.apply(new GangReleased(since + 1, EPOCH, "g", GangReleased.Next.NORMAL, "test")));
            case FAILED -> must(s.apply(new GangReleased(since + 1, EPOCH, "g", GangReleased.Next.FAILED, "test")));
            case RELEASE_IN_FLIGHT -> inFlight.add(new GangReleased(since + 1, EPOCH, "g", GangReleased.Next.WAIT, "t"));
            default -> {
            }
        }
        CycleContext c = new CycleContext(now, EPOCH, s, inFlight, new NodeIndex(NodeFilters.DEFAULT));

        new GangStage(c, Admission.DEFAULT).timeouts();

        if (expected == null) {
            assertThat(lines(c)).isEmpty();
        } else {
            assertThat(lines(c)).containsExactly("GangReleased g " + expected);
            assertThat(inFlight.release("g").next()).as("the release is in flight").isEqualTo(expected);
        }
    }

    @Test
    void aTimedOutGangIsToldWhyWithItsCountsAndWhatComesNext() {
        ClusterState s = state(CONFIG.formatted(""), node("n1", 8));
        gang(s, SINCE, GROUPS, "placeholderTimeoutInSeconds=90 gangSchedulingStyle=Soft");
        must(s.apply(new GangReserved(SINCE + 1, EPOCH, "g", List.of(slot("driver", "n1")))));
        CycleContext c = new CycleContext(SINCE + 90_000, EPOCH, s, new InFlight(), new NodeIndex(NodeFilters.DEFAULT));
        new GangStage(c, Admission.DEFAULT).timeouts();
        assertThat(c.decisions).singleElement().isInstanceOfSatisfying(GangReleased.class, r -> assertThat(r.reason())
                .isEqualTo("gang of app g was not complete 1m30s after it first waited (driver: 0 used, 1 reserved of "
                        + "1, exec: 0 used, 0 reserved of 2); gangSchedulingStyle Soft: its reservations are released "
                        + "and it is scheduled as a normal app"));
    }

    // ------------------------------------------------------------------ a gang's turn

    /** One way a gang stands when its turn comes, made with events (and in-flight decisions). */
    record Setup(ClusterState state, InFlight inFlight) {
    }

    static Stream<Arguments> turns() {
        List<String> failed = List.of("Unschedulable d: gang failed", "Unschedulable e1: gang failed",
                "Unschedulable e2: gang failed");
        List<String> noRoomForExec = waitAll("gang: no room for group exec; no node: Insufficient cpu");
        // what: root.a's settings, nodes (cores), what else happened -> holdsBack, decisions, root.a's and n1's cpu as
        // the cycle sees them after the turn, needsReservation before it
        return Stream.of(
                turn("waiting, room on n1: every member reserved at once", "", List.of(node("n1", 8)), (s, f) -> { },
                        true, List.of("GangReserved g [driver@n1, exec@n1, exec@n1]"), 5000, 5000, true),
                // (a gang larger than its queue's max is rejected when submitted; this one's max was lowered since)
                turn("waiting, now larger than root.a's max: fails", "", List.of(node("n1", 8)),
                        (s, f) -> must(s.apply(new QueueConfigObserved(SINCE + 1,
                                CONFIG.formatted(", resources: {max: {vcore: 4}}"), "2"))),
                        true, concat(List.of("GangReleased g FAILED"), failed), 0, 0, true),
                turn("waiting, root.a has no room now: all wait, nothing held", "resources: {max: {vcore: 8}}",
                        List.of(node("n1", 16)), (s, f) -> observe(s, 1, pod("x0", "x", "root.a", "bob", List.of(),
                                4000, "n1", 1, SchedulingHints.NONE)),
                        true, waitAll("gang: queue root.a at max cpu"), 4000, 4000, true),
                turn("waiting, alice over her limit", "limits: [{limit: alice, users: [alice], maxresources: {vcore: 4}}]",
                        List.of(node("n1", 8)), (s, f) -> { },
                        true, waitAll("gang: user alice in queue root.a at maxresources cpu"), 0, 0, true),
                turn("waiting, no node holds the second executor: nothing held", "", List.of(node("n1", 4)),
                        (s, f) -> { }, true, noRoomForExec, 0, 0, true),
                turn("reserved whole: its members go into their slots", "", List.of(node("n1", 8)),
                        (s, f) -> must(s.apply(whole(SINCE + 1, "n1", "n1", "n1"))),
                        false, List.of(), 5000, 5000, false),
                turn("released to normal: scheduled as any app", "", List.of(node("n1", 8)),
                        (s, f) -> must(s.apply(new GangReleased(SINCE + 1, EPOCH, "g", GangReleased.Next.NORMAL, "t"))),
                        false, List.of(), 0, 0, false),
                turn("failed: every pod told", "", List.of(node("n1", 8)),
                        (s, f) -> must(s.apply(new GangReleased(SINCE + 1, EPOCH, "g", GangReleased.Next.FAILED, "t"))),
                        true, failed, 0, 0, false),
                turn("a reservation in flight: waits for it", "", List.of(node("n1", 8)),
                        (s, f) -> f.add(whole(SINCE + 1, "n1", "n1", "n1"),
                                Map.of("n1", Resources.builder().set("cpu", 5000).build())),
                        true, List.of(), 5000, 5000, false),
                turn("a release to normal in flight: scheduled as any app", "", List.of(node("n1", 8)),
                        (s, f) -> f.add(new GangReleased(SINCE + 1, EPOCH, "g", GangReleased.Next.NORMAL, "t")),
                        false, List.of(), 0, 0, false),
                turn("a release to wait in flight: waits", "", List.of(node("n1", 8)),
                        (s, f) -> f.add(new GangReleased(SINCE + 1, EPOCH, "g", GangReleased.Next.WAIT, "t")),
                        true, List.of(), 0, 0, false),
                turn("a release to failed in flight: every pod told", "", List.of(node("n1", 8)),
                        (s, f) -> f.add(new GangReleased(SINCE + 1, EPOCH, "g", GangReleased.Next.FAILED, "t")),
                        true, failed, 0, 0, false),
                turn("reserved, a slot lost with n2, none to be had: holds nothing rather than half", "",
                        List.of(node("n1", 4), node("n2", 4)), (s, f) -> {
                            must(s.apply(whole(SINCE + 1, "n1", "n1", "n2")));
                            must(s.apply(new NodeGone(SINCE + 2, "n2", "9")));
                        },
                        true, concat(List.of("GangReleased g WAIT"), noRoomForExec), 3000, 3000, true),
                turn("reserved, a slot lost with n2, room on n3: only the missing member reserved", "",
                        List.of(node("n1", 4), node("n2", 4), node("n3", 4)), (s, f) -> {
                            must(s.apply(whole(SINCE + 1, "n1", "n1", "n2")));
                            must(s.apply(new NodeGone(SINCE + 2, "n2", "9")));
                        },
                        true, List.of("GangReserved g [exec@n3]"), 5000, 3000, true));
    }

    private static Arguments turn(String what, String leafSettings, List<Node> nodes,
                                  BiConsumer<ClusterState, InFlight> setup, boolean holdsBack, List<String> decisions,
                                  long queueCpu, long n1Cpu, boolean needsReservation) {
        return Arguments.of(what, leafSettings, nodes, setup, holdsBack, decisions, queueCpu, n1Cpu, needsReservation);
    }

    private static List<String> waitAll(String key) {
        return List.of("Unschedulable d: " + key, "Unschedulable e1: " + key, "Unschedulable e2: " + key);
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("turns")
    void aGangsTurnReservesWholeOrNothingOrSaysWhy(String what, String leafSettings, List<Node> nodes,
                                                  BiConsumer<ClusterState, InFlight> setup, boolean holdsBack,
                                                  List<String> decisions, long queueCpu, long n1Cpu,
                                                  boolean needsReservation) {
        ClusterState s = state(CONFIG.formatted(leafSettings.isEmpty() ? "" : ", " + leafSettings),
                nodes.toArray(Node[]::new));
        gang(s, SINCE, GROUPS, "");
        InFlight inFlight = new InFlight();
        setup.accept(s, inFlight);
        assertThat(GangStage.needsReservation(s.app("g"), inFlight)).as("needsReservation").isEqualTo(needsReservation);
        CycleContext c = context(s, inFlight, SINCE + 5);
        QNode a = leaf(c, "root.a");
        ANode g = app(a, "g");

        boolean held = new GangStage(c, Admission.DEFAULT).holdsBack(a, g);

        assertThat(held).as("holdsBack").isEqualTo(holdsBack);
        assertThat(lines(c)).isEqualTo(decisions);
        assertThat(queueCpu(c, "root.a")).as("root.a's cpu as the cycle sees it").isEqualTo(queueCpu);
        assertThat(nodeCpu(c, "n1")).as("n1's cpu as the cycle sees it").isEqualTo(n1Cpu);
        if (decisions.stream().anyMatch(d -> d.startsWith("GangReserved"))) {
            assertThat(inFlight.reservation("g")).as("the reservation is in flight").isNotNull();
        }
    }

    @Test
    void aGangWhoseTaskGroupsCannotBeReadIsReleasedToNormalAndPlacedAsAnyApp() {
        ClusterState s = state(CONFIG.formatted(""), node("n1", 8));
        gang(s, SINCE, "[]", "");
        assertThat(s.app("g").gang().status()).isEqualTo(Gang.Status.INVALID);
        assertThat(GangStage.needsReservation(s.app("g"), new InFlight())).isFalse();
        CycleContext c = context(s, SINCE + 5);
        QNode a = leaf(c, "root.a");

        assertThat(new GangStage(c, Admission.DEFAULT).holdsBack(a, app(a, "g"))).isFalse();

        assertThat(c.decisions).singleElement().isInstanceOfSatisfying(GangReleased.class, r -> {
            assertThat(r.next()).isEqualTo(GangReleased.Next.NORMAL);
            assertThat(r.reason()).isEqualTo("annotation yunikorn.apache.org/task-groups lists no task group; "
                    + "app g is scheduled as a normal app");
        });
    }
}
