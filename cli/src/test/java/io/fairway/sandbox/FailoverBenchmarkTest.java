package io.fairway.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fairway.cli.Fairway;
import io.fairway.core.objects.YuniKornLabels;
import io.fairway.k8s.KubeObjects;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@link FailoverBenchmark} at a small size with its capped queue small enough that the queue's pods wait at its max,
 * so that the check "no queue over its max" is run where it could fail. In the cli module: the replicas it starts
 * are {@code fairway run} processes, {@code io.fairway.cli.Fairway} on this class path.
 */
class FailoverBenchmarkTest {
    private static final String CAPPED = FailoverBenchmark.CAPPED_QUEUE;
    /**
     * Seed 1's 200 pods ask for 144 cores in the capped queue: at 40 it fills and 28 of its pods wait (a gang of 61
     * cores among them, rejected as larger than the max, as YuniKorn rejects it).
     */
    private static final long CAPPED_CORES = 40;

    /** The pods as the API server holds them at the end of a run. */
    private record Seen(List<Pod> pods) {
        List<Pod> inCapped() {
            return pods.stream().filter(p -> CAPPED.equals(queueOf(p))).toList();
        }

        List<Pod> outsideCapped() {
            return pods.stream().filter(p -> !CAPPED.equals(queueOf(p))).toList();
        }

        long boundMillicores(List<Pod> of) {
            return of.stream().filter(FailoverBenchmarkTest::bound).mapToLong(FailoverBenchmarkTest::cpu).sum();
        }
    }

