package io.fairway.chaos;

import io.fairway.chaos.faults.FaultKind;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A chaos run: which suite, how long, its seed (the fault schedule follows from it), which fault kinds, where it works.
 *
 * @param suite         {@code soak}: faults in seeded order until the duration is up; {@code smoke}: every kind
 *                      once, in seeded order
 * @param keep          keep the work directory (logs of every process, the API server's history) after the run
 * @param testcontainers brokers as Testcontainers containers where a Docker engine is present ({@code --kafka
 *                      testcontainers}, or {@code -Dfairway.chaos.kafka=testcontainers} in tests)
 */
public record ChaosOptions(String suite, Duration duration, long seed, List<FaultKind> faults, Path workDir,
                           boolean keep, double appsPerMinute, int replicas, int nodes,
                           boolean testcontainers) {
    public static final List<String> SUITES = List.of("soak", "smoke");

    public ChaosOptions {
        if (!SUITES.contains(suite)) {
            throw new IllegalArgumentException("unknown suite '" + suite + "'; suites: " + SUITES);
        }
        if (faults.isEmpty()) {
            throw new IllegalArgumentException("no fault kind chosen; `fairway chaos --list` names them");
        }
        if (replicas < 2) {
            throw new IllegalArgumentException("a chaos run needs at least 2 replicas (one to fail over to), not "
                    + replicas);
        }
        faults = List.copyOf(faults);
    }

    public static ChaosOptions defaults(Path workDir) {
        return new ChaosOptions("soak", Duration.ofMinutes(10), 1, List.of(FaultKind.values()), workDir, false, 20,
                3, 20, "testcontainers".equals(System.getProperty("fairway.chaos.kafka")));
    }

    public ChaosOptions withSuite(String s) {
        return new ChaosOptions(s, duration, seed, faults, workDir, keep, appsPerMinute, replicas, nodes, testcontainers);
    }

    public ChaosOptions withDuration(Duration d) {
        return new ChaosOptions(suite, d, seed, faults, workDir, keep, appsPerMinute, replicas, nodes, testcontainers);
    }

    public ChaosOptions withSeed(long s) {
        return new ChaosOptions(suite, duration, s, faults, workDir, keep, appsPerMinute, replicas, nodes, testcontainers);
    }

    public ChaosOptions withFaults(List<FaultKind> f) {
        return new ChaosOptions(suite, duration, seed, f, workDir, keep, appsPerMinute, replicas, nodes, testcontainers);
    }

    public ChaosOptions withTestcontainers(boolean t) {
        return new ChaosOptions(suite, duration, seed, faults, workDir, keep, appsPerMinute, replicas, nodes, t);
    }

    public ChaosOptions withWorkDir(Path dir) {
        return new ChaosOptions(suite, duration, seed, faults, dir, keep, appsPerMinute, replicas, nodes, testcontainers);
    }

    public ChaosOptions withKeep(boolean k) {
        return new ChaosOptions(suite, duration, seed, faults, workDir, k, appsPerMinute, replicas, nodes, testcontainers);
    }
}
