package io.fairway.cli;

import io.fairway.sandbox.Demo;
import io.fairway.sandbox.SandboxCluster;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code fairway demo}: the embedded default, everything in this process. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Runs the embedded default: a Kafka broker (KRaft), a local Kubernetes API server, simulated "
                + "nodes with GPUs and FPGAs and their kubelets, the scheduler, and a steady multi-tenant workload "
                + "(Spark-like apps, batch jobs, GPU training). Prints the web console's address, how to point kubectl "
                + "at the API server and replay the log; then, every few seconds from ready, the pods per queue Fairway "
                + "placed their apps in, the leader and its fail-overs; at the end the totals and what to try next. "
                + "Ctrl-C stops everything in order (twice: at once). FAIRWAY_LOG_LEVEL sets the log level (default: "
                + "Fairway's own lines at INFO, the libraries' at WARN)."})
public final class DemoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--nodes", defaultValue = "200", description = "Simulated nodes (default ${DEFAULT-VALUE}).")
    int nodes;

    @Option(names = "--duration", defaultValue = "0s",
            description = "How long to run, e.g. 90s or 10m; 0s runs until Ctrl-C (default ${DEFAULT-VALUE}).")
    String duration;

    @Option(names = "--every", defaultValue = "5s", description = "Summary interval (default ${DEFAULT-VALUE}).")
    String every;

    @Option(names = "--apps-per-minute", defaultValue = "60",
            description = "Applications submitted per minute (default ${DEFAULT-VALUE}).")
    double appsPerMinute;

    @Option(names = "--seed", defaultValue = "1", description = "Fleet and workload seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--replicas", defaultValue = "2",
            description = "Scheduler replicas: one leads, the others stand by (default ${DEFAULT-VALUE}).")
    int replicas;

    @Option(names = "--kill-leader-every", defaultValue = "0s",
            description = "Kill the leader this often, e.g. 30s, as SIGKILL would (no step-down, its lease left to "
                    + "run out) to watch a standby take over; it restarts 5 s later; none in the last 10 s of a run; "
                    + "0s never (default ${DEFAULT-VALUE}).")
    String killLeaderEvery;

    @Option(names = "--console-port", defaultValue = "" + Demo.Options.CONSOLE_PORT,
            description = "Port of the web console on 127.0.0.1; 0 for any free one; a taken port falls back to a "
                    + "free one (default ${DEFAULT-VALUE}).")
    int consolePort;

    @Option(names = "--apiserver", defaultValue = "local", paramLabel = "local|real",
            description = "local: the project's API server in this process (default, starts at once). real: etcd + "
                    + "kube-apiserver as processes, built from their Go modules by scripts/k8s-binaries.sh (the first "
                    + "time about 9 minutes, cached after), RBAC on, the replicas acting as deploy/base's service "
                    + "account.")
    String apiServer;

    @Override
    public Integer call() throws InterruptedException {
        Demo.Options options;
        try {
            options = new Demo.Options(nodes, duration(duration, "--duration"), duration(every, "--every"),
                    appsPerMinute, seed, replicas, duration(killLeaderEvery, "--kill-leader-every"), consolePort,
                    SandboxCluster.ApiServerKind.parse("--apiserver", apiServer));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        PrintWriter out = spec.commandLine().getOut();
        CountDownLatch stop = new CountDownLatch(1);
        CountDownLatch stopped = new CountDownLatch(1);
        AtomicBoolean quitNow = new AtomicBoolean();
        // Ctrl-C and SIGTERM only ask the demo to stop: it then closes everything in order (the clients before the
        // broker and the API server they talk to) and prints its totals. A second one quits at once.
        Runnable restore = StopSignals.install(() -> {
            stop.countDown();
            spec.commandLine().getErr().println("fairway demo: stopping (Ctrl-C again to quit at once)");
            spec.commandLine().getErr().flush();
        }, () -> quitNow.set(true));
        // anything else that ends the JVM (SIGHUP, or signals the JVM keeps) still lets the demo stop in order
        Thread hook = new Thread(() -> {
            stop.countDown();
            try {
                if (!quitNow.get()) {
                    stopped.await(20, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "fairway-demo-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            Demo.run(options, out, stop);
        } finally {
            stopped.countDown();
            restore.run();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // already shutting down
            }
        }
        return 0;
    }

    /** {@code 90s}, {@code 10m}, {@code 1h}, or an ISO-8601 duration. */
    static Duration duration(String text, String option) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        try {
            if (t.matches("\\d+(ms|s|m|h)")) {
                long n = Long.parseLong(t.replaceAll("[a-z]+$", ""));
                return switch (t.replaceAll("^\\d+", "")) {
                    case "ms" -> Duration.ofMillis(n);
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    default -> Duration.ofHours(n);
                };
            }
            return Duration.parse(text.trim().toUpperCase(Locale.ROOT));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(option + " " + text + " is not a duration; write e.g. 90s, 10m or 1h");
        }
    }
}
