package io.fairway.sandbox.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ApiServerBenchmarkTest {

    @Test
    void smallRunReportsEveryWriteAndEveryWatchEvent() {
        ApiServerBenchmark.Options o = ApiServerBenchmark.Options.defaults().withPods(1_000).withUpdatesPerPod(2).withWatchers(2)
                .withWarmupPods(200).withConnections(4).withInFlight(32);
        ApiServerBenchmark.Result r = ApiServerBenchmark.run(o);

        assertThat(r.errors()).isZero();
        assertThat(r.writes()).isEqualTo(3_000);
        assertThat(r.watchers()).isEqualTo(2);
        assertThat(r.eventsDelivered()).isEqualTo(6_000);
        assertThat(r.writesPerSecond()).isPositive();
        assertThat(r.lagP50Millis()).isLessThanOrEqualTo(r.lagP99Millis());
        assertThat(r.lagP99Millis()).isLessThanOrEqualTo(r.lagMaxMillis());
        // 4 namespaces + the kubernetes service + 2 priority classes at start, 10 + 10 benchmark namespaces,
        // 200 warm-up pods, 1,000 pods
        assertThat(r.objects()).isEqualTo(7 + 20 + 200 + 1_000);
        assertThat(r.summary()).contains("3,000 writes");
    }
}
