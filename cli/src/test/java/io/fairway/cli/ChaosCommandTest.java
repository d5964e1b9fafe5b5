package io.fairway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.fairway.chaos.check.InvariantChecker;
import io.fairway.chaos.faults.FaultKind;
import io.fairway.chaos.replica.Sabotage;
import org.junit.jupiter.api.Test;

/** {@code fairway chaos}'s own surface; the runs themselves are tested in chaos-tests. */
class ChaosCommandTest {
    @Test
    void listNamesEverySuiteFaultKindInvariantAndPlantedBug() {
        CliRun r = CliRun.of("chaos", "--list");
        assertThat(r.exit()).as(r.all()).isZero();
        assertThat(r.out()).contains("soak", "smoke", "sabotage");
        for (FaultKind k : FaultKind.values()) {
            assertThat(r.out()).contains(k.label());
        }
        InvariantChecker.INVARIANTS.keySet().forEach(i -> assertThat(r.out()).contains(i));
        for (Sabotage s : Sabotage.values()) {
            assertThat(r.out()).contains(s.label());
        }
    }

    @Test
    void anUnknownFaultKindOrSuiteIsRefusedWithTheKnownOnes() {
        CliRun kind = CliRun.of("chaos", "--faults", "leader-kill,leader-nap");
        assertThat(kind.exit()).as(kind.all()).isEqualTo(2);
        assertThat(kind.err()).contains("unknown fault kind 'leader-nap'").contains("leader-pause");
        CliRun suite = CliRun.of("chaos", "marathon");
        assertThat(suite.exit()).as(suite.all()).isEqualTo(2);
        assertThat(suite.err()).contains("unknown suite 'marathon'").contains("soak");
        CliRun duration = CliRun.of("chaos", "--duration", "soon");
        assertThat(duration.exit()).as(duration.all()).isEqualTo(2);
        assertThat(duration.err()).contains("--duration soon is not a duration");
    }
}
