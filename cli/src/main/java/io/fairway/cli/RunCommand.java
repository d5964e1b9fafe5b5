package io.fairway.cli;

import io.fairway.ha.RunSettings;
import io.fairway.server.FairwayServer;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code fairway run}: one replica of the production scheduler. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Runs one scheduler replica against a Kubernetes cluster and Kafka. Run two or more: one leads "
                + "(elected by a Lease), the others follow the log and take over within seconds. Every setting comes "
                + "from (lowest first) its default, the --config YAML file, FAIRWAY_* environment variables and these "
                + "options; `fairway run --list-settings` lists them. SIGTERM steps down and releases the lease."})
public final class RunCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", description = "Settings file (YAML).")
    Path config;

    @Option(names = "--kafka", paramLabel = "HOST:PORT[,…]", description = "kafka.bootstrapServers")
    String kafka;

    @Option(names = "--kubeconfig", paramLabel = "FILE", description = "kubernetes.kubeconfig")
    String kubeconfig;

    @Option(names = "--replica", paramLabel = "NAME", description = "replica")
    String replica;

    @Option(names = "--data", paramLabel = "DIR", description = "dataDir")
    String data;

    @Option(names = "--health-port", paramLabel = "PORT", description = "health.port")
    String healthPort;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Any setting, e.g. --set election.leaseDuration=3s.")
    List<String> sets = List.of();

    @Option(names = "--list-settings", description = "Print every setting with its environment variable and default.")
    boolean list;

    @Override
    public Integer call() throws InterruptedException {
        long runAt = System.currentTimeMillis();
        PrintWriter out = spec.commandLine().getOut();
        if (list) {
            for (RunSettings.Setting s : RunSettings.SETTINGS) {
                out.printf("%-28s %-40s default %-24s %s%n", s.key(), s.env(),
                        s.defaultValue().isEmpty() ? "-" : s.defaultValue(), s.description());
            }
            out.flush();
            return 0;
        }
        if (config != null && !Files.isRegularFile(config)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--config " + config + " is not a file");
        }
        Map<String, String> overrides = new LinkedHashMap<>();
        put(overrides, "kafka.bootstrapServers", kafka);
        put(overrides, "kubernetes.kubeconfig", kubeconfig);
        put(overrides, "replica", replica);
        put(overrides, "dataDir", data);
        put(overrides, "health.port", healthPort);
        for (String kv : sets) {
            int eq = kv.indexOf('=');
            if (eq <= 0) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--set " + kv + " is not KEY=VALUE");
            }
            overrides.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        RunSettings settings = RunSettings.load(config, System.getenv(), overrides);
        CountDownLatch stopped = new CountDownLatch(1);
        FairwayServer server = FairwayServer.start(settings);
        out.printf("fairway run: replica %s started; health on port %d; SIGTERM or Ctrl-C stops it%n",
                settings.replica(), server.health().port());
        // for bench restart, which times a start from the process's: when the JVM and main began, then each step
        out.printf(Locale.ROOT, "fairway run: start-up jvmStartMillis=%d mainAtMillis=%d runAtMillis=%d "
                + "startedAtMillis=%d %s%n", ManagementFactory.getRuntimeMXBean().getStartTime(), Fairway.mainAtMillis,
                runAt, System.currentTimeMillis(),
                server.startup().pairs());
        out.flush();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                server.close();
            } finally {
                stopped.countDown();
            }
        }, "fairway-shutdown"));
        // runs until the JVM is asked to stop; the hook steps down, releases the lease and closes everything
        while (!stopped.await(1, TimeUnit.SECONDS)) {
            if (server.replica().failure() != null) {
                spec.commandLine().getErr().println("fairway run: the replica failed: "
                        + server.replica().failure().getMessage());
                return 4;
            }
        }
        return 0;
    }

    private static void put(Map<String, String> m, String key, String value) {
        if (value != null) {
            m.put(key, value);
        }
    }
}
