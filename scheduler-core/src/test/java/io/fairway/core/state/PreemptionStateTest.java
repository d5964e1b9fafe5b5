package io.fairway.core.state;

import static io.fairway.core.state.Fixtures.node;
import static io.fairway.core.state.Fixtures.res;
import static org.assertj.core.api.Assertions.assertThat;

import io.fairway.core.events.Allocated;
import io.fairway.core.events.LeaderElected;
import io.fairway.core.events.NodeGone;
import io.fairway.core.events.NodeObserved;
import io.fairway.core.events.PodGone;
import io.fairway.core.events.PodObserved;
import io.fairway.core.events.PreemptionRequested;
import io.fairway.core.events.QueueConfigObserved;
import io.fairway.core.events.Released;
import io.fairway.core.objects.Pod;
import io.fairway.core.objects.PodPhase;
import io.fairway.core.resources.ResourceNames;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What apply does with a preemption: victims marked until gone, room held for the preemptor, all or nothing. */
class PreemptionStateTest {
    static final String CONFIG = """
            partitions:
              - name: default
                queues:
                  - name: root
                    queues:
                      - {name: a, resources: {guaranteed: {vcore: 2}}}
                      - {name: b}
            """;
    static final int CPU = ResourceNames.CPU;

    ClusterState s;

    static Pod running(String uid, String app, String queue, String node) {
        return Fixtures.pod(uid, app, queue, "1", "1Gi").withNodeName(node).withPhase(PodPhase.Running, "2");
    }

    @BeforeEach
    void setUp() {
        s = new ClusterState();
        s.apply(new LeaderElected(0, 1, "r0"));
        s.apply(new QueueConfigObserved(0, CONFIG, "1"));
        s.apply(new NodeObserved(0, node("n", "2", "8Gi")));
        s.apply(new PodObserved(0, running("b1", "bapp", "root.b", "n")));
        s.apply(new PodObserved(0, running("b2", "bapp", "root.b", "n")));
        s.apply(new PodObserved(1, Fixtures.pod("a1", "aapp", "root.a", "1", "1Gi")));
    }

    PreemptionRequested preempt(String preemptor, String... victims) {
        return new PreemptionRequested(40_000, 1, PreemptionRequested.Kind.GUARANTEED, preemptor, "n", List.of(victims),
                "test");
    }

    @Test
    void victimsKeepTheirRoomUntilGoneAndThePreemptorHoldsIt() {
        assertThat(s.apply(preempt("a1", "b2")).applied()).isTrue();
        assertThat(s.pod("b2").preemptedBy()).isEqualTo("a1");
        assertThat(s.pod("a1").holdNode()).isEqualTo("n");
        assertThat(s.victimsOf("a1")).containsExactly("b2");
        assertThat(s.app("bapp").lastPreemptedAt()).isEqualTo(40_000);
        // Two pods still run and the preemptor's room is held on top: nobody else fits until the victim is gone.
        assertThat(s.node("n").allocated().get(CPU)).isEqualTo(3_000);
        assertThat(s.queues().get("root.a").allocated().get(CPU)).isEqualTo(1_000);
        assertThat(Balance.check(s)).isEmpty();

        s.apply(new PodGone(41_000, "b2", "3"));
        assertThat(s.victimsOf("a1")).isEmpty();
        assertThat(s.node("n").allocated().get(CPU)).isEqualTo(2_000);

        assertThat(s.apply(new Allocated(42_000, 1, "a1", "n", "root.a")).applied()).isTrue();
        assertThat(s.pod("a1").holdsRoom()).isFalse();
        assertThat(s.node("n").allocated().get(CPU)).isEqualTo(2_000);
        assertThat(s.queues().get("root.a").allocated().get(CPU)).isEqualTo(1_000);
        assertThat(s.preemptions()).isEqualTo(1);
        assertThat(Balance.check(s)).isEmpty();
    }

