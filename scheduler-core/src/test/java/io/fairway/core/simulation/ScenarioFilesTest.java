package io.fairway.core.simulation;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every shipped scenario ({@code scenarios/*.yaml}) passes through the core alone, so that a core change sees its
 * scenarios without building the cli (whose {@code ScenariosTest} runs them through {@code fairway simulate}).
 */
class ScenarioFilesTest {
    static Path scenariosDir() {
        for (Path candidate : List.of(Path.of("../scenarios"), Path.of("scenarios"))) {
            if (Files.isDirectory(candidate)) {
                return candidate.toAbsolutePath().normalize();
            }
        }
        throw new IllegalStateException("no scenarios directory next to " + Path.of("").toAbsolutePath());
    }

    @TestFactory
    Stream<DynamicTest> everyScenarioPasses() throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(scenariosDir())) {
            files = s.filter(p -> p.getFileName().toString().endsWith(".yaml")).sorted().toList();
        }
        assertThat(files).isNotEmpty();
        return files.stream().map(file -> DynamicTest.dynamicTest(file.getFileName().toString(), () -> {
            SimulationReport report = Simulator.run(ScenarioParser.parse(Files.readString(file, StandardCharsets.UTF_8)),
                    false);
            String failures = report.results().stream().filter(r -> !r.pass())
                    .map(r -> "at " + ScenarioParser.format(r.at()) + " " + r.kind() + " " + r.name() + " (line "
                            + r.line() + "): " + r.checks().stream().filter(c -> !c.pass())
                            .map(c -> c.key() + " expected " + c.expected() + ", actual " + c.actual())
                            .collect(Collectors.joining("; ")))
                    .collect(Collectors.joining("\n"));
            assertThat(failures).as("%s; notes: %s", file.getFileName(), report.notes()).isEmpty();
            assertThat(report.results()).as("%s has expectations", file.getFileName()).isNotEmpty();
        }));
    }
}
