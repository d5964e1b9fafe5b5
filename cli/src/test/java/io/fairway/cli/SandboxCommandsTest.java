package io.fairway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** {@code fairway demo} and {@code fairway bench e2e}, small, through the whole embedded default. */
class SandboxCommandsTest {
    @Test
    void theDemoSchedulesTheWorkloadAndPrintsItsSummary() {
        CliRun r = CliRun.of("demo", "--nodes", "20", "--duration", "30s", "--every", "5s", "--apps-per-minute", "120",
                "--kill-leader-every", "12s", "--console-port", "0");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("kubectl --kubeconfig").contains("get pods -A -o wide")
                .containsPattern("web console: http://127\\.0\\.0\\.1:[0-9]+/ +\\(reads open; to apply a queue config, "
                        + "enter the admin token [0-9a-f]{36}\\)")
                .contains("root.tenants.team-")
                .containsPattern("running +[1-9]")
                .contains("(leader, epoch 1)")
                .contains("killed the leader replica-")
                // a standby took over: a later summary names a leader of a newer epoch
                .containsPattern("\\(leader, epoch [2-9]\\)")
                .contains("fairway demo: stopped")
                .doesNotContain("the scheduler stopped");
    }

    @Test
    void benchE2eBindsEveryPodAndPrintsItsFigures() throws Exception {
        CliRun r = CliRun.of("bench", "e2e", "--nodes", "20", "--pods", "300", "--json", "--timeout", "120");
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        JsonNode json = new ObjectMapper().readTree(r.out().lines().filter(l -> l.startsWith("{")).findFirst()
                .orElseThrow());
        assertThat(json.get("pods").asInt()).isEqualTo(300);
        assertThat(json.get("bound").asInt()).isEqualTo(300);
        assertThat(json.get("complete").asBoolean()).isTrue();
        assertThat(json.get("podsPerSecond").asLong()).isPositive();
        assertThat(json.get("bindP99Ms").asLong()).isGreaterThanOrEqualTo(json.get("bindP50Ms").asLong());
        assertThat(json.get("nodes").asInt()).isEqualTo(20);
        // one replica: one election, more only if it lost the lead (said, not hidden)
        assertThat(json.get("elections").asLong()).isPositive();
        JsonNode cpu = json.get("cpuSeconds");
        assertThat(cpu.get("scheduler (follow log, cycles, commits)").asDouble()).isPositive();
        assertThat(cpu.get("local API server").asDouble()).isPositive();
        assertThat(cpu.get("Kafka broker (embedded)").asDouble()).isPositive();
        double parts = 0;
        for (var e : cpu.properties()) {
            parts += "total".equals(e.getKey()) || "wall clock".equals(e.getKey()) ? 0 : e.getValue().asDouble();
        }
        assertThat(parts).isCloseTo(cpu.get("total").asDouble(), org.assertj.core.data.Offset.offset(0.1));
    }

    @Test
    void benchFailoverKillsTheLeaderAndFindsNoViolation() throws Exception {
        CliRun r = CliRun.of("bench", "failover", "--kills", "1", "--nodes", "5", "--pods", "40", "--json");
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        JsonNode json = new ObjectMapper().readTree(r.out().lines().filter(l -> l.startsWith("{")).findFirst()
                .orElseThrow());
        assertThat(json.get("kills").asInt()).isEqualTo(1);
        assertThat(json.get("violations").asInt()).as(json.get("violationDetails").toString()).isZero();
        assertThat(json.get("bound").asInt()).isEqualTo(41);
        // the first leader, one after the kill, and any needless one counted apart
        assertThat(json.get("elections").asLong()).isGreaterThanOrEqualTo(2);
        assertThat(json.get("needlessElections").asLong()).isEqualTo(json.get("elections").asLong() - 2);
        // measured from the kill to the next leader's first binding: at least the time for the lease to run out
        assertThat(json.get("failoverMaxMs").asLong()).isGreaterThanOrEqualTo(1_000);
    }

    @Test
    void aBadDurationIsRefusedWithTheValue() {
        CliRun r = CliRun.of("demo", "--duration", "soon");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("--duration soon is not a duration");
    }
}
