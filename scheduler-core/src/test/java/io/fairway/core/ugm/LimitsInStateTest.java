package io.fairway.core.ugm;

import static org.assertj.core.api.Assertions.assertThat;

import io.fairway.core.events.Allocated;
import io.fairway.core.events.LeaderElected;
import io.fairway.core.events.NodeObserved;
import io.fairway.core.events.PodObserved;
import io.fairway.core.events.QueueConfigObserved;
import io.fairway.core.objects.NodeAffinity;
import io.fairway.core.objects.Pod;
import io.fairway.core.objects.PodPhase;
import io.fairway.core.resources.ResourceNames;
import io.fairway.core.scheduler.CycleResult;
import io.fairway.core.scheduler.Scheduler;
import io.fairway.core.state.ApplyResult;
import io.fairway.core.state.ClusterState;
import io.fairway.core.state.Fixtures;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The limits as apply and the cycle enforce them: committed usage, stale decisions, restore and reload. */
class LimitsInStateTest {
    static final String CONFIG = """
            partitions:
              - name: default
                queues:
                  - name: root
                    queues:
                      - name: team
                        limits:
                          - {limit: alice, users: [alice], maxresources: {vcore: 2}}
                          - {limit: dev, groups: [dev], maxapplications: 2}
            """;

    static final String NO_LIMITS = """
            partitions:
              - name: default
                queues:
                  - name: root
                    queues:
                      - name: team
            """;

    private final ClusterState state = new ClusterState();

    private static Pod pod(String uid, String app, String user, List<String> groups) {
        return new Pod(uid, "default", uid, app, "root.team", user, groups, Fixtures.res("1", "1Gi"), 0, Map.of(),
                NodeAffinity.NONE, List.of(), ClusterState.DEFAULT_SCHEDULER_NAME, "", PodPhase.Pending, 0, "1");
    }

    private void setUp() {
        state.apply(new LeaderElected(0, 1, "me"));
        state.apply(new QueueConfigObserved(0, CONFIG, "1"));
        state.apply(new NodeObserved(0, Fixtures.node("node-0", "16", "64Gi")));
    }

    @Test
    void aRestoredAppIsTrackedByTheGroupsOfItsFirstPodAsLive() {
        setUp();
        // the app's first pod (uid z) is in no group; a later pod (uid a, first in uid order) is in dev
        state.apply(new PodObserved(1, pod("z", "mixed", "carol", List.of())));
        state.apply(new PodObserved(2, pod("a", "mixed", "carol", List.of("dev"))));
        assertThat(state.userGroups().groupsOf("mixed")).isEmpty();
        ClusterState back = ClusterState.restore(state.snapshot());
        assertThat(back.userGroups().groupsOf("mixed")).isEmpty();
        assertThat(back.hash()).isEqualTo(state.hash());
    }

    private ApplyResult allocate(String uid) {
        return state.apply(new Allocated(1, 1, uid, "node-0", "root.team"));
    }

    @Test
    void applyRefusesAnAllocationThatWouldBreakAUserLimit() {
        setUp();
        for (int i = 0; i < 3; i++) {
            state.apply(new PodObserved(0, pod("a" + i, "app-a", "alice", List.of())));
        }
        assertThat(allocate("a0").applied()).isTrue();
        assertThat(allocate("a1").applied()).isTrue();
        // A stale or duplicate decision must not take alice over her 2 cpu.
        ApplyResult third = allocate("a2");
        assertThat(third.applied()).isFalse();
        assertThat(third.reason()).isEqualTo(
                "user alice in queue root.team at maxresources cpu: 2 of 2 used, the pod asks 1 (limit \"alice\")");
        assertThat(state.userGroups().usage().allocated("root.team", Subject.user("alice"))[ResourceNames.CPU])
                .isEqualTo(2000);
    }

    @Test
    void applyRefusesAThirdAppOfAGroupAtMaxapplications() {
        setUp();
        for (String app : List.of("x", "y", "z")) {
            state.apply(new PodObserved(0, pod(app + "0", app, "u-" + app, List.of("dev"))));
        }
        assertThat(allocate("x0").applied()).isTrue();
        assertThat(allocate("y0").applied()).isTrue();
        assertThat(allocate("z0").reason()).isEqualTo(
                "group dev in queue root.team runs 2 of maxapplications 2 (limit \"dev\"); app z waits to start");
    }

    @Test
    void usageIsRebuiltOnRestoreAndOnReload() {
        setUp();
        state.apply(new PodObserved(0, pod("a0", "app-a", "alice", List.of("dev"))));
        state.apply(new PodObserved(0, pod("a1", "app-a", "alice", List.of("dev"))));
        allocate("a0");
        ClusterState restored = ClusterState.restore(state.snapshot());
        assertThat(restored.hash()).isEqualTo(state.hash());
        for (ClusterState s : List.of(state, restored)) {
            assertThat(s.userGroups().usage().allocated("root.team", Subject.user("alice"))[ResourceNames.CPU])
                    .isEqualTo(1000);
            assertThat(s.userGroups().usage().runningApps("root.team", Subject.group("dev"))).isEqualTo(1);
        }
        // A reload that drops the limits drops their usage; one that brings them back counts the pods again.
        state.apply(new QueueConfigObserved(0, NO_LIMITS, "2"));
        assertThat(state.configVersion()).isEqualTo("2");
        assertThat(state.userGroups().usage().size()).isZero();
        state.apply(new QueueConfigObserved(0, CONFIG, "3"));
        assertThat(state.userGroups().usage().runningApps("root.team", Subject.group("dev"))).isEqualTo(1);
        assertThat(allocate("a1").applied()).isTrue();
        assertThat(allocate("a1").applied()).isFalse();
        assertThat(state.userGroups().usage().allocated("root.team", Subject.user("alice"))[ResourceNames.CPU])
                .isEqualTo(2000);
    }

    @Test
    void oneCycleDoesNotBookPastALimitAndInFlightCountsInTheNext() {
        setUp();
        for (int i = 0; i < 4; i++) {
            state.apply(new PodObserved(0, pod("a" + i, "app-a", "alice", List.of())));
        }
        Scheduler scheduler = new Scheduler(state, 1);
        CycleResult first = scheduler.cycle(1);
        assertThat(first.decisions()).filteredOn(Allocated.class::isInstance).hasSize(2);
        // Not applied yet: the next cycle must still see alice at her limit.
        CycleResult second = scheduler.cycle(2);
        assertThat(second.decisions()).filteredOn(Allocated.class::isInstance).isEmpty();
        first.decisions().forEach(state::apply);
        scheduler.acknowledge(first.decisions());
        assertThat(state.pod("a2").waitMessage()).isEqualTo(
                "user alice in queue root.team at maxresources cpu: 2 of 2 used, the pod asks 1 (limit \"alice\")");
    }
}
