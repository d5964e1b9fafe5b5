package io.fairway.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fairway.core.events.Event;
import io.fairway.core.events.LeaderElected;
import io.fairway.core.events.NodeObserved;
import io.fairway.core.events.Observation;
import io.fairway.core.events.PodObserved;
import io.fairway.core.objects.Node;
import io.fairway.core.objects.NodeAffinity;
import io.fairway.core.objects.Pod;
import io.fairway.core.objects.PodPhase;
import io.fairway.core.resources.Resources;
import io.fairway.core.scheduler.CycleResult;
import io.fairway.core.scheduler.Scheduler;
import io.fairway.core.state.ClusterState;
import io.fairway.log.EventLog;
import io.fairway.log.kafka.KafkaEventLog;
import io.fairway.log.kafka.KafkaEventLogConfig;
import io.fairway.testsupport.EmbeddedKafka;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import io.fairway.store.StateFollower;
import io.fairway.core.events.PodGone;
import java.nio.file.Path;

/**
 * {@code fairway replay} and {@code fairway explain} against a real broker: the state replay rebuilds is the state
 * the leader had, and explain tells a pod's story from the same log.
 */
class LogCommandsTest {
    private static EmbeddedKafka kafka;
    private static final String TOPIC = "replay.test";
    private static ClusterState live;
    private static String hashAfterNodes;
    private static long offsetAfterNodes;

    @BeforeAll
    static void writeALog() {
        kafka = EmbeddedKafka.start();
        live = writeLog(TOPIC);
    }