    @Test
    void aPreemptionIsTakenWholeOrNotAtAll() {
        assertThat(s.apply(preempt("a1", "b2")).applied()).isTrue();
        // the same preemptor again, and a victim already taken: both dropped, nothing changes
        String before = s.hash();
        assertThat(s.apply(preempt("a1", "b1")).reason()).contains("already holds room on n");
        s.apply(new PodObserved(2, Fixtures.pod("a2", "aapp", "root.a", "1", "1Gi")));
        before = s.hash();
        assertThat(s.apply(preempt("a2", "b1", "b2")).reason()).contains("already preempted by a1");
        assertThat(s.pod("b1").isPreempted()).isFalse();
        assertThat(s.pod("a2").holdsRoom()).isFalse();
        assertThat(s.hash()).isEqualTo(before);
        assertThat(s.apply(preempt("a2", "gone")).reason()).contains("victim gone is gone or not running");
        assertThat(Balance.check(s)).isEmpty();
    }

    @Test
    void heldRoomIsGivenUpByReleaseByTheNodeGoingOrByThePreemptorGoing() {
        s.apply(preempt("a1", "b2"));
        assertThat(s.apply(new Released(50_000, 1, "a1", "other", "x")).reason()).contains("holds room on n, not other");
        assertThat(s.apply(new Released(50_000, 1, "a1", "n", "victims gone, still no room")).applied()).isTrue();
        assertThat(s.pod("a1").holdsRoom()).isFalse();
        assertThat(s.node("n").allocated().get(CPU)).isEqualTo(2_000);
        assertThat(Balance.check(s)).isEmpty();

        s.apply(new PodObserved(2, Fixtures.pod("a2", "aapp", "root.a", "1", "1Gi")));
        s.apply(preempt("a2", "b1"));
        s.apply(new PodGone(51_000, "a2", "9"));
        assertThat(s.node("n").allocated().get(CPU)).isEqualTo(2_000);
        assertThat(Balance.check(s)).isEmpty();

        s.apply(new PodObserved(3, Fixtures.pod("a3", "aapp", "root.a", "1", "1Gi")));
        s.apply(new NodeObserved(3, node("m", "2", "8Gi")));
        s.apply(new PodObserved(3, running("b3", "bapp", "root.b", "m")));
        s.apply(new PreemptionRequested(52_000, 1, PreemptionRequested.Kind.GUARANTEED, "a3", "m", List.of("b3"), "t"));
        s.apply(new NodeGone(53_000, "m", "10"));
        assertThat(s.pod("a3").holdsRoom()).isFalse();
        assertThat(s.victimsOf("a3")).isEmpty();
        assertThat(Balance.check(s)).isEmpty();
    }

    @Test
    void aSnapshotKeepsVictimsAndHeldRoom() {
        s.apply(preempt("a1", "b2"));
        ClusterState back = ClusterState.restore(s.snapshot());
        assertThat(back.hash()).isEqualTo(s.hash());
        assertThat(back.victimsOf("a1")).containsExactly("b2");
        assertThat(back.node("n").allocated().get(CPU)).isEqualTo(3_000);
        assertThat(back.preemptions()).isEqualTo(1);
        assertThat(Balance.check(back)).isEmpty();
        // and a reload keeps the held room in the new queue tree
        s.apply(new QueueConfigObserved(60_000, CONFIG.replace("vcore: 2", "vcore: 3"), "5"));
        assertThat(s.queues().get("root.a").allocated().get(CPU)).isEqualTo(1_000);
        assertThat(s.configAppliedAt()).isEqualTo(60_000);
        assertThat(Balance.check(s)).isEmpty();
    }

    @Test
    void quotaPreemptionNeedsNoPreemptor() {
        PreemptionRequested q = new PreemptionRequested(70_000, 1, PreemptionRequested.Kind.QUOTA, "", "", List.of("b1"),
                "queue root.b above its lowered max");
        assertThat(s.apply(q).applied()).isTrue();
        assertThat(s.pod("b1").preemptedBy()).isEqualTo(PodState.QUOTA);
        assertThat(s.victimsOf(PodState.QUOTA)).containsExactly("b1");
        assertThat(res("1", "1Gi").get(CPU)).isEqualTo(1_000);
        assertThat(Balance.check(s)).isEmpty();
    }
}
