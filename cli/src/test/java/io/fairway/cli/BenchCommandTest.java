package io.fairway.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The benchmark's plumbing on small inputs: it places what fits and reports the figures it promises. */
class BenchCommandTest {
    private static CliRun run(String... args) {
        return CliRun.of(args);
    }

    @Test
    void syntheticRunPlacesEveryPodThatFitsAndPrintsJson() throws Exception {
        CliRun r = run("bench", "core", "--nodes", "200", "--pods", "2000", "--queues", "12", "--warmup", "0", "--json");
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertThat(json.get("nodes").asInt()).isEqualTo(200);
        assertThat(json.get("pods").asInt()).isEqualTo(2000);
        assertThat(json.get("queues").asInt()).isEqualTo(12);
        assertThat(json.get("pendingThatFit").asInt()).isZero();
        assertThat(json.get("refusedDecisions").asInt()).isZero();
        assertThat(json.get("placed").asLong() + json.get("pendingAtEnd").asLong()).isEqualTo(2000);
        assertThat(json.get("placed").asLong()).isGreaterThan(1900);
        assertThat(json.get("podsPerSecond").asDouble()).isPositive();
        assertThat(json.get("cycleP99Ms").asDouble()).isGreaterThanOrEqualTo(json.get("cycleP50Ms").asDouble());
    }

    /**
     * A replay on a real broker reports how much of it went to the store and what the state costs at rest. The
     * replica's state must equal the leader's, and the replay writes its store: the time spent writing is part of the
     * whole and not nothing, and the store has bytes on disk.
     */
    @Test
    void replayReportsTheStoresShareAndTheFootprint() throws Exception {
        CliRun r = run("bench", "replay", "--events", "3000", "--explain", "0", "--json");
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        JsonNode json = new ObjectMapper().readTree(r.out().lines().filter(l -> l.startsWith("{")).findFirst()
                .orElseThrow());
        assertThat(json.get("hashMatchesLeader").asBoolean()).isTrue();
        assertThat(json.get("events").asLong()).isGreaterThanOrEqualTo(3000);
        double seconds = json.get("seconds").asDouble();
        assertThat(json.get("persistSeconds").asDouble()).isPositive().isLessThanOrEqualTo(seconds);
        assertThat(json.get("storeMiB").asDouble()).isPositive();
        assertThat(json.get("liveHeapMiB").asLong()).isPositive();
        // the replica's thread is one of the process's
        assertThat(json.get("replicaThreadCpuSeconds").asDouble()).isPositive()
                .isLessThanOrEqualTo(json.get("cpuSeconds").asDouble());
        assertThat(json.get("pods").asLong() + json.get("podTombstones").asLong()).as("pods the log created")
                .isPositive();
    }

    /**
     * A restart loads the store the first replica built (not a rebuild from the log), with every node and pod the log
     * was written with, equal to the leader's state; its parts add up to the whole.
     */
    @Test
    void restartLoadsTheStoreAndSaysWhereTheTimeWent() throws Exception {
        CliRun r = run("bench", "restart", "--nodes", "20", "--pods", "300", "--no-process", "--json");
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        JsonNode json = new ObjectMapper().readTree(r.out().lines().filter(l -> l.startsWith("{")).findFirst()
                .orElseThrow());
        assertThat(json.get("hashMatchesLeader").asBoolean()).isTrue();
        assertThat(json.get("source").asText()).isEqualTo("STORE");
        assertThat(json.get("nodes").asInt()).isEqualTo(20);
        assertThat(json.get("pods").asInt()).isEqualTo(300);
        // the config, the election, 20 nodes and 300 pods observed, at least
        assertThat(json.get("events").asLong()).isGreaterThanOrEqualTo(322);
        assertThat(json.get("storeMiB").asDouble()).isPositive();
        double parts = json.get("openLogSeconds").asDouble() + json.get("loadSeconds").asDouble()
                + json.get("catchUpSeconds").asDouble();
        assertThat(json.get("restartSeconds").asDouble()).isCloseTo(parts, within(0.01));
        assertThat(json.has("process")).as("--no-process starts no fairway run").isFalse();
        // a new replica from the restarted one's snapshot: from the peer, to the leader's state
        JsonNode join = json.get("joinFromPeer");
        assertThat(join.get("source").asText()).isEqualTo("PEER");
        assertThat(join.get("hashMatchesLeader").asBoolean()).isTrue();
        assertThat(join.get("archiveMiB").asDouble()).isPositive();
        assertThat(join.get("seconds").asDouble()).isGreaterThanOrEqualTo(join.get("archiveSeconds").asDouble());
    }

