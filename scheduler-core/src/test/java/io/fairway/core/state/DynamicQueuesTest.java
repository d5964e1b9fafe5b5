package io.fairway.core.state;

import static io.fairway.core.state.Fixtures.node;
import static io.fairway.core.state.Fixtures.res;
import static org.assertj.core.api.Assertions.assertThat;

import io.fairway.core.events.Allocated;
import io.fairway.core.events.NodeObserved;
import io.fairway.core.events.PodGone;
import io.fairway.core.events.PodObserved;
import io.fairway.core.events.QueueConfigObserved;
import io.fairway.core.objects.NodeAffinity;
import io.fairway.core.objects.Pod;
import io.fairway.core.objects.PodPhase;
import io.fairway.core.objects.SchedulingHints;
import io.fairway.core.resources.ResourceNames;
import io.fairway.core.scheduler.Scheduler;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Queues created by placement rules: in the tree the scheduler walks, gone with their last app, kept by snapshots. */
class DynamicQueuesTest {
    static final String CONFIG = """
            partitions:
              - name: default
                placementrules:
                  - name: user
                    parent: {name: fixed, value: root.users}
                  - name: tag
                    value: team
                    create: true
                    parent: {name: fixed, value: root.teams}
                  - name: user
                    create: true
                    parent: {name: fixed, value: root.users}
                queues:
                  - name: root
                    queues:
                      - name: users
                        parent: true
                        childtemplate:
                          maxapplications: 5
                          resources: {max: {vcore: 2}}
                      - name: teams
                        parent: true
            """;

    static Pod pod(String uid, String app, String user, Map<String, String> labels) {
        return new Pod(uid, "default", uid, app, "", user, List.of(), res("1", "1Gi"), 0, Map.of(), NodeAffinity.NONE,
                List.of(), ClusterState.DEFAULT_SCHEDULER_NAME, "", PodPhase.Pending, 0, "1", SchedulingHints.NONE,
                labels);
    }

    private static ClusterState state() {
        ClusterState s = new ClusterState();
        s.apply(new QueueConfigObserved(0, CONFIG, "1"));
        s.apply(new NodeObserved(0, node("node-0", "8", "16Gi")));
        return s;
    }

    @Test
    void aCreatingRuleMakesALeafWithTheParentsTemplateAndTheSchedulerPlacesIntoIt() {
        ClusterState s = state();
        s.apply(new PodObserved(1, pod("p1", "a1", "bob", Map.of())));
        s.apply(new PodObserved(1, pod("p2", "a1", "bob", Map.of())));
        s.apply(new PodObserved(1, pod("p3", "a1", "bob", Map.of())));
        QueueState q = s.queues().get("root.users.bob");
        assertThat(q).isNotNull();
        assertThat(q.isDynamic()).isTrue();
        assertThat(q.config().maxApplications()).isEqualTo(5);
        assertThat(q.max().get("cpu")).isEqualTo(2000);
        assertThat(s.queues().all()).containsKey("root.users.bob");
        assertThat(s.app("a1").queue()).isEqualTo("root.users.bob");

        var result = new Scheduler(s, 0, 100).cycle(2);
        result.decisions().forEach(d -> s.apply(d));
        // the template's max of 2 cpu holds in the dynamic queue
        assertThat(s.app("a1").placedPods()).isEqualTo(2);
        assertThat(s.queues().get("root.users").allocated().get(ResourceNames.CPU))
                .isEqualTo(2000);
    }

    @Test
    void aDynamicQueueGoesWithItsLastAppAndTakesEmptyDynamicParentsWithIt() {
        ClusterState s = state();
        s.apply(new PodObserved(1, pod("p1", "a1", "bob", Map.of("team", "ml"))));
        s.apply(new PodObserved(1, pod("p2", "a2", "eve", Map.of("team", "ml"))));
        assertThat(s.app("a1").queue()).isEqualTo("root.teams.ml");
        s.apply(new PodGone(2, "p1", "2"));
        assertThat(s.queues().get("root.teams.ml")).as("a2 still uses it").isNotNull();
        s.apply(new PodGone(3, "p2", "2"));
        assertThat(s.queues().get("root.teams.ml")).isNull();
        assertThat(s.queues().get("root.teams")).as("configured queues stay").isNotNull();
        assertThat(s.queues().get("root.teams").children()).isEmpty();
    }

    @Test
    void aPodsLabelsStayOnItsAppNotOnThePodsTheStateHolds() {
        ClusterState s = state();
        s.apply(new PodObserved(1, pod("p1", "a1", "bob", Map.of("team", "ml"))));
        assertThat(s.pod("p1").pod().labels()).isEmpty();
        assertThat(s.app("a1").submission().labels()).containsEntry("team", "ml");
    }

    @Test
    void aReloadRecreatesTheDynamicQueuesStillNeededAndDropsTheOthers() {
        ClusterState s = state();
        s.apply(new PodObserved(1, pod("p1", "a1", "bob", Map.of())));
        s.apply(new Allocated(2, 0, "p1", "node-0", "root.users.bob"));
                String withBob = CONFIG.replace("resources: {max: {vcore: 2}}\n",
                "resources: {max: {vcore: 2}}\n" + " ".repeat(12) + "queues:\n" + " ".repeat(14) + "- name: bob\n");
        assertThat(withBob).contains("- name: bob");
        // A reload places bob's app again: his queue is made anew, with the new template.
        s.apply(new QueueConfigObserved(3, CONFIG.replace("maxapplications: 5", "maxapplications: 4"), "2"));
        assertThat(s.queues().get("root.users.bob").isDynamic()).isTrue();
        assertThat(s.queues().get("root.users.bob").config().maxApplications()).isEqualTo(4);
        assertThat(s.queues().get("root.users.bob").allocated().get(ResourceNames.CPU))
                .isEqualTo(1000);
        // With a configured queue for bob, rule 1 (create: false) takes it and the dynamic one is gone.
        assertThat(s.apply(new QueueConfigObserved(4, withBob, "3")).reason()).isEmpty();
        assertThat(s.queues().get("root.users.bob").isDynamic()).isFalse();
        assertThat(Balance.check(s)).isEmpty();
    }

    @Test
    void aSnapshotKeepsDynamicQueuesAndWherePlacementPutEachApp() {
        ClusterState s = state();
        // a2 (create: false for users) finds bob's queue only because a1 created it first.
        s.apply(new PodObserved(1, pod("p1", "a9", "bob", Map.of())));
        s.apply(new PodObserved(1, pod("p2", "a1", "bob", Map.of())));
        s.apply(new PodObserved(1, pod("p3", "a5", "eve", Map.of("team", "ml"))));
        s.apply(new Allocated(2, 0, "p2", "node-0", "root.users.bob"));
        assertThat(s.app("a1").queue()).isEqualTo("root.users.bob");

        ClusterState r = ClusterState.restore(s.snapshot());
        assertThat(r.hash()).isEqualTo(s.hash());
        assertThat(r.queues().all().keySet()).isEqualTo(s.queues().all().keySet());
        assertThat(r.queues().get("root.teams.ml").isDynamic()).isTrue();
        assertThat(r.app("a5").submission()).isEqualTo(s.app("a5").submission());
        // and the two go on alike
        s.apply(new PodGone(3, "p1", "2"));
        r.apply(new PodGone(3, "p1", "2"));
        assertThat(r.hash()).isEqualTo(s.hash());
        assertThat(Balance.check(r)).isEmpty();
    }
}
