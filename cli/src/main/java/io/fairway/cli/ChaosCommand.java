package io.fairway.cli;

import io.fairway.chaos.ChaosOptions;
import io.fairway.chaos.ChaosReport;
import io.fairway.chaos.ChaosRun;
import io.fairway.chaos.SabotageRun;
import io.fairway.chaos.check.InvariantChecker;
import io.fairway.chaos.faults.FaultKind;
import io.fairway.chaos.kafka.TestcontainersKafka;
import io.fairway.chaos.replica.Sabotage;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code fairway chaos}: break the system under test on purpose and show that nothing was lost. */
@Command(name = "chaos", mixinStandardHelpOptions = true,
        description = {"Runs Fairway as separate processes (three replicas, three KRaft brokers, the local API server, "
                + "simulated kubelets, a multi-tenant workload), injects faults one after the other — processes "
                + "killed, stopped and starved, brokers and the API server down, connections cut, slowed and reset, "
                + "stores deleted — and checks from outside (the API server's request history, the log's raw records) "
                + "that no pod was lost or bound twice, no node or queue overfilled, no deposed leader acted. The same "
                + "seed gives the same fault schedule. Exit code 0 when every invariant held, 1 otherwise. "
                + "`fairway chaos --list` names every suite, fault kind and invariant; see docs/chaos.md."})
public final class ChaosCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(arity = "0..1", paramLabel = "SUITE", defaultValue = "soak",
            description = "soak (faults in seeded order for --duration), smoke (every fault kind once) or sabotage "
                    + "(plant known bugs and show the checker reports each); default ${DEFAULT-VALUE}.")
    String suite;

    @Option(names = "--duration", defaultValue = "10m", description = "How long soak injects faults (default ${DEFAULT-VALUE}).")
    String duration;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the fault schedule, the fleet and the workload (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--faults", paramLabel = "KIND,…", description = "Only these fault kinds (default: all).")
    String faults;

    @Option(names = "--sabotage", paramLabel = "KIND,…", description = "For the sabotage suite: only these planted bugs (default: all).")
    String sabotage;

    @Option(names = "--json", description = "Print the report as JSON.")
    boolean json;

    @Option(names = "--report", paramLabel = "FILE", description = "Also write the JSON report to FILE.")
    Path report;

    @Option(names = "--kafka", defaultValue = "processes", paramLabel = "processes|testcontainers",
            description = "The brokers: three processes (default), or Testcontainers Kafka containers behind Toxiproxy "
                    + "where a Docker engine is present (else the processes, and the run says so).")
    String kafka;

    @Option(names = "--keep", description = "Keep the work directory (every process's log, the API server's history).")
    boolean keep;

    @Option(names = "--list", description = "Name every suite, fault kind, invariant and planted bug, and exit.")
    boolean list;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (list) {
            list(out);
            return 0;
        }
        PrintWriter progress = json ? spec.commandLine().getErr() : out;
        ChaosOptions options;
        List<Sabotage> bugs;
        if (!List.of("processes", "testcontainers").contains(kafka)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--kafka " + kafka
                    + " is neither processes nor testcontainers");
        }
        if (kafka.equals("testcontainers") && !TestcontainersKafka.available()) {
            progress.println("chaos: " + TestcontainersKafka.whyNot());
        }
        if (!List.of("soak", "smoke", "sabotage").contains(suite)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "unknown suite '" + suite
                    + "'; suites: soak, smoke, sabotage (`fairway chaos --list` says what each does)");
        }
        try {
            bugs = sabotage == null ? List.of(Sabotage.values())
                    : Arrays.stream(sabotage.split(",")).map(Sabotage::parse).toList();
            options = ChaosOptions.defaults(Path.of(".")).withSuite(suite.equals("sabotage") ? "soak" : suite)
                    .withDuration(DemoCommand.duration(duration, "--duration")).withSeed(seed).withKeep(keep)
                    .withTestcontainers(kafka.equals("testcontainers"))
                    .withFaults(faults == null ? List.of(FaultKind.values()) : FaultKind.parseList(faults));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        Path work = Files.createTempDirectory("fairway-chaos-");
        if (suite.equals("sabotage")) {
            SabotageRun.Result r = new SabotageRun(work, bugs, keep, progress).run();
            r.print(out);
            return r.passed() ? 0 : 1;
        }
        ChaosReport r = new ChaosRun(options.withWorkDir(work), progress).run();
        if (json) {
            out.println(r.json());
        } else {
            r.print(out);
        }
        if (report != null) {
            Files.writeString(report, r.json());
        }
        if (keep) {
            progress.println("chaos: the work directory is kept: " + work);
        }
        out.flush();
        return r.passed() ? 0 : 1;
    }

    private static void list(PrintWriter out) {
        out.println("suites:");
        out.println("  soak       faults in seeded order until --duration is up");
        out.println("  smoke      every fault kind once, in seeded order");
        out.println("  sabotage   plant known bugs one at a time; the checker must report each");
        out.println("fault kinds:");
        for (FaultKind k : FaultKind.values()) {
            out.printf("  %-28s %s%n", k.label(), k.what());
        }
        out.println("invariants:");
        InvariantChecker.INVARIANTS.forEach((k, v) -> out.printf("  %-28s %s%n", k, v));
        out.println("planted bugs (sabotage):");
        for (Sabotage s : Sabotage.values()) {
            out.printf("  %-28s %s (caught by %s)%n", s.label(), s.what(), s.caughtBy());
        }
        out.flush();
    }
}
