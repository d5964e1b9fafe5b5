package io.fairway.sandbox;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line of a {@code fairway run} replica as its own JVM, on this JVM's class path, for the benchmarks that
 * run replicas as processes beside a single embedded Kafka broker (replication 1).
 */
final class FairwayRun {
    private FairwayRun() {
    }

    /** {@code mainClass} is the command line's ({@code io.fairway.cli.Fairway}); the health port is any free one. */
    static List<String> command(String mainClass, List<String> jvmOptions, String replica, String kafka,
                                Path kubeconfig, Path dataDir) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                mainClass, "run", "--kafka", kafka, "--kubeconfig", kubeconfig.toString(), "--replica", replica,
                "--data", dataDir.toString(), "--health-port", "0", "--set", "kafka.replicationFactor=1",
                "--set", "kafka.minInsyncReplicas=1"));
        return cmd;
    }
}
