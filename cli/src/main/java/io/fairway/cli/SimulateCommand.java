package io.fairway.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.fairway.core.simulation.Scenario;
import io.fairway.core.simulation.ScenarioException;
import io.fairway.core.simulation.ScenarioParser;
import io.fairway.core.simulation.SimulationReport;
import io.fairway.core.simulation.Simulator;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code fairway simulate FILE…}: runs scenario files through the real core on a virtual clock. */
@Command(name = "simulate", mixinStandardHelpOptions = true,
        description = {"Runs scenario files (queue config, nodes, timed submissions, expectations) through the real "
                + "scheduling core on a virtual clock and checks the expectations.",
                "Exit code: 0 all expectations pass, 1 some fail, 2 a file cannot be read or run."})
public final class SimulateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "Scenario files (see docs/scenarios.md).")
    List<Path> files;

    @Option(names = "--json", description = "Print the results as one JSON document.")
    boolean json;

    @Option(names = "--trace", description = "Print every decision and step as it happens.")
    boolean trace;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        int exit = 0;
        List<Map<String, Object>> jsonRuns = new ArrayList<>();
        for (Path file : files) {
            SimulationReport report;
            try {
                Scenario scenario = ScenarioParser.parse(Files.readString(file, StandardCharsets.UTF_8));
                report = Simulator.run(scenario, trace);
            } catch (ScenarioException e) {
                exit = 2;
                error(err, jsonRuns, file, e.getMessage());
                continue;
            } catch (IOException e) {
                exit = 2;
                error(err, jsonRuns, file, "cannot read: " + e);
                continue;
            } catch (RuntimeException e) {
                // A bug of ours, not of the file: say so, with the trace, and go on with the other files.
                exit = 2;
                error(err, jsonRuns, file, "internal error while running the scenario: " + e);
                e.printStackTrace(err);
                continue;
            }
            if (!report.passed() && exit == 0) {
                exit = 1;
            }
            if (json) {
                jsonRuns.add(toJson(file, report));
            } else {
                print(out, file, report);
            }
        }
        if (json) {
            ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            out.println(mapper.writeValueAsString(Map.of("passed", exit == 0, "scenarios", jsonRuns)));
        }
        out.flush();
        err.flush();
        return exit;
    }

    private void error(PrintWriter err, List<Map<String, Object>> jsonRuns, Path file, String message) {
        err.println(file + ": " + message);
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("file", file.toString());
            m.put("passed", false);
            m.put("error", message);
            jsonRuns.add(m);
        }
    }

    private void print(PrintWriter out, Path file, SimulationReport report) {
        out.println("scenario " + report.scenario() + " (" + file + ")");
        report.trace().forEach(line -> out.println("  " + line));
        if (!trace) {
            report.notes().forEach(n -> out.println("  note " + n));
        }
        for (SimulationReport.Result r : report.results()) {
            String checks = r.checks().stream().map(c -> c.pass()
                            ? c.key() + "=" + c.actual()
                            : c.key() + ": expected " + c.expected() + ", actual " + c.actual())
                    .collect(Collectors.joining(" "));
            out.printf("  %s at %s %s %s: %s (line %d)%n", r.pass() ? "PASS" : "FAIL",
                    ScenarioParser.format(r.at()), r.kind(), r.name(), checks, r.line());
        }
        long failed = report.results().stream().filter(r -> !r.pass()).count();
        out.printf("  %s: %d expectation(s), %d failed; %d decisions, %d allocations in %d cycles%n",
                failed == 0 ? "PASSED" : "FAILED", report.results().size(), failed, report.decisions(),
                report.allocations(), report.cycles());
    }

    private static Map<String, Object> toJson(Path file, SimulationReport report) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("file", file.toString());
        m.put("scenario", report.scenario());
        m.put("passed", report.passed());
        List<Map<String, Object>> results = new ArrayList<>();
        for (SimulationReport.Result r : report.results()) {
            Map<String, Object> rm = new LinkedHashMap<>();
            rm.put("at", ScenarioParser.format(r.at()));
            rm.put("line", r.line());
            rm.put("kind", r.kind());
            rm.put("name", r.name());
            rm.put("pass", r.pass());
            rm.put("checks", r.checks());
            results.add(rm);
        }
        m.put("results", results);
        m.put("notes", report.notes());
        if (!report.trace().isEmpty()) {
            m.put("trace", report.trace());
        }
        m.put("decisions", report.decisions());
        m.put("allocations", report.allocations());
        m.put("cycles", report.cycles());
        return m;
    }
}
