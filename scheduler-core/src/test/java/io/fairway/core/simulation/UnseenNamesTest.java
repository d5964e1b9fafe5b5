package io.fairway.core.simulation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * An expectation about an app, pod, queue or node the run never had is an error naming its line, not a check that
 * compares against nothing (an app nobody submitted has 0 pods running, so {@code running: 0} would pass).
 */
class UnseenNamesTest {
    private static final String HEAD = """
            name: unseen
            queues: |
              partitions:
                - name: default
                  queues:
                    - name: root
                      queues:
                        - name: a
            nodes:
              - name: n0
                capacity: {cpu: 4, memory: 8Gi}
            steps:
              - at: 0s
                submit:
                  - {app: real, queue: root.a, pods: 1, requests: {cpu: 1, memory: 1Gi}}
            expect:
              - at: 1s
            """;

    private static SimulationReport run(String expectations) {
        return Simulator.run(ScenarioParser.parse(HEAD + expectations), false);
    }

    @Test
    void namesTheRunHadAreChecked() {
        SimulationReport r = run("""
                    apps:
                      real: {running: 1}
                    pods:
                      real-0: {node: n0}
                    queues:
                      root.a: {runningApps: 1}
                    nodes:
                      n0: {pods: 1}
                """);
        assertThat(r.results()).hasSize(4).allMatch(SimulationReport.Result::pass);
    }

    @Test
    void aMisspeltAppIsAnErrorNamingItsLineAndWhatTheRunHad() {
        assertThatThrownBy(() -> run("""
                    apps:
                      reel: {running: 0, pending: 0}
                """)).isInstanceOf(ScenarioException.class)
                .hasMessageContaining("line 19: app 'reel' is nowhere in the run (it has real)")
                .satisfies(e -> assertThat(((ScenarioException) e).line()).isEqualTo(19));
    }

    @Test
    void misspeltPodsQueuesAndNodesAreErrorsToo() {
        assertThatThrownBy(() -> run("""
                    pods:
                      real-1: {phase: Pending}
                    queues:
                      root.b: {runningApps: 0}
                    nodes:
                      n1: {pods: 0}
                """)).isInstanceOf(ScenarioException.class)
                .hasMessageContaining("pod 'real-1' is nowhere in the run")
                .hasMessageContaining("queue 'root.b' is nowhere in the run")
                .hasMessageContaining("node 'n1' is nowhere in the run (it has n0)");
    }

    @Test
    void anAbsenceMayBeExpectedOfWhatNeverWas() {
        SimulationReport r = run("""
                    apps:
                      never: {state: Absent}
                    queues:
                      root.b: {exists: false}
                    nodes:
                      n1: {exists: false}
                """);
        assertThat(r.results()).hasSize(3).allMatch(SimulationReport.Result::pass);
    }
}