    @Test
    void theCappedQueueFillsToItsMaxAndNoInvariantBreaks() {
        FailoverBenchmark.Options o = new FailoverBenchmark.Options(2, 1, 20, 200, 1,
                SandboxCluster.ApiServerKind.LOCAL, CAPPED_CORES);
        AtomicReference<Seen> seen = new AtomicReference<>();
        long maxMillicores = CAPPED_CORES * 1000;
        long t0 = System.nanoTime();
        FailoverBenchmark.Result r = FailoverBenchmark.run(o, CAPPED_CORES, client -> seen.set(awaitSettled(client,
                maxMillicores)));
        Seen s = seen.get();
        List<Pod> capped = s.inCapped();
        System.out.printf("failover bench at 1 kill, 20 nodes, 200 pods, %s max %d cores: %.1f s; %s; its pods ask "
                + "for %dm, its largest gang %dm%n", CAPPED, CAPPED_CORES, (System.nanoTime() - t0) / 1e9,
                r.capped(), capped.stream().mapToLong(FailoverBenchmarkTest::cpu).sum(), capped.stream()
                        .mapToLong(p -> KubeObjects.pod(p, n -> 0, ns -> null).hints().gang().total().get("cpu"))
                        .max().orElse(0));

        // the benchmark's own checks: each bound pod bound once where the log says and once by the API server's record,
        // no node over capacity, the capped queue not over its max, every replica's state hash equal to the replay's
        assertThat(r.violations()).as("violations").isEmpty();
        long boundMillicores = s.boundMillicores(capped);
        List<Pod> waiting = capped.stream().filter(p -> !bound(p)).toList();
        // what the benchmark reported is what the API server holds
        assertThat(r.capped().maxMillicores()).isEqualTo(maxMillicores);
        assertThat(r.capped().boundMillicores()).isEqualTo(boundMillicores);
        assertThat(r.capped().waiting()).isEqualTo(waiting.size());
        assertThat(r.capped().reachedMax()).isTrue();
        // its pods asked for more than the max: the queue was filled and some of them wait
        assertThat(capped.stream().mapToLong(FailoverBenchmarkTest::cpu).sum()).isGreaterThan(2 * maxMillicores);
        assertThat(boundMillicores).isLessThanOrEqualTo(maxMillicores);
        assertThat(waiting).isNotEmpty();
        // and they wait at the max: none of them (nor, for a gang not started, its whole gang) fits in what is left
        long left = maxMillicores - boundMillicores;
        assertThat(waiting).allSatisfy(p -> assertThat(need(p, capped)).as(p.getMetadata().getName())
                .isGreaterThan(left));
        assertThat(boundMillicores).as("bound in %s", CAPPED).isGreaterThanOrEqualTo(maxMillicores / 2);
        // the check "no queue over its max" can fail on this run: read against a max below the one the replicas got
        // (as when the config they are given says more than the check reads), it reports the queue over it
        assertThat(FailoverBenchmark.overMax(FailoverBenchmark.capped(s.pods(), maxMillicores))).isEmpty();
        assertThat(FailoverBenchmark.overMax(FailoverBenchmark.capped(s.pods(), boundMillicores - 500)))
                .hasValue("queue " + CAPPED + " uses " + boundMillicores + "m cpu, over its max "
                        + (boundMillicores - 500) + "m");
        // every other pod is bound, once by the API server's record
        assertThat(s.outsideCapped()).isNotEmpty().allSatisfy(p -> assertThat(bound(p))
                .as(p.getMetadata().getName()).isTrue());
        assertThat(r.bound()).isEqualTo(s.pods().stream().filter(FailoverBenchmarkTest::bound).count());
        assertThat(r.bindingsAccepted()).isEqualTo(r.bound());
        assertThat(r.pods()).isEqualTo(s.pods().size());
        assertThat(r.kills()).isEqualTo(1);
        assertThat(r.elections()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void aGracefulStopIsMeasuredAndSplitIntoPhases() {
        FailoverBenchmark.Result r = FailoverBenchmark.run(new FailoverBenchmark.Options(2, 2, 20, 100, 2,
                SandboxCluster.ApiServerKind.LOCAL, CAPPED_CORES).withMode(FailoverBenchmark.Mode.GRACEFUL));
        System.out.printf("failover bench --graceful at 2 stops: p50 %d ms, p99 %d ms; phases %s%n", r.failoverP50Ms(),
                r.failoverP99Ms(), r.phaseSummary());
        assertThat(r.violations()).as("violations").isEmpty();
        assertThat(r.mode()).isEqualTo(FailoverBenchmark.Mode.GRACEFUL);
        assertThat(r.kills()).isEqualTo(2);
        assertThat(r.failoverMillis()).hasSize(2);
        assertThat(Arrays.stream(r.failoverMillis()).boxed().toList()).allSatisfy(ms -> assertThat(ms).isPositive());
        assertThat(r.elections()).isGreaterThanOrEqualTo(3);
        assertThat(r.stress()).isNull();
        // each stop split into phases that add up to the whole, from the next leader's own account
        assertThat(r.phases()).hasSize(2).allSatisfy(p -> {
            assertThat(p.leaseMs()).isNotNegative();
            assertThat(p.takeLeadMs()).isNotNegative();
            // (each part rounded down to the millisecond on its own)
            assertThat(p.catchUpMs() + p.writerMs() + p.electedMs() + p.reconcileMs()).isLessThanOrEqualTo(
                    p.takeLeadMs() + 1);
            assertThat(p.leaseMs() + p.noticeMs() + p.takeLeadMs() + p.firstBindMs()).isEqualTo(p.totalMs());
        });
        assertThat(r.phaseSummary()).containsKeys("lease", "notice", "takeLead", "catchUp", "writer", "elected",
                "reconcile", "firstBind", "cycle", "bind");
        assertThat(r.phaseSummary().get("lease")).containsKeys("p50", "p99", "max");
    }

    @Test
    void aStressRunKillsNobodyAndPrintsItsLeaderChangesAsJson() throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cmd = Fairway.commandLine();
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        int exit = cmd.execute("bench", "failover", "--stress", "--duration", "20s", "--hog-threads", "1",
                "--nodes", "20", "--pods", "100", "--capped-cores", String.valueOf(CAPPED_CORES), "--json");
        assertThat(exit).as(out + "\n" + err).isZero();
        JsonNode json = new ObjectMapper().readTree(out.toString().lines().filter(l -> l.startsWith("{"))
                .findFirst().orElseThrow());
        System.out.println("failover bench --stress for 20 s: " + json);
        assertThat(json.get("violations").asInt()).as(json.get("violationDetails").toString()).isZero();
        assertThat(json.get("mode").asText()).isEqualTo("stress");
        assertThat(json.get("kills").asInt()).isZero();
        assertThat(json.get("failoversMs")).isEmpty();
        assertThat(json.get("phasesMs")).isEmpty();
        // what is counted is there and sane, not how many: a test must not flap on a loaded machine
        assertThat(json.get("leaderChanges").asLong()).isNotNegative()
                .isEqualTo(json.get("elections").asLong() - 1);
        for (String field : List.of("leaseTransitions", "stepDowns", "holds", "lateRenewals", "renewFailures",
                "gcPauseMaxMs", "logGiveUps")) {
            assertThat(json.get(field)).as(field).isNotNull();
            assertThat(json.get(field).asLong()).as(field).isNotNegative();
        }
        assertThat(json.get("maxRenewGapMs").asLong()).isPositive();
        assertThat(json.get("maxRenewMs").asLong()).isPositive();
        assertThat(json.get("stressSeconds").asDouble()).isGreaterThanOrEqualTo(20);
        assertThat(json.get("hogThreads").asInt()).isEqualTo(1);
        assertThat(json.get("cpuBusy").asDouble()).isBetween(-1.0, 1.0);
        assertThat(json.get("bound").asInt()).isPositive();
    }

    /** The scheduler's pods once every pod of the capped queue that fits under its max is bound. */
    private static Seen awaitSettled(KubernetesClient client, long maxMillicores) {
        AtomicReference<Seen> last = new AtomicReference<>();
        Awaitility.await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500)).until(() -> {
            Seen s = new Seen(client.pods().inAnyNamespace().list().getItems().stream()
                    .filter(p -> "fairway".equals(p.getSpec().getSchedulerName())).toList());
            last.set(s);
            List<Pod> capped = s.inCapped();
            long left = maxMillicores - s.boundMillicores(capped);
            return capped.stream().filter(p -> !bound(p)).allMatch(p -> need(p, capped) > left);
        });
        return last.get();
    }

    /**
     * What a waiting pod needs under the queue's max: its gang's total when no pod of its app is bound yet (a gang is
     * reserved whole), else its own request.
     */
    private static long need(Pod p, List<Pod> queue) {
        io.fairway.core.objects.Pod core = KubeObjects.pod(p, n -> 0, ns -> null);
        if (core.hints().gang().groups().isEmpty()) {
            return cpu(p);
        }
        boolean started = queue.stream().anyMatch(q -> bound(q) && appOf(q).equals(appOf(p)));
        return started ? cpu(p) : core.hints().gang().total().get("cpu");
    }

    private static String appOf(Pod p) {
        return KubeObjects.pod(p, n -> 0, ns -> null).appId();
    }

    private static long cpu(Pod p) {
        return KubeObjects.pod(p, n -> 0, ns -> null).requests().get("cpu");
    }

    private static boolean bound(Pod p) {
        return p.getSpec().getNodeName() != null && !p.getSpec().getNodeName().isEmpty();
    }

    private static String queueOf(Pod p) {
        return YuniKornLabels.queue(p.getMetadata().getLabels() == null ? Map.of() : p.getMetadata().getLabels(),
                p.getMetadata().getAnnotations() == null ? Map.of() : p.getMetadata().getAnnotations());
    }
}
