package io.fairway.core.scheduler;

import static io.fairway.core.scheduler.StageFixture.EPOCH;
import static io.fairway.core.scheduler.StageFixture.app;
import static io.fairway.core.scheduler.StageFixture.context;
import static io.fairway.core.scheduler.StageFixture.leaf;
import static io.fairway.core.scheduler.StageFixture.lines;
import static io.fairway.core.scheduler.StageFixture.must;
import static io.fairway.core.scheduler.StageFixture.nodeCpu;
import static io.fairway.core.scheduler.StageFixture.observe;
import static io.fairway.core.scheduler.StageFixture.pod;
import static io.fairway.core.scheduler.StageFixture.queueCpu;
import static io.fairway.core.scheduler.StageFixture.state;
import static org.assertj.core.api.Assertions.assertThat;

import io.fairway.core.events.NodeObserved;
import io.fairway.core.events.PodGone;
import io.fairway.core.events.PreemptionRequested;
import io.fairway.core.events.QueueConfigObserved;
import io.fairway.core.events.Released;
import io.fairway.core.objects.Node;
import io.fairway.core.objects.Pod;
import io.fairway.core.objects.SchedulingHints;
import io.fairway.core.objects.Taint;
import io.fairway.core.resources.Resources;
import io.fairway.core.scheduler.FairTree.QNode;
import io.fairway.core.state.ClusterState;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link HeldRoom} on its own: a preemptor holding room goes in once its victims have left, waits while they leave,
 * and gives the room up (a {@code Released}) when they take longer than {@link Scheduler#HOLD_TIMEOUT_MILLIS} or it
 * still does not fit once they are gone. Node n (2 cpu) runs b1 and b2 of root.b (1 cpu each); a1 of root.a (1 cpu)
 * preempted b2 at {@link #PREEMPTED} and holds its room on n.
 */
class HeldRoomTest {
    static final long PREEMPTED = 40_000;
    /** The hold's timeout, written out: 10 minutes. */
    static final long TEN_MINUTES = 600_000;
    private static final String CONFIG = """
            partitions:
              - name: default
                queues:
                  - name: root
                    queues:
                      - {name: a}
                      - {name: b}
            """;

    static Node n(int cpu, String version, List<Taint> taints, boolean unschedulable) {
        Resources r = Resources.parse(Map.of("cpu", cpu + "", "memory", "64Gi", "pods", "110"));
        return new Node("n", r, r, Map.of(), taints, unschedulable, true, version);
    }

    static ClusterState held() {
        ClusterState s = state(CONFIG, n(2, "1", List.of(), false));
        observe(s, 1, pod("b1", "bapp", "root.b", "bob", List.of(), 1000, "n", 1, SchedulingHints.NONE));
        observe(s, 1, pod("b2", "bapp", "root.b", "bob", List.of(), 1000, "n", 1, SchedulingHints.NONE));
        observe(s, 2, pod("a1", "aapp", "root.a", "alice", List.of(), 1000, "", 2, SchedulingHints.NONE));
        must(s.apply(new PreemptionRequested(PREEMPTED, EPOCH, PreemptionRequested.Kind.PRIORITY, "a1", "n",
                List.of("b2"), "test")));
        return s;
    }

    static final Consumer<ClusterState> NOTHING = s -> { };
    static final Consumer<ClusterState> VICTIM_GONE = s -> must(s.apply(new PodGone(PREEMPTED + 500, "b2", "3")));

    static Stream<Arguments> holds() {
        String givenUp = "; the held room is given up";
        // what happened since the preemption, now -> dealt with this cycle, the decision, why it gave the room up,
        // n's and root.a's cpu as the cycle sees them after
        return Stream.of(
                Arguments.of("the victim is still leaving", NOTHING, PREEMPTED + 1_000,
                        true, "Unschedulable a1: preemption: waiting for victims to leave n", null, 3000, 1000),
                Arguments.of("the victim is still leaving, 1 ms before the hold times out", NOTHING,
                        PREEMPTED + TEN_MINUTES - 1,
                        true, "Unschedulable a1: preemption: waiting for victims to leave n", null, 3000, 1000),
                Arguments.of("the victim is still there when the hold times out", NOTHING, PREEMPTED + TEN_MINUTES,
                        false, "Released a1 on n", "1 preempted pod(s) still on node n after 10m" + givenUp, 3000, 1000),
                // the held room already counts on n and in root.a: going in adds nothing
                Arguments.of("the victim is gone: into the held room", VICTIM_GONE, PREEMPTED + 1_000,
                        true, "Allocated a1 on n", null, 2000, 1000),
                Arguments.of("the victim is gone, even long after", VICTIM_GONE, PREEMPTED + 2 * TEN_MINUTES,
                        true, "Allocated a1 on n", null, 2000, 1000),
                Arguments.of("n grew to 3 cpu: room while the victim still leaves", (Consumer<ClusterState>) s ->
                                must(s.apply(new NodeObserved(PREEMPTED + 500, n(3, "2", List.of(), false)))),
                        PREEMPTED + 1_000, true, "Allocated a1 on n", null, 3000, 1000),
                Arguments.of("the victim is gone, but n was tainted", VICTIM_GONE.andThen(s -> must(s.apply(
                                new NodeObserved(PREEMPTED + 600, n(2, "2",
                                        List.of(new Taint("dedicated", "gpu", "NoSchedule")), false))))),
                        PREEMPTED + 1_000, false, "Released a1 on n", "the preempted pods left node n but the pod "
                                + "still does not fit there (node(s) had untolerated taint {dedicated: gpu})" + givenUp,
                        2000, 1000),
                Arguments.of("the victim is gone, but n was cordoned", VICTIM_GONE.andThen(s -> must(s.apply(
                                new NodeObserved(PREEMPTED + 600, n(2, "2", List.of(), true))))),
                        PREEMPTED + 1_000, false, "Released a1 on n", "the preempted pods left node n but the pod "
                                + "still does not fit there (node(s) were unschedulable)" + givenUp, 2000, 1000),
                Arguments.of("the victim is gone, but another scheduler's pod took its room",
                        VICTIM_GONE.andThen(s -> observe(s, PREEMPTED + 600, foreign("f1", 1000))),
                        PREEMPTED + 1_000, false, "Released a1 on n", "the preempted pods left node n but the pod "
                                + "still does not fit there (Insufficient cpu)" + givenUp, 3000, 1000));
    }

    /** A pod of another scheduler running on n: it takes room the state counts, and no queue's. */
    static Pod foreign(String uid, long cpuMillis) {
        Pod p = pod(uid, "theirs", "", "eve", List.of(), cpuMillis, "n", 3, SchedulingHints.NONE);
        return new Pod(p.uid(), p.namespace(), p.name(), p.appId(), p.queue(), p.user(), p.groups(), p.requests(),
                p.priority(), p.nodeSelector(), p.affinity(), p.tolerations(), "other-scheduler", p.nodeName(),
                p.phase(), p.creationTime(), p.resourceVersion());
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("holds")
    void aPreemptorGoesIntoItsRoomWaitsForItsVictimsOrGivesTheRoomUp(String what, Consumer<ClusterState> since,
                                                                    long now, boolean dealtWith, String decision,
                                                                    String why, long nCpu, long aCpu) {
        ClusterState s = held();
        since.accept(s);
        assertThat(s.pod("a1").holdNode()).as("a1 still holds room on n").isEqualTo("n");
        InFlight inFlight = new InFlight();
        CycleContext c = context(s, inFlight, now);
        QNode a = leaf(c, "root.a");

        boolean dealt = new HeldRoom(c, Admission.DEFAULT).waitsForVictims(a, app(a, "aapp"), s.pod("a1"));

        assertThat(dealt).as("dealt with this cycle").isEqualTo(dealtWith);
        assertThat(lines(c)).containsExactly(decision);
        assertThat(inFlight.isHoldReleased("a1")).as("the hold is released in flight").isEqualTo(why != null);
        if (why != null) {
            assertThat(((Released) c.decisions.getFirst()).reason()).isEqualTo(why);
        }
        assertThat(nodeCpu(c, "n")).as("n's cpu").isEqualTo(nCpu);
        assertThat(queueCpu(c, "root.a")).as("root.a's cpu").isEqualTo(aCpu);
    }

    /**
     * Regression (found writing these tests, as old as the held room): when the victims are gone and the pod still does
     * not fit only because its queue is now at its max, the reason was the node's, asked after the held room was booked
     * again, so the pod was judged against its own room: "(Insufficient cpu)" on n, "(null)" on a larger node. The
     * reason now names what bars it, root.a's max.
     */
    @ParameterizedTest(name = "[{index}] n with {0} cpu")
    @ValueSource(ints = {2, 4})
    void roomGivenUpBecauseTheQueueIsNowAtItsMaxSaysSo(int cpu) {
        ClusterState s = held();
        VICTIM_GONE.accept(s);
        if (cpu != 2) {
            must(s.apply(new NodeObserved(PREEMPTED + 550, n(cpu, "2", List.of(), false))));
        }
        must(s.apply(new QueueConfigObserved(PREEMPTED + 600, CONFIG.replace("{name: a}",
                "{name: a, resources: {max: {vcore: 500m}}}"), "2")));
        CycleContext c = context(s, PREEMPTED + 1_000);
        QNode a = leaf(c, "root.a");

        assertThat(new HeldRoom(c, Admission.DEFAULT).waitsForVictims(a, app(a, "aapp"), s.pod("a1"))).isFalse();

        assertThat(lines(c)).containsExactly("Released a1 on n");
        assertThat(((Released) c.decisions.getFirst()).reason())
                .doesNotContain("(null)")
                .doesNotContain("Insufficient cpu")
                .contains("root.a");
    }

    /**
     * Regression (found writing these tests, as old as the held room): once the victims were gone, the preemptor was
     * let into its room when the node and the queues' max took it, but apply also judges the app's start against
     * {@code maxapplications} and the user's and groups' limits. When one of those barred the pod, the stage wrote an
     * {@code Allocated} apply refused, every cycle, and the room stayed held from everyone (the hold times out only
     * while victims remain). Now the room is judged by every admission check and given up, saying why.
     */
    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {"alice's limit lowered below the pod", "root.a now runs its maxapplications"})
    void whatTheRoomLetsInIsWhatApplyTakes(String what) {
        ClusterState s = held();
        VICTIM_GONE.accept(s);
        String settings;
        if (what.startsWith("alice")) {
            settings = "{name: a, limits: [{limit: alice, users: [alice], maxresources: {vcore: 500m}}]}";
        } else {
            must(s.apply(new NodeObserved(PREEMPTED + 550, StageFixture.node("m", 4))));
            observe(s, PREEMPTED + 560, pod("o1", "other", "root.a", "carol", List.of(), 1000, "m", 3,
                    SchedulingHints.NONE));
            settings = "{name: a, maxapplications: 1}";
        }
        must(s.apply(new QueueConfigObserved(PREEMPTED + 600, CONFIG.replace("{name: a}", settings), "2")));
        CycleContext c = context(s, PREEMPTED + 1_000);
        QNode a = leaf(c, "root.a");

        new HeldRoom(c, Admission.DEFAULT).waitsForVictims(a, app(a, "aapp"), s.pod("a1"));

        assertThat(lines(c)).containsExactly("Released a1 on n");
        assertThat(((Released) c.decisions.getFirst()).reason())
                .contains(what.startsWith("alice") ? "alice" : "maxapplications");
        for (var d : c.decisions) {
            assertThat(s.apply(d).reason()).as(StageFixture.line(d) + " is taken by apply").isEmpty();
        }
    }
}
