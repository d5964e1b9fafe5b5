package io.fairway.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every shipped scenario ({@code scenarios/*.yaml} at the repository root) must pass through the real core, and
 * {@code fairway simulate} must report failures, bad files, JSON and traces as documented in docs/scenarios.md.
 */
class ScenariosTest {
    private static CliRun simulate(String... args) {
        String[] full = new String[args.length + 1];
        full[0] = "simulate";
        System.arraycopy(args, 0, full, 1, args.length);
        return CliRun.of(full);
    }

    /** Maven runs the cli tests in {@code cli/}; an IDE may run them at the repository root. */
    static Path scenariosDir() {
        for (Path candidate : List.of(Path.of("../scenarios"), Path.of("scenarios"))) {
            if (Files.isDirectory(candidate)) {
                return candidate.toAbsolutePath().normalize();
            }
        }
        throw new IllegalStateException("no scenarios directory next to " + Path.of("").toAbsolutePath()
                + " (looked for ../scenarios and scenarios)");
    }

    private static Path bad(String name) {
        URL url = ScenariosTest.class.getResource("/scenarios-bad/" + name);
        if (url == null) {
            throw new IllegalStateException("test resource scenarios-bad/" + name + " is missing");
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @TestFactory
    Stream<DynamicTest> everyShippedScenarioPasses() throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(scenariosDir())) {
            files = s.filter(p -> p.getFileName().toString().endsWith(".yaml")).sorted().toList();
        }
        if (files.isEmpty()) {
            fail("no scenario files in " + scenariosDir());
        }
        return files.stream().map(file -> DynamicTest.dynamicTest(file.getFileName().toString(), file.toUri(), () -> {
            CliRun run = simulate(file.toString());
            assertThat(run.exit()).as("fairway simulate %s%n%s", file, run.all()).isZero();
            assertThat(run.out()).as("fairway simulate %s%n%s", file, run.all()).contains("PASSED").doesNotContain("FAIL ");
        }));
    }

    @Test
    void failingExpectationExitsOneAndShowsExpectedAndActual() {
        Path file = bad("failing-expectation.yaml");
        CliRun run = simulate(file.toString());
        assertThat(run.exit()).as(run.all()).isEqualTo(1);
        assertThat(run.out()).as(run.all())
                .contains("FAIL at 0s app app-a: running: expected 3, actual 2 pending: expected 1, actual 2")
                .contains("PASS at 0s node node-0: pods=2")
                .contains("FAILED: 2 expectation(s), 1 failed");
    }

    @Test
    void unknownKeyExitsTwoAndNamesTheLine() {
        Path file = bad("unknown-key.yaml");
        CliRun run = simulate(file.toString());
        assertThat(run.exit()).as(run.all()).isEqualTo(2);
        assertThat(run.err()).as(run.all())
                .contains(file + ": line 11: unknown key 'pod' in steps[0].submit[0]")
                .contains("allowed: ")
                .contains("pods");
        assertThat(run.out()).as(run.all()).doesNotContain("PASSED");
    }

    @Test
    void badFileDoesNotStopTheOthersButSetsTheExitCode() {
        Path good = scenariosDir().resolve("fifo-order.yaml");
        CliRun run = simulate(bad("unknown-key.yaml").toString(), good.toString());
        assertThat(run.exit()).as(run.all()).isEqualTo(2);
        assertThat(run.out()).as(run.all()).contains("scenario fifo-order", "PASSED");
    }

    @Test
    void missingFileExitsTwo() {
        CliRun run = simulate(scenariosDir().resolve("no-such-scenario.yaml").toString());
        assertThat(run.exit()).as(run.all()).isEqualTo(2);
        assertThat(run.err()).as(run.all()).contains("no-such-scenario.yaml: cannot read");
    }

    @Test
    void jsonOutputParsesAndCarriesActualValues() throws IOException {
        CliRun run = simulate("--json", bad("failing-expectation.yaml").toString());
        assertThat(run.exit()).as(run.all()).isEqualTo(1);
        JsonNode root = new ObjectMapper().readTree(run.out());
        assertThat(root.path("passed").isBoolean()).as(run.all()).isTrue();
        assertThat(root.path("passed").booleanValue()).isFalse();
        JsonNode scenario = root.path("scenarios").path(0);
        assertThat(scenario.path("scenario").asText()).isEqualTo("failing-expectation");
        assertThat(scenario.path("passed").booleanValue()).isFalse();
        JsonNode results = scenario.path("results");
        assertThat(results.isArray()).as(run.all()).isTrue();
        assertThat(results).hasSize(2);
        JsonNode app = results.path(0);
        assertThat(app.path("kind").asText()).isEqualTo("app");
        assertThat(app.path("name").asText()).isEqualTo("app-a");
        assertThat(app.path("pass").booleanValue()).isFalse();
        JsonNode running = app.path("checks").path(0);
        assertThat(running.path("key").asText()).isEqualTo("running");
        assertThat(running.path("expected").asText()).isEqualTo("3");
        assertThat(running.path("actual").asText()).isEqualTo("2");
        assertThat(running.path("pass").booleanValue()).isFalse();
        for (JsonNode result : results) {
            for (JsonNode check : result.path("checks")) {
                assertThat(check.has("actual")).as("check %s has actual", check).isTrue();
            }
        }
        assertThat(scenario.has("trace")).as("no trace without --trace").isFalse();
    }

    @Test
    void jsonOfPassingScenario() throws IOException {
        CliRun run = simulate("--json", scenariosDir().resolve("fifo-order.yaml").toString());
        assertThat(run.exit()).as(run.all()).isZero();
        JsonNode root = new ObjectMapper().readTree(run.out());
        assertThat(root.path("passed").booleanValue()).as(run.all()).isTrue();
        assertThat(root.path("scenarios").path(0).path("results").size()).isPositive();
        assertThat(root.path("scenarios").path(0).path("allocations").asLong()).isPositive();
    }

    @Test
    void jsonReportsUnreadableScenario() throws IOException {
        CliRun run = simulate("--json", bad("unknown-key.yaml").toString());
        assertThat(run.exit()).as(run.all()).isEqualTo(2);
        JsonNode root = new ObjectMapper().readTree(run.out());
        assertThat(root.path("passed").booleanValue()).isFalse();
        assertThat(root.path("scenarios").path(0).path("error").asText()).contains("line 11", "unknown key 'pod'");
    }

    @Test
    void tracePrintsDecisions() {
        CliRun run = simulate("--trace", bad("failing-expectation.yaml").toString());
        assertThat(run.exit()).as(run.all()).isEqualTo(1);
        assertThat(run.out()).as(run.all())
                .contains("Allocated default/app-a-0 -> node-0 (root.default)")
                .contains("Unschedulable default/app-a-2: 0/1 nodes are available: 1 Insufficient cpu.");
    }

    @Test
    void withoutTraceThereAreNoDecisionLines() {
        CliRun run = simulate(bad("failing-expectation.yaml").toString());
        assertThat(run.out()).as(run.all()).doesNotContain("Allocated ");
    }
}
