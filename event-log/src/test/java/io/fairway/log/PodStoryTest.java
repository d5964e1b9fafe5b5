package io.fairway.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.fairway.core.events.Event;
import io.fairway.core.events.LeaderElected;
import io.fairway.core.events.NodeObserved;
import io.fairway.core.events.Observation;
import io.fairway.core.events.PodGone;
import io.fairway.core.events.PodObserved;
import io.fairway.core.events.QueueConfigObserved;
import io.fairway.core.objects.GangAnnotations;
import io.fairway.core.objects.Node;
import io.fairway.core.objects.NodeAffinity;
import io.fairway.core.objects.Pod;
import io.fairway.core.objects.PodPhase;
import io.fairway.core.resources.Resources;
import io.fairway.core.scheduler.CycleResult;
import io.fairway.core.scheduler.Scheduler;
import io.fairway.core.state.ClusterState;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PodStoryTest {
    private final InMemoryEventLog log = new InMemoryEventLog();
    private final EventLog.DecisionWriter writer = log.openDecisionWriter(4);
    private final ClusterState live = new ClusterState();
    private final Scheduler scheduler = new Scheduler(live, 4);

    private void observe(Observation o) {
        log.append(List.of(o));
        live.apply(o);
    }

    private void cycle(long t) {
        CycleResult r = scheduler.cycle(t);
        if (!r.decisions().isEmpty()) {
            writer.append(r.decisions());
            r.decisions().forEach(live::apply);
        }
        scheduler.acknowledge(r.decisions());
    }

    private static Pod pod(String cpu) {
        return new Pod("uid-7", "team-a", "train-0", "job-1", "", "alice", List.of(),
                Resources.parse(Map.of("cpu", cpu, "memory", "1Gi")), 10, Map.of(), NodeAffinity.NONE, List.of(),
                "fairway", "", PodPhase.Pending, 1000, "1");
    }

    private static Pod queued(String uid, String name, String queue, long created) {
        return new Pod(uid, "jobs", name, "app-" + name, queue, "alice", List.of(),
                Resources.parse(Map.of("cpu", "1", "memory", "1Gi")), 0, Map.of(), NodeAffinity.NONE, List.of(),
                "fairway", "", PodPhase.Pending, created, "1");
    }

    private List<String> storyOf(String ref) {
        ClusterState state = new ClusterState();
        StoryBook book = StoryBook.of(ref, state);
        Replay.run(log, state, 0, new Replay.End(), book, null);
        assertThat(book.stories()).hasSize(1);
        return book.stories().get(0).entries().stream().map(PodStory.Entry::what).toList();
    }

    /**
     * a (below its guarantee) preempts the youngest of b's pods on a full node; the victim does not leave within the
     * hold timeout, so a gives the held room up. Each side's story says what it did and why.
     */
    @Test
    void aPreemptionIsToldByTheVictimAndThePreemptorAndAHoldGivenUpToo() {
        writer.append(List.<Event>of(new LeaderElected(0, 4, "fairway-0")));
        live.apply(new LeaderElected(0, 4, "fairway-0"));
        observe(new QueueConfigObserved(0, """
                partitions:
                  - name: default
                    queues:
                      - name: root
                        queues:
                          - {name: a, resources: {guaranteed: {vcore: 1}}, properties: {preemption.delay: 1s}}
                          - {name: b, resources: {guaranteed: {vcore: 1}}, properties: {preemption.delay: 1s}}
                """, "1"));
        observe(new NodeObserved(0, Node.of("n0", Resources.parse(Map.of("cpu", "2", "memory", "8Gi")))));
        observe(new PodObserved(0, queued("uid-b0", "b-0", "root.b", 0)));
        observe(new PodObserved(0, queued("uid-b1", "b-1", "root.b", 500)));
        cycle(1000);
        observe(new PodObserved(1100, queued("uid-b0", "b-0", "root.b", 0).withNodeName("n0")
                .withPhase(PodPhase.Running, "2")));
        observe(new PodObserved(1100, queued("uid-b1", "b-1", "root.b", 500).withNodeName("n0")
                .withPhase(PodPhase.Running, "2")));
        observe(new PodObserved(2000, queued("uid-a0", "a-0", "root.a", 2000)));
        cycle(2000);
        cycle(3000);
        // b-1 does not leave: after the hold timeout a-0 gives the room up
        cycle(3000 + Scheduler.HOLD_TIMEOUT_MILLIS);

        assertThat(storyOf("jobs/b-1")).anySatisfy(line -> assertThat(line).startsWith(
                "preempted by pod jobs/a-0 (queue root.a) on node n0 (guaranteed) by leader epoch 4: pod jobs/a-0 "
                        + "preempts 1 pod(s) on node n0: queue root.a is within its guarantee"));
        assertThat(storyOf("jobs/b-0")).noneSatisfy(line -> assertThat(line).contains("preempt"));
        List<String> preemptor = storyOf("jobs/a-0");
        assertThat(preemptor).anySatisfy(line -> assertThat(line)
                .startsWith("preempted 1 pod(s) on node n0 (guaranteed) by leader epoch 4: pod jobs/a-0 preempts")
                .endsWith("; waiting for them to leave, the room they free is held for this pod"));
        assertThat(preemptor).anySatisfy(line -> assertThat(line)
                .isEqualTo("gave up the room held on n0: 1 preempted pod(s) still on node n0 after 10m; the held room "
                        + "is given up"));
        assertThat(preemptor).noneSatisfy(line -> assertThat(line).startsWith("allocation on"));
    }

    @Test
    void tellsWhatHappenedToThePodAndHowLongItWaited() {
        writer.append(List.<Event>of(new LeaderElected(0, 4, "fairway-0")));
        live.apply(new LeaderElected(0, 4, "fairway-0"));
        observe(new NodeObserved(1000, Node.of("small", Resources.parse(Map.of("cpu", "2", "memory", "8Gi")))));
        observe(new PodObserved(1000, pod("4")));
        cycle(1000);
        cycle(2000);
        observe(new NodeObserved(61_000, Node.of("big", Resources.parse(Map.of("cpu", "8", "memory", "8Gi")))));
        cycle(61_000);
        observe(new PodObserved(62_000, pod("4").withNodeName("big").withPhase(PodPhase.Running, "2")));
        observe(new PodObserved(90_000, pod("4").withNodeName("big").withPhase(PodPhase.Succeeded, "3")));
        observe(new PodGone(95_000, "uid-7", "4"));

        for (String ref : List.of("team-a/train-0", "uid-7")) {
            ClusterState state = new ClusterState();
            StoryBook book = StoryBook.of(ref, state);
            Replay.run(log, state, 0, new Replay.End(), book, null);
            assertThat(book.stories()).hasSize(1);
            PodStory story = book.stories().get(0);
            assertThat(story.uid()).isEqualTo("uid-7");
            assertThat(story.deleted()).isTrue();
            assertThat(story.entries()).extracting(PodStory.Entry::what).containsExactly(
                    "observed: app job-1, queue root.default, requests {cpu: 4, memory: 1Gi, pods: 1}, priority 10",
                    "waits: 0/1 nodes are available: 1 Insufficient cpu.",
                    "waited 1m0s for: 0/1 nodes are available: 1 Insufficient cpu.",
                    "allocated on big in root.default by leader epoch 4",
                    "bound to big, Running",
                    "Succeeded on big",
                    "deleted");
            assertThat(story.lines().get(0)).startsWith("1970-01-01T00:00:01Z  observed").endsWith("[offset 2]");
        }
    }

    @Test
    void anUnknownPodIsNotFound() {
        observe(new PodObserved(1000, pod("1")));
        ClusterState state = new ClusterState();
        StoryBook book = StoryBook.of("team-a/nope", state);
        Replay.run(log, state, 0, new Replay.End(), book, null);
        assertThat(book.stories()).isEmpty();
    }

    private static Pod member(String uid, String name, String group, String cpu) {
        return new Pod(uid, "team-b", name, "spark-9", "", "bob", List.of(),
                Resources.parse(Map.of("cpu", cpu, "memory", "1Gi")), 0, Map.of(), NodeAffinity.NONE, List.of(),
                "fairway", "", PodPhase.Pending, 1000, "1", GangAnnotations.hints(Map.of(
                GangAnnotations.TASK_GROUP_NAME, group,
                GangAnnotations.TASK_GROUPS,
                "[{\"name\":\"driver\",\"minMember\":1,\"minResource\":{\"cpu\":\"1\",\"memory\":\"1Gi\"}},"
                        + "{\"name\":\"exec\",\"minMember\":2,\"minResource\":{\"cpu\":\"2\",\"memory\":\"1Gi\"}}]")));
    }

    @Test
    void aGangMembersStoryTellsTheReservationAndWhereItWent() {
        writer.append(List.<Event>of(new LeaderElected(0, 4, "fairway-0")));
        live.apply(new LeaderElected(0, 4, "fairway-0"));
        observe(new NodeObserved(1000, Node.of("n1", Resources.parse(Map.of("cpu", "4", "memory", "8Gi")))));
        observe(new PodObserved(1000, member("d-1", "driver", "driver", "1")));
        cycle(1000);
        observe(new NodeObserved(2000, Node.of("n2", Resources.parse(Map.of("cpu", "4", "memory", "8Gi")))));
        cycle(2000);
        cycle(2000);
        observe(new PodObserved(3000, member("e-1", "exec-1", "exec", "2")));
        cycle(3000);

        ClusterState state = new ClusterState();
        StoryBook book = StoryBook.all(state);
        Replay.run(log, state, 0, new Replay.End(), book, null);
        PodStory driver = book.stories().stream().filter(st -> st.uid().equals("d-1")).findFirst().orElseThrow();
        assertThat(driver.entries()).extracting(PodStory.Entry::what).containsExactly(
                "observed: app spark-9, queue root.default, requests {cpu: 1, memory: 1Gi, pods: 1}, priority 0, task group driver",
                "waits: gang of app spark-9 cannot be reserved in full: task group exec needs 2 × {cpu: 2, memory: 1Gi},"
                        + " room for 1 (0/1 nodes are available: 1 Insufficient cpu)",
                "gang of app spark-9 reserved 3 slot(s) (driver: 1 on n1; exec: 2 on n2, n1) by leader epoch 4;"
                        + " groups: driver 1 reserved, 0 used, 1 waiting of 1, exec 2 reserved, 0 used, 0 waiting of 2",
                "waited 1s for: gang of app spark-9 cannot be reserved in full: task group exec needs 2 × {cpu: 2,"
                        + " memory: 1Gi}, room for 1 (0/1 nodes are available: 1 Insufficient cpu)",
                "allocated on n1 in root.default by leader epoch 4, into its gang slot (task group driver)");
        PodStory exec = book.stories().stream().filter(st -> st.uid().equals("e-1")).findFirst().orElseThrow();
        assertThat(exec.entries()).extracting(PodStory.Entry::what).last().asString()
                .isEqualTo("allocated on n2 in root.default by leader epoch 4, into its gang slot (task group exec)");
    }
}
