package io.fairway.chaos.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class FaultScheduleTest {
    private static final List<FaultKind> ALL = Arrays.asList(FaultKind.values());

    @Test
    void theSameSeedGivesTheSameScheduleAndAnotherSeedAnother() {
        assertThat(FaultSchedule.firstOf(1, ALL, 60)).isEqualTo(FaultSchedule.firstOf(1, ALL, 60));
        assertThat(FaultSchedule.firstOf(2, ALL, 60)).isNotEqualTo(FaultSchedule.firstOf(1, ALL, 60));
    }

    @Test
    void everyRoundHasEveryKindOnceSoAnyLongEnoughRunCoversThemAll() {
        List<FaultSchedule.Planned> plan = FaultSchedule.firstOf(5, ALL, ALL.size() * 3);
        for (int round = 0; round < 3; round++) {
            assertThat(plan.subList(round * ALL.size(), (round + 1) * ALL.size()))
                    .extracting(FaultSchedule.Planned::kind).containsExactlyInAnyOrderElementsOf(ALL);
        }
        assertThat(plan).allSatisfy(p -> assertThat(p.pauseMillis()).isBetween(1_000L, 4_000L));
    }

    @Test
    void kindsAreNamedAsTheReportNamesThem() {
        assertThat(FaultKind.parseList("leader-kill, api-restart")).containsExactly(FaultKind.LEADER_KILL,
                FaultKind.API_RESTART);
        assertThatThrownBy(() -> FaultKind.parse("leader-nap")).hasMessageContaining("unknown fault kind 'leader-nap'")
                .hasMessageContaining("leader-pause");
        assertThatThrownBy(() -> new FaultSchedule(1, List.of())).hasMessageContaining("at least one fault kind");
    }
}
