package io.fairway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@code fairway help} follows the whole path of words to the command they name. */
class HelpCommandTest {
    @Test
    void helpOfASubcommandShowsItsOwnOptions() {
        CliRun r = CliRun.of("help", "bench", "core");
        assertThat(r.exit()).as(r.all()).isZero();
        assertThat(r.out()).contains("Usage: fairway bench core").contains("--nodes").contains("--per-cycle");
    }

    @Test
    void helpOfACommandListsItsSubcommandsNotTheirOptions() {
        CliRun r = CliRun.of("help", "bench");
        assertThat(r.exit()).as(r.all()).isZero();
        assertThat(r.out()).contains("Usage: fairway bench").contains("core").contains("e2e")
                .doesNotContain("--per-cycle");
    }

    @Test
    void helpAloneShowsTheRootAndItsCommands() {
        CliRun r = CliRun.of("help");
        assertThat(r.exit()).as(r.all()).isZero();
        assertThat(r.out()).contains("Usage: fairway").contains("explain").contains("demo");
    }

    @Test
    void anUnknownWordNamesWhereItWasLookedForAndWhatIsThere() {
        CliRun r = CliRun.of("help", "bench", "cores");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("'fairway bench' has no command 'cores'").contains("core").contains("e2e");
        assertThat(r.out()).isEmpty();
    }
}
