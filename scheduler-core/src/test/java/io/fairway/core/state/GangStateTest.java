package io.fairway.core.state;

import static io.fairway.core.state.Fixtures.node;
import static io.fairway.core.state.Fixtures.res;
import static org.assertj.core.api.Assertions.assertThat;

import io.fairway.core.events.Allocated;
import io.fairway.core.events.GangReleased;
import io.fairway.core.events.GangReserved;
import io.fairway.core.events.LeaderElected;
import io.fairway.core.events.NodeGone;
import io.fairway.core.events.NodeObserved;
import io.fairway.core.events.PodGone;
import io.fairway.core.events.PodObserved;
import io.fairway.core.events.QueueConfigObserved;
import io.fairway.core.objects.GangAnnotations;
import io.fairway.core.objects.Pod;
import io.fairway.core.objects.PodPhase;
import io.fairway.core.resources.ResourceCounter;
import io.fairway.core.resources.ResourceNames;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What apply does with gangs: reservations all or nothing, members into slots, releases, and nothing leaked. */
class GangStateTest {
    static final String GROUPS = "[{\"name\":\"driver\",\"minMember\":1,\"minResource\":{\"cpu\":\"1\",\"memory\":\"1Gi\"}},"
            + "{\"name\":\"exec\",\"minMember\":2,\"minResource\":{\"cpu\":\"2\",\"memory\":\"2Gi\"}}]";
    static final String CONFIG = """
            partitions:
              - name: default
                queues:
                  - name: root
                    queues:
                      - name: spark
                        resources: {max: {vcore: 6}}
            """;

    ClusterState s;

    static Pod member(String uid, String group, String cpu, String memory) {
        Pod p = Fixtures.pod(uid, "spark-1", "root.spark", cpu, memory);
        return new Pod(p.uid(), p.namespace(), p.name(), p.appId(), p.queue(), p.user(), p.groups(), p.requests(),
                p.priority(), p.nodeSelector(), p.affinity(), p.tolerations(), p.schedulerName(), "", PodPhase.Pending,
                0, "1", GangAnnotations.hints(Map.of(GangAnnotations.TASK_GROUPS, GROUPS,
                GangAnnotations.TASK_GROUP_NAME, group)));
    }

    static GangReserved.Slot slot(String group, String node) {
        return group.equals("driver") ? new GangReserved.Slot(group, node, res("1", "1Gi"))
                : new GangReserved.Slot(group, node, res("2", "2Gi"));
    }

    @BeforeEach
    void setUp() {
        s = new ClusterState();
        s.apply(new LeaderElected(0, 2, "r0"));
        s.apply(new QueueConfigObserved(0, CONFIG, "1"));
        s.apply(new NodeObserved(0, node("a", "4", "16Gi")));
        s.apply(new NodeObserved(0, node("b", "4", "16Gi")));
        s.apply(new PodObserved(5, member("d", "driver", "1", "1536Mi")));
    }

    long cpu(ResourceCounter c) {
        return c.get(ResourceNames.CPU);
    }

    @Test
    void theFirstPodDeclaringTaskGroupsMakesTheAppAWaitingGang() {
        Gang g = s.app("spark-1").gang();
        assertThat(g.status()).isEqualTo(Gang.Status.WAITING);
        assertThat(g.since()).isEqualTo(5);
        assertThat(g.spec().groups()).extracting(t -> t.name()).containsExactly("driver", "exec");
    }

    @Test
    void aReservationIsTakenWholeAndCountsOnNodesQueueAndApp() {
        assertThat(s.apply(new GangReserved(10, 2, "spark-1", List.of(slot("driver", "a"), slot("exec", "a"),
                slot("exec", "b")))).applied()).isTrue();
        assertThat(cpu(s.node("a").allocated())).isEqualTo(3000);
        assertThat(cpu(s.node("b").allocated())).isEqualTo(2000);
        assertThat(cpu(s.queues().get("root.spark").allocated())).isEqualTo(5000);
        assertThat(cpu(s.app("spark-1").gang().reserved())).isEqualTo(5000);
        assertThat(s.app("spark-1").gang().counts(s.app("spark-1")))
                .containsExactly(new Gang.GroupCount("driver", 1, 1, 0, 1), new Gang.GroupCount("exec", 2, 2, 0, 0));
        assertThat(Balance.check(s)).isEmpty();
    }

    @Test
    void aReservationThatDoesNotFitInFullChangesNothing() {
        String before = s.hash();
        // three executors on a, 4 cpu node: the third slot does not fit, so none is taken
        assertThat(s.apply(new GangReserved(10, 2, "spark-1", List.of(slot("exec", "a"), slot("driver", "a"),
                slot("exec", "a")))).reason()).contains("does not fit on node a");
        // more slots than the group has members
        assertThat(s.apply(new GangReserved(10, 2, "spark-1", List.of(slot("driver", "a"), slot("driver", "b"))))
                .reason()).contains("needs 1 more slot(s), the reservation has 2");
        // over the queue's max of 6 cpu
        s.apply(new NodeObserved(0, node("c", "8", "16Gi")));
        before = s.hash();
        assertThat(s.apply(new GangReserved(10, 2, "spark-1", List.of(slot("driver", "c"), slot("exec", "c"),
                slot("exec", "c"), new GangReserved.Slot("exec", "b", res("2", "1Gi"))))).applied()).isFalse();
        assertThat(s.apply(new GangReserved(10, 2, "spark-1", List.of(new GangReserved.Slot("driver", "c", res("7", "1Gi")))))
                .reason()).contains("would take queue root.spark over its max");
        assertThat(s.hash()).isEqualTo(before);
        assertThat(s.app("spark-1").gang().slots()).isEmpty();
        // and a decision of an older leader is void
        assertThat(s.apply(new GangReserved(10, 1, "spark-1", List.of(slot("driver", "a")))).reason())
                .contains("older than the current epoch");
    }