    /** Nodes, then three waves of pods through a real scheduler; the last wave finds the nodes full. */
    private static ClusterState writeLog(String topic) {
        ClusterState before = live;
        live = new ClusterState();
        try (KafkaEventLog log = KafkaEventLog.open(KafkaEventLogConfig.of(kafka.bootstrapServers()).withTopic(topic))) {
            EventLog.DecisionWriter writer = log.openDecisionWriter(1);
            commit(log, writer, List.of(new LeaderElected(0, 1, "test")));
            Resources cap = Resources.builder().set("cpu", 4000).set("memory", 8L << 30).build();
            offsetAfterNodes = observe(log, List.of(new NodeObserved(1, Node.of("n0", cap)), new NodeObserved(1, Node.of("n1", cap)))) + 1;
            hashAfterNodes = live.hash();
            Scheduler scheduler = new Scheduler(live, 1);
            for (int t = 2; t < 5; t++) {
                List<Observation> pods = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    String uid = "p" + t + i;
                    pods.add(new PodObserved(t, new Pod(uid, "ns", uid, "app-" + t, "", "u", List.of(),
                            Resources.builder().set("cpu", 1000).set("memory", 1L << 30).build(), 0, Map.of(),
                            NodeAffinity.NONE, List.of(), "fairway", "", PodPhase.Pending, t, "" + (t * 10 + i))));
                }
                observe(log, pods);
                CycleResult r = scheduler.cycle(t);
                commit(log, writer, r.decisions());
                scheduler.acknowledge(r.decisions());
            }
            writer.close();
        }
        ClusterState written = live;
        live = before == null ? written : before;
        return written;
    }

    private static long observe(KafkaEventLog log, List<Observation> events) {
        long last = log.append(events);
        events.forEach(live::apply);
        return last;
    }

    private static void commit(KafkaEventLog log, EventLog.DecisionWriter writer, List<? extends Event> events) {
        if (events.isEmpty()) {
            return;
        }
        long before = log.endOffset();
        writer.append(events);
        events.forEach(live::apply);
        // Readers see a transaction once its commit marker is written.
        await().atMost(Duration.ofSeconds(10)).until(() -> log.endOffset() > before);
    }

    @AfterAll
    static void stop() {
        kafka.close();
    }

    private static CliRun run(String... args) {
        return CliRun.of(args);
    }

    @Test
    void theReplayedStateIsTheLeadersState() throws Exception {
        CliRun r = run("replay", "--kafka", kafka.bootstrapServers(), "--topic", TOPIC, "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertThat(json.get("hash").asText()).isEqualTo(live.hash());
        assertThat(json.get("podsRunning").asInt()).isEqualTo(8);
        assertThat(json.get("podsPending").asInt()).isEqualTo(4);
        assertThat(json.get("leaderEpoch").asInt()).isEqualTo(1);
        assertThat(json.at("/queues/root.default/allocated/cpu").asText()).isEqualTo("8");

        CliRun hash = run("replay", "--kafka", kafka.bootstrapServers(), "--topic", TOPIC, "--state-hash");
        assertThat(hash.out().trim()).isEqualTo(live.hash());

        CliRun human = run("replay", "--kafka", kafka.bootstrapServers(), "--topic", TOPIC);
        assertThat(human.out()).contains("nodes 2, pods pending 4, running 8").contains("root.default");
    }

    @Test
    void untilAnOffsetGivesTheStateAtThatPoint() {
        CliRun r = run("replay", "--kafka", kafka.bootstrapServers(), "--topic", TOPIC, "--until", "" + offsetAfterNodes,
                "--state-hash");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out().trim()).isEqualTo(hashAfterNodes);
    }

    @Test
    void aBadUntilIsRefusedWithTheValue() {
        CliRun r = run("replay", "--kafka", kafka.bootstrapServers(), "--until", "yesterday");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("--until yesterday is neither an offset");
    }

    @Test
    void explainTellsAPodsStory() {
        CliRun r = run("explain", "ns/p20", "--kafka", kafka.bootstrapServers(), "--topic", TOPIC);
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("pod ns/p20 (uid p20)")
                .contains("observed: app app-2, queue root.default")
                .containsPattern("allocated on n[01] in root.default by leader epoch 1");

        // The last pods found the nodes full: their story says why they wait.
        CliRun waiting = run("explain", "p43", "--kafka", kafka.bootstrapServers(), "--topic", TOPIC);
        assertThat(waiting.exit()).as(waiting.err()).isZero();
        assertThat(waiting.out()).contains("still waiting since").contains("Insufficient cpu");

        CliRun missing = run("explain", "ns/nope", "--kafka", kafka.bootstrapServers(), "--topic", TOPIC);
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.out()).contains("pod ns/nope does not appear in " + TOPIC + "/0");
    }

    /** As a user runs it, in a process of its own: the answer alone, no log line of the clients before it. */
    @Test
    void explainAsACommandPrintsTheStoryAndNothingElse() throws Exception {
        Process p = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                Fairway.class.getName(), "explain", "ns/p20", "--kafka", kafka.bootstrapServers(), "--topic", TOPIC)
                .start();
        p.getOutputStream().close();
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getErrorStream().readAllBytes());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out + err.get()).isZero();
        assertThat(out).startsWith("pod ns/p20 (uid p20)");
        assertThat(err.get()).as("stderr").isEmpty();
    }

    @Test
    void explainOnATopicThatIsNotThereSaysSo() {
        CliRun r = run("explain", "ns/p20", "--kafka", kafka.bootstrapServers(), "--topic", "no.such.topic");
        assertThat(r.exit()).isEqualTo(3);
        assertThat(r.err()).contains("topic no.such.topic does not exist on " + kafka.bootstrapServers());
    }

    /**
     * A replica's store tells the story without the log, and the log's tail after the store's offset carries it on;
     * the store is read while the replica holds it open.
     */
    @Test
    void explainReadsTheStoryFromAReplicasStoreAndTheTailFromTheLog(@TempDir Path tmp) {
        String topic = "explain.data.test";
        writeLog(topic);
        KafkaEventLogConfig config = KafkaEventLogConfig.of(kafka.bootstrapServers()).withTopic(topic);
        try (KafkaEventLog log = KafkaEventLog.open(config);
             StateFollower replica = StateFollower.recover(tmp, log)) {
            CliRun replayed = run("explain", "ns/p20", "--kafka", kafka.bootstrapServers(), "--topic", topic);
            CliRun stored = run("explain", "ns/p20", "--data", tmp.toString());
            assertThat(stored.exit()).as(stored.err()).isZero();
            assertThat(stored.out()).contains("from the state store").contains("0 events read");
            assertThat(storyLines(stored.out())).isEqualTo(storyLines(replayed.out())).hasSizeGreaterThan(2);

            // p43 is deleted after the replica stopped following: only the log's tail knows
            long end = log.endOffset();
            log.append(List.of(new PodGone(9, "p43", "999")));
            CliRun old = run("explain", "p43", "--data", tmp.toString());
            assertThat(old.out()).contains("still waiting since").doesNotContain("deleted");
            CliRun both = run("explain", "p43", "--data", tmp.toString(), "--kafka", kafka.bootstrapServers(),
                    "--topic", topic);
            assertThat(both.exit()).as(both.err()).isZero();
            assertThat(both.out()).contains("(the pod was deleted)").contains("deleted  [offset " + end + "]")
                    .contains("and the log after it; 1 events read");
            assertThat(replica.state().pod("p43")).as("the replica did not follow the deletion").isNotNull();
            // a tail that does not concern p20 leaves its stored story whole
            CliRun other = run("explain", "ns/p20", "--data", tmp.toString(), "--kafka", kafka.bootstrapServers(),
                    "--topic", topic);
            assertThat(other.exit()).as(other.err()).isZero();
            assertThat(other.out()).contains("and the log after it; 1 events read");
            assertThat(storyLines(other.out())).isEqualTo(storyLines(replayed.out()));
        }
        CliRun none = run("explain", "p43");
        assertThat(none.exit()).isEqualTo(2);
        assertThat(none.err()).contains("give --kafka HOST:PORT");
    }

    /** The story's lines, without the trailer that says where it came from. */
    private static List<String> storyLines(String out) {
        return out.lines().filter(l -> l.startsWith("  ") || l.startsWith("pod ")).toList();
    }

    @Test
    void benchReplayRebuildsTheLeadersStateAndPrintsItsRate() throws Exception {
        CliRun r = run("bench", "replay", "--events", "5000", "--kafka", kafka.bootstrapServers(), "--json");
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertThat(json.get("hashMatchesLeader").asBoolean()).isTrue();
        assertThat(json.get("events").asLong()).isBetween(5000L, 7000L);
        assertThat(json.get("eventsPerSecond").asLong()).isPositive();
        assertThat(json.get("explainSecondsMax").asDouble()).isPositive()
                .isGreaterThanOrEqualTo(json.get("explainSecondsMedian").asDouble());
    }
}
