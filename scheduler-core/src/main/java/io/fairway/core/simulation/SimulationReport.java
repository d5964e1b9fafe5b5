package io.fairway.core.simulation;

import java.util.List;

/**
 * The outcome of a scenario run: every expectation with expected and actual values, notes (a config the core
 * rejected…), the decision trace when asked for, and a few counts.
 */
public record SimulationReport(String scenario, List<Result> results, List<String> notes, List<String> trace,
                               long decisions, long allocations, long cycles) {
    public SimulationReport {
        results = List.copyOf(results);
        notes = List.copyOf(notes);
        trace = List.copyOf(trace);
    }

    public boolean passed() {
        return results.stream().allMatch(Result::pass);
    }

    /** One object (app, queue, node, pod) checked at one time. */
    public record Result(long at, int line, String kind, String name, List<Check> checks) {
        public Result {
            checks = List.copyOf(checks);
        }

        public boolean pass() {
            return checks.stream().allMatch(Check::pass);
        }
    }

    public record Check(String key, String expected, String actual, boolean pass) {
    }
}