    @Test
    void membersTakeTheirSlotOrGiveItBack() {
        s.apply(new GangReserved(10, 2, "spark-1", List.of(slot("driver", "a"), slot("exec", "a"), slot("exec", "b"))));
        // the driver asks 512Mi more than its slot and grows it on a
        assertThat(s.apply(new Allocated(11, 2, "d", "a", "root.spark")).applied()).isTrue();
        assertThat(s.node("a").allocated().get(ResourceNames.MEMORY)).isEqualTo((1536L + 2048) << 20);
        // an executor placed on b takes b's slot
        s.apply(new PodObserved(12, member("e1", "exec", "2", "2Gi")));
        s.apply(new Allocated(13, 2, "e1", "b", "root.spark"));
        assertThat(cpu(s.node("b").allocated())).isEqualTo(2000);
        // one placed on a node without a slot of its group gives back the first free one (on a)
        s.apply(new NodeObserved(0, node("c", "4", "16Gi")));
        s.apply(new PodObserved(14, member("e2", "exec", "2", "2Gi")));
        s.apply(new Allocated(15, 2, "e2", "c", "root.spark"));
        assertThat(cpu(s.node("a").allocated())).isEqualTo(1000);
        assertThat(cpu(s.node("c").allocated())).isEqualTo(2000);
        Gang g = s.app("spark-1").gang();
        assertThat(g.hasFreeSlots()).isFalse();
        assertThat(g.slots()).extracting(ReservedSlot::podUid).containsExactly("d", "e2", "e1");
        assertThat(cpu(s.queues().get("root.spark").allocated())).isEqualTo(5000);
        assertThat(Balance.check(s)).isEmpty();
    }

    @Test
    void releasesGiveBackFreeSlotsAndSayWhatComesNext() {
        s.apply(new GangReserved(10, 2, "spark-1", List.of(slot("driver", "a"), slot("exec", "a"), slot("exec", "b"))));
        s.apply(new Allocated(11, 2, "d", "a", "root.spark"));
        s.apply(new GangReleased(20, 2, "spark-1", GangReleased.Next.FAILED, "timed out"));
        assertThat(s.app("spark-1").gang().status()).isEqualTo(Gang.Status.FAILED);
        assertThat(s.app("spark-1").status()).isEqualTo(AppState.Status.FAILED);
        assertThat(cpu(s.node("b").allocated())).isZero();
        assertThat(cpu(s.queues().get("root.spark").allocated())).isEqualTo(1000);
        s.apply(new PodObserved(21, member("e1", "exec", "2", "2Gi")));
        assertThat(s.apply(new Allocated(22, 2, "e1", "b", "root.spark")).reason()).contains("failed: timed out");
        assertThat(s.apply(new GangReleased(23, 2, "spark-1", GangReleased.Next.NORMAL, "x")).applied()).isFalse();
        assertThat(Balance.check(s)).isEmpty();
    }

    @Test
    void nothingLeaksWhenTheAppEndsOrItsPodsOrNodesGo() {
        s.apply(new GangReserved(10, 2, "spark-1", List.of(slot("driver", "a"), slot("exec", "a"), slot("exec", "b"))));
        s.apply(new Allocated(11, 2, "d", "a", "root.spark"));
        // a node lost takes its free slot with it; the rest stays until the leader re-reserves or releases
        s.apply(new NodeGone(12, "b", "9"));
        assertThat(s.app("spark-1").gang().slots()).hasSize(2);
        assertThat(cpu(s.queues().get("root.spark").allocated())).isEqualTo(3000);
        // the driver finishing ends the app: its remaining free slot goes
        s.apply(new PodObserved(13, member("d", "driver", "1", "1536Mi").withNodeName("a").withPhase(PodPhase.Succeeded, "5")));
        assertThat(s.app("spark-1").gang().hasFreeSlots()).isFalse();
        assertThat(s.node("a").allocated().isZero()).isTrue();
        assertThat(Balance.check(s)).isEmpty();
        // and with the app's last pod deleted, the app is gone
        s.apply(new PodGone(14, "d", "6"));
        assertThat(s.app("spark-1")).isNull();
    }

    @Test
    void aSnapshotCarriesTheGang() {
        s.apply(new GangReserved(10, 2, "spark-1", List.of(slot("driver", "a"), slot("exec", "a"), slot("exec", "b"))));
        s.apply(new Allocated(11, 2, "d", "a", "root.spark"));
        ClusterState r = ClusterState.restore(s.snapshot());
        assertThat(r.hash()).isEqualTo(s.hash());
        assertThat(r.app("spark-1").gang().slots()).containsExactlyElementsOf(s.app("spark-1").gang().slots());
        assertThat(cpu(r.node("b").allocated())).isEqualTo(2000);
        assertThat(cpu(r.queues().get("root.spark").allocated())).isEqualTo(5000);
        assertThat(Balance.check(r)).isEmpty();
        // a reload of the queue config keeps counting the slots in the new tree
        r.apply(new QueueConfigObserved(12, CONFIG.replace("vcore: 6", "vcore: 8"), "2"));
        assertThat(cpu(r.queues().get("root.spark").allocated())).isEqualTo(5000);
        assertThat(Balance.check(r)).isEmpty();
    }
}
