package io.fairway.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Reading `fairway run`'s start-up line, as a large store leaves it: ready while its informers still list (-1). */
class ProcessRestartTest {
    @Test
    void aReplicaReadyBeforeItsInformersListedIsSplitAsTheOthers() {
        String output = "12:00:00 INFO something else\n"
                + "fairway run: start-up jvmStartMillis=1000 mainAtMillis=1400 runAtMillis=1500 startedAtMillis=4500 "
                + "apiClient=0.200 kafka=0.100 load=2.000 catchUp=0.100 afterStore=0.050 console=0.050 total=2.500 "
                + "informers=-1.000\n";
        Map<String, Double> split = ProcessRestart.split(output, 900, 3.8);
        assertThat(split.get("exec")).isCloseTo(0.1, within(1e-9));
        assertThat(split.get("jvmToMain")).isCloseTo(0.4, within(1e-9));
        assertThat(split.get("commandLine")).isCloseTo(0.1, within(1e-9));
        // 3.0 s from run to started, of which the replica's own steps were 2.5 s
        assertThat(split.get("settings")).isCloseTo(0.5, within(1e-9));
        assertThat(split.get("load")).isEqualTo(2.0);
        // started 3.6 s after the spawn; ready at 3.8 s
        assertThat(split.get("untilReadyz")).isCloseTo(0.2, within(1e-9));
        assertThat(ProcessRestart.startupLine(output).get("informers")).isEqualTo(-1.0);
    }
}
