package io.fairway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The scripts that build and start a real control plane (scripts/k8s-binaries.sh, scripts/k8s-control-plane.sh),
 * without building: bash parses them, shellcheck finds nothing, --help names every option, and the cache directory
 * follows FAIRWAY_K8S_CACHE and FAIRWAY_K8S_VERSION.
 */
class K8sScriptsTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    private record Run(int exit, String out) {
    }

    private static Run run(List<String> cmd, Map<String, String> env) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(ROOT.toFile()).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), out);
    }

    @ParameterizedTest
    @ValueSource(strings = {"scripts/k8s-binaries.sh", "scripts/k8s-control-plane.sh"})
    void parsesPassesShellcheckAndExplainsItself(String script) throws Exception {
        assertThat(run(List.of("bash", "-n", script), Map.of()).exit()).isZero();
        assertThat(Files.isExecutable(Path.of("/usr/bin/shellcheck")))
                .as("shellcheck is missing: run scripts/shellcheck.sh (./test does)").isTrue();
        Run check = run(List.of("shellcheck", "-x", script), Map.of());
        assertThat(check.exit()).as(check.out()).isZero();
        Run help = run(List.of("bash", script, "--help"), Map.of());
        assertThat(help.exit()).as(help.out()).isZero();
        assertThat(help.out()).contains("usage:");
    }

    @ParameterizedTest
    @ValueSource(strings = {"v1.35.4", "v1.34.3"})
    void theBinariesGoToACacheOutsideTheTreeNamedByVersion(String version) throws Exception {
        Path cache = Files.createTempDirectory("k8s-cache");
        Run r = run(List.of("bash", "scripts/k8s-binaries.sh", "--print-dir"),
                Map.of("FAIRWAY_K8S_CACHE", cache.toString(), "FAIRWAY_K8S_VERSION", version));
        assertThat(r.exit()).as(r.out()).isZero();
        assertThat(r.out().strip()).isEqualTo(cache.resolve(version).resolve("bin").toString());
        assertThat(cache.resolve(version)).doesNotExist();
        Run bad = run(List.of("bash", "scripts/k8s-binaries.sh", "--frobnicate"), Map.of());
        assertThat(bad.exit()).isNotZero();
        assertThat(bad.out()).contains("--frobnicate");
    }

    @Test
    void theTestCommandRunsTheRealApiServerTestsOnlyWhenTheBinariesCouldBeBuilt() throws Exception {
        Run check = run(List.of("shellcheck", "-x", "scripts/k8s-tests.sh"), Map.of());
        assertThat(check.exit()).as(check.out()).isZero();
        String source = "here=$PWD; source scripts/k8s-tests.sh; echo \"args=${k8s_test_args[*]:-}\"";
        Run off = run(List.of("bash", "-c", source), Map.of("FAIRWAY_REAL_APISERVER", "off"));
        assertThat(off.out()).contains("args=\n").contains("do not run");
        // a version the build script refuses stands for a build that fails: a loud warning, no profile
        Run failed = run(List.of("bash", "-c", source), Map.of("FAIRWAY_K8S_VERSION", "latest",
                "FAIRWAY_K8S_CACHE", Files.createTempDirectory("k8s-cache").toString()));
        assertThat(failed.exit()).isZero();
        assertThat(failed.out()).contains("WARNING").contains("do NOT run").contains("args=\n");
    }
}
