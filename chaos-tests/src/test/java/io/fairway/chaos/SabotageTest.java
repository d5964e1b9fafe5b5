package io.fairway.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import io.fairway.chaos.replica.Sabotage;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The checker can fail: each planted bug, run on real processes, is reported under the invariant it breaks, with
 * evidence, and the window with no bug planted has no violation.
 */
class SabotageTest {
    @TempDir
    Path tmp;

    @Test
    void everyPlantedBugIsReportedWithEvidence() throws Exception {
        PrintWriter out = new PrintWriter(System.out, true);
        SabotageRun.Result r = new SabotageRun(tmp.resolve("run"), List.of(Sabotage.values()), true, out).run();
        r.print(out);
        assertThat(r.control()).as("violations with no bug planted").isEmpty();
        assertThat(r.outcomes()).hasSize(Sabotage.values().length).allSatisfy(o -> {
            assertThat(o.wasCaught()).as(o.sabotage().label() + " caught; reported: " + o.caught()).isTrue();
            assertThat(o.caught()).filteredOn(v -> v.invariant().equals(o.sabotage().caughtBy()))
                    .allSatisfy(v -> assertThat(v.evidence().keySet()).contains("t")
                            .containsAnyOf("pod", "app", "queue", "node", "offset"));
        });
    }
}
