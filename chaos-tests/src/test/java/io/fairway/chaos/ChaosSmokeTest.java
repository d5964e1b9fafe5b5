package io.fairway.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import io.fairway.chaos.faults.FaultKind;
import java.io.PrintWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every fault kind once over real processes (three replicas, three brokers, the API server), with the workload
 * running: the checker finds no violation, no pod is lost, the scheduler serves again after each fault, and no leader
 * changed without a fault on it. The long soak is {@code fairway chaos --duration 10m}.
 */
class ChaosSmokeTest {
    @TempDir
    Path tmp;

    @Test
    void everyFaultKindOnceLosesNothing() throws Exception {
        PrintWriter out = new PrintWriter(System.out, true);
        ChaosReport r = new ChaosRun(ChaosOptions.defaults(tmp.resolve("run")).withSuite("smoke").withSeed(3)
                .withKeep(true), out).run();
        r.print(out);
        assertThat(r.violations()).as("violations").isEmpty();
        assertThat(r.counts().podsLost).as("pods lost").isZero();
        assertThat(r.counts().podsCreated).as("pods created").isGreaterThan(30);
        assertThat(r.counts().bindingsAccepted).isGreaterThan(30);
        r.kinds().forEach((kind, f) -> {
            if (kind.equals(FaultKind.DISK_FULL.label()) && f.skipped() == 1) {
                // only where this machine gives no small disk, and the report says why
                assertThat(f.skippedWhy()).isNotBlank();
                return;
            }
            assertThat(f.injected()).as(kind + " injected (skipped: " + f.skippedWhy() + ")").isEqualTo(1);
            assertThat(f.recovered()).as(kind + " recovered").isEqualTo(1);
        });
        assertThat(r.needlessLeaderChanges()).as("needless leader changes at " + r.needlessAt()).isZero();
        assertThat(r.passed()).isTrue();
    }
}
