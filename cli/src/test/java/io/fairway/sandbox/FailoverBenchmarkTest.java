package io.fairway.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fairway.core.objects.YuniKornLabels;
import io.fairway.k8s.KubeObjects;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

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
