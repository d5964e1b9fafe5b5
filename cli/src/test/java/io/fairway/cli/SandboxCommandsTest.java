package io.fairway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fairway.ha.ElectionOptions;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@code fairway demo} and {@code fairway bench e2e}, small, through the whole embedded default. */
class SandboxCommandsTest {
    @Test
    void theDemoSchedulesTheWorkloadAndPrintsItsSummary() {
        CliRun r = CliRun.of("demo", "--nodes", "20", "--duration", "30s", "--every", "5s", "--apps-per-minute", "120",
                "--kill-leader-every", "12s", "--console-port", "0");
        assertThat(r.exit()).as(r.err()).isZero();
        String out = r.out();
        assertThat(out).as(out).contains("kubectl --kubeconfig")
                .containsPattern("the console +http://127\\.0\\.0\\.1:[0-9]+/ +\\(reads are open\\)\n +admin token "
                        + "[0-9a-f]{36} \\(to apply a queue config\\)")
                .contains("./fairway replay --kafka 127.0.0.1:")
                .contains("per queue: pending = waiting for a node now; running = on a node now; completed = finished "
                        + "so far")
                .containsPattern("queue \\(as placed by Fairway\\) +pending +running +completed")
                // every app's row is the queue Fairway placed it in, whatever its pods' labels say
                .contains("root.tenants.team-").doesNotContain("(no queue label)").doesNotContain("(queue not seen)")
                .containsPattern("root\\.tenants\\.team-[abc] +[0-9]+ +[1-9][0-9]* +[0-9]+")
                // which epoch leads first, and when a line is printed, depend on how busy the machine is
                .containsPattern("\\[[0-9:]+\\] replica-[01] leads \\(epoch [1-9]\\)")
                .containsPattern("\\[[0-9:]+\\] killed replica-[01] \\(as SIGKILL would\\)")
                // a standby took over, in the next epoch, after the kill
                .containsPattern("replica-[01] leads \\(epoch [2-9]\\), [0-9.]+ s after replica-[01] was killed")
                .containsPattern("fail-overs [1-9] \\(1 planned by --kill-leader-every\\)")
                .contains("fairway demo: ran 30 s from ready")
                .containsPattern("totals: [1-9][0-9]* apps, [1-9][0-9]* pods created, [1-9][0-9]* bound, [0-9]+ completed")
                .containsPattern("leader: (replica-[01] \\(epoch [2-9]\\)|none), fail-overs: [1-9] \\(1 planned by "
                        + "--kill-leader-every\\)")
                .contains("try next, with a demo running")
                .containsPattern("a pod's story +\\./fairway explain [a-z0-9-]+/[a-z0-9-]+ --data")
                .containsPattern("the console +http://127\\.0\\.0\\.1:[0-9]+/")
                .containsPattern("replay the log +\\./fairway replay --kafka 127\\.0\\.0\\.1:[0-9]+")
                .contains("fairway demo: stopped")
                .doesNotContain("the scheduler stopped");
        // times count from ready: the first summary comes one --every after it (later on a busy machine)
        assertThat(out.lines().filter(l -> l.matches("\\[[0-9:]+\\] apps .*")).findFirst().orElseThrow())
                .matches("\\[00:0[5-9]\\] apps .*");
        // one kill only: none in the last 10 s, where its take-over would not be seen
        assertThat(out.lines().filter(l -> l.contains(" killed replica-")).count()).isEqualTo(1);
        // the pod to explain is one of this run's (its namespace is a tenant's)
        String pod = out.lines().filter(l -> l.contains("./fairway explain ")).reduce((a, b) -> b).orElseThrow()
                .replaceAll(".*\\./fairway explain ([^ ]+) .*", "$1");
        assertThat(pod).matches("team-[abc]/[a-z0-9-]+");
        // completed is cumulative: per queue, never lower than in the summary before
        Map<String, Long> completed = new HashMap<>();
        Pattern row = Pattern.compile(
                "^ {4}(root\\.[^ ]+) +([0-9]+) +([0-9]+) +([0-9]+)$");
        out.lines().map(row::matcher).filter(Matcher::matches).forEach(m -> {
            long before = completed.getOrDefault(m.group(1), 0L);
            assertThat(Long.parseLong(m.group(4))).as("completed of %s", m.group(1)).isGreaterThanOrEqualTo(before);
            completed.put(m.group(1), Long.parseLong(m.group(4)));
        });
        assertThat(completed).isNotEmpty();
        // a terminal of 100 columns: every line but the long paths fits
        assertThat(out.lines().filter(l -> l.length() > 100 && !l.contains("/tmp/"))).isEmpty();
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
        // measured from the kill to the next leader's first binding: the standby waited for the lease to run out, not
        // taken it at once (the kill comes a renewal gap after the standby last saw the lease change: a retry period
        // on a quiet machine, more on a loaded one, so the bound is half the lease)
        ElectionOptions lease = ElectionOptions.defaults();
        assertThat(json.get("failoverMaxMs").asLong()).isGreaterThanOrEqualTo(lease.leaseDuration().toMillis() / 2);
        assertThat(json.get("mode").asText()).isEqualTo("kill");
        assertThat(json.get("phasesMs").get("lease").get("p50").asLong()).isPositive();
    }

    @Test
    void aBadDurationIsRefusedWithTheValue() {
        CliRun r = CliRun.of("demo", "--duration", "soon");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("--duration soon is not a duration");
    }
}