    /**
     * The restart as a process: `fairway run` started on the store against the log and an API server holding the
     * nodes and pods became ready (else the bench fails), and the figures of each start, their split and the child's
     * live heap are printed.
     */
    @Test
    void restartAsAProcessTimesFairwayRunToReady() throws Exception {
        CliRun r = run("bench", "restart", "--nodes", "5", "--pods", "40", "--process-runs", "2", "--json");
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        JsonNode json = new ObjectMapper().readTree(r.out().lines().filter(l -> l.startsWith("{")).findFirst()
                .orElseThrow());
        assertThat(json.get("hashMatchesLeader").asBoolean()).isTrue();
        JsonNode p = json.get("process");
        assertThat(p).as(json.toString()).isNotNull();
        assertThat(p.get("runs")).hasSize(2);
        assertThat(p.get("readySeconds").asDouble()).isPositive();
        assertThat(p.get("split").fieldNames()).toIterable().containsExactly("execSeconds", "jvmToMainSeconds",
                "commandLineSeconds", "settingsSeconds", "apiClientSeconds", "kafkaSeconds", "loadSeconds",
                "catchUpSeconds", "afterStoreSeconds", "consoleSeconds", "untilReadyzSeconds");
        // the informers listed the API server's pods, and the store was loaded, not rebuilt: both took some time
        assertThat(p.get("split").get("loadSeconds").asDouble()).isPositive();
        assertThat(p.get("informersSeconds").asDouble()).isPositive();
        // the replica's /statez said when its informers had listed
        assertThat(p.get("listedSeconds").asDouble()).isPositive();
        assertThat(p.get("liveHeapMiB").asLong()).isPositive();
        assertThat(p.has("liveHeapMiBPer100kPods")).isTrue();
    }

    @Test
    void sameSeedSameOutcome() throws Exception {
        ObjectMapper m = new ObjectMapper();
        JsonNode a = m.readTree(run("bench", "core", "--nodes", "50", "--pods", "3000", "--queues", "8", "--warmup", "0",
                "--seed", "7", "--json").out());
        JsonNode b = m.readTree(run("bench", "core", "--nodes", "50", "--pods", "3000", "--queues", "8", "--warmup", "0",
                "--seed", "7", "--json").out());
        assertThat(a.get("placed")).isEqualTo(b.get("placed"));
        assertThat(a.get("pendingAtEnd").asInt()).as("50 nodes cannot hold 3000 pods").isPositive();
        assertThat(a.get("pendingThatFit").asInt()).isZero();
    }

    @Test
    void workloadFileTakesTheScenarioNodesAndSubmissions(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("w.yaml");
        Files.writeString(file, """
                name: w
                nodes:
                  - name: n-{i}
                    count: 3
                    capacity: {cpu: 4, memory: 4Gi}
                steps:
                  - at: 0s
                    submit:
                      - {app: a, pods: 10, requests: {cpu: 1, memory: 1Gi}}
                  - at: 10s
                    submit:
                      - {app: b, pods: 5, requests: {cpu: 1, memory: 1Gi}}
                expect:
                  - at: 1s
                    apps: {a: {running: 999}}
                """);
        CliRun r = run("bench", "core", "--workload", file.toString(), "--warmup", "0", "--json");
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertThat(json.get("nodes").asInt()).isEqualTo(3);
        assertThat(json.get("pods").asInt()).isEqualTo(15);
        assertThat(json.get("placed").asInt()).isEqualTo(12);
        assertThat(json.get("pendingThatFit").asInt()).isZero();
    }

