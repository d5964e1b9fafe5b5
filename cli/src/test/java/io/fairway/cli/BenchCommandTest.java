package io.fairway.cli;

import static org.assertj.core.api.Assertions.assertThat;

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
}