    @Test
    void badOptionsAreRefusedWithTheValue() {
        CliRun r = run("bench", "core", "--policy", "random");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("--policy random is not a node sort policy");
    }

    @Test
    void gangsAreReservedWholeAndEveryPodIsPlacedIncludingOnGpuNodes() throws Exception {
        // 40 apps of 50 pods: 12 gangs; 40 GPU nodes leave room for the GPU gangs of this seed as well as the GPU pods.
        CliRun r = run("bench", "core", "--nodes", "200", "--pods", "2000", "--queues", "12", "--warmup", "0",
                "--gang-fraction", "0.3", "--gpu-nodes", "40", "--json");
        assertThat(r.exit()).as(r.all()).isZero();
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertThat(json.get("gangApps").asInt()).isEqualTo(12);
        assertThat(json.get("gangReservations").asInt()).as("one whole reservation per gang").isEqualTo(12);
        assertThat(json.get("partialGangReservations").asInt()).isZero();
        assertThat(json.get("gangAppsComplete").asInt()).as("every member in a slot of its gang").isEqualTo(12);
        assertThat(json.get("placed").asInt()).isEqualTo(2000);
        assertThat(json.get("pendingAtEnd").asInt()).isZero();
        assertThat(json.get("gpuNodes").asInt()).isEqualTo(40);
        assertThat(json.get("gpuPodsPlaced").asInt()).isPositive();
        assertThat(json.get("decisions").asLong()).as("every kind of decision counts").isEqualTo(
                json.get("placed").asLong() + json.get("gangReservations").asLong()
                        + json.get("gangReleases").asLong() + json.get("unschedulableDecisions").asLong());
        assertThat(json.get("decisionsPerSecond").asDouble()).isGreaterThan(json.get("podsPerSecond").asDouble());
    }

    @Test
    void noGpuNodesMeansNoPodAsksForGpus() throws Exception {
        CliRun r = run("bench", "core", "--nodes", "100", "--pods", "1000", "--queues", "6", "--warmup", "0",
                "--gpu-nodes", "0", "--gang-fraction", "1", "--json");
        assertThat(r.exit()).as(r.all()).isZero();
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertThat(json.get("gpuPodsPlaced").asInt()).isZero();
        assertThat(json.get("gangAppsComplete").asInt()).isEqualTo(20);
        assertThat(json.get("placed").asInt()).isEqualTo(1000);
    }

    @Test
    void badGangAndGpuOptionsAreRefusedWithTheValue() {
        CliRun fraction = run("bench", "core", "--gang-fraction", "1.5");
        assertThat(fraction.exit()).isEqualTo(2);
        assertThat(fraction.err()).contains("--gang-fraction 1.5 is not a share of the apps; give one from 0");
        CliRun negative = run("bench", "core", "--gang-fraction", "-0.1");
        assertThat(negative.exit()).isEqualTo(2);
        assertThat(negative.err()).contains("--gang-fraction -0.1 is not a share");
        CliRun count = run("bench", "core", "--gpu-nodes", "-3");
        assertThat(count.exit()).isEqualTo(2);
        assertThat(count.err()).contains("--gpu-nodes -3 is negative");
        CliRun tooMany = run("bench", "core", "--nodes", "10", "--gpu-nodes", "11");
        assertThat(tooMany.exit()).isEqualTo(2);
        assertThat(tooMany.err()).contains("--gpu-nodes 11 is more than the 10 nodes (--nodes); give at most 10");
    }
}
