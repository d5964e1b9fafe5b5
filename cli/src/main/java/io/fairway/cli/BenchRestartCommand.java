package io.fairway.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fairway.cli.bench.RestartBenchmark;
import io.fairway.store.Recovery;
import io.fairway.testsupport.EmbeddedKafka;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code fairway bench restart}: a replica with a large store started again, timed part by part. */
@Command(name = "restart", mixinStandardHelpOptions = true,
        description = {"Writes the log of a large cluster to Kafka (nodes, pods observed, placed by a real scheduler and "
                + "seen bound), lets a replica build its store from it and stop, then times its restart: opening the "
                + "log, opening and loading the store (hash checked), catching up. The JVM's own start comes on top. "
                + "Without --kafka an embedded broker is started."})
final class BenchRestartCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--nodes", defaultValue = "5000", description = "Nodes (default ${DEFAULT-VALUE}).")
    int nodes;

    @Option(names = "--pods", defaultValue = "100000", description = "Pods (default ${DEFAULT-VALUE}).")
    int pods;

    @Option(names = "--seed", defaultValue = "1", description = "Random seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--kafka", paramLabel = "HOST:PORT", description = "Use this broker instead of an embedded one.")
    String kafka;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (nodes < 1 || pods < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--nodes and --pods must be at least 1, not "
                    + nodes + " and " + pods);
        }
        EmbeddedKafka broker = kafka == null ? EmbeddedKafka.start() : null;
        RestartBenchmark.Result r;
        try {
            r = RestartBenchmark.run(kafka != null ? kafka : broker.bootstrapServers(), nodes, pods, seed);
        } finally {
            if (broker != null) {
                broker.close();
            }
        }
        print(spec.commandLine().getOut(), r);
        return r.hashMatches() ? 0 : 1;
    }

    private void print(PrintWriter out, RestartBenchmark.Result r) throws Exception {
        Recovery rec = r.recovery();
        double storeMiB = r.storeBytes() / 1048576.0;
        double per100k = r.pods() == 0 ? 0 : 100_000.0 / r.pods();
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("restartSeconds", BenchCommand.round(r.restartSeconds()));
            m.put("openLogSeconds", BenchCommand.round(r.openLogSeconds()));
            m.put("loadSeconds", BenchCommand.round(rec.loadSeconds()));
            m.put("catchUpSeconds", BenchCommand.round(rec.catchUpSeconds()));
            m.put("source", rec.source().name());
            m.put("events", r.events());
            m.put("nodes", r.nodes());
            m.put("pods", r.pods());
            m.put("storeMiB", BenchCommand.round(storeMiB));
            m.put("liveHeapMiB", r.liveHeapBytes() >> 20);
            m.put("storeMiBPer100kPods", BenchCommand.round(storeMiB * per100k));
            m.put("liveHeapMiBPer100kPods", BenchCommand.round((r.liveHeapBytes() >> 20) * per100k));
            m.put("buildSeconds", BenchCommand.round(r.buildSeconds()));
            m.put("hashMatchesLeader", r.hashMatches());
            out.println(new ObjectMapper().writeValueAsString(m));
        } else {
            out.printf(Locale.ROOT, "fairway bench restart: %,d nodes, %,d pods; a store of %,d events, %.1f MiB on disk "
                    + "(built from the whole log in %.1f s)%n", r.nodes(), r.pods(), r.events(), storeMiB,
                    r.buildSeconds());
            out.printf(Locale.ROOT, "  restart (JVM already running): %.2f s = open the log %.2f s + open and load the "
                    + "store %.2f s + catch up %.2f s (%d events, from the %s)%n", r.restartSeconds(), r.openLogSeconds(),
                    rec.loadSeconds(), rec.catchUpSeconds(), rec.events(), rec.source().name().toLowerCase(Locale.ROOT));
            out.printf(Locale.ROOT, "  live heap after a full GC: %,d MiB (this process, the embedded broker "
                    + "included); per 100,000 pods: store %.1f MiB, heap %.0f MiB%n", r.liveHeapBytes() >> 20,
                    storeMiB * per100k, (r.liveHeapBytes() >> 20) * per100k);
            out.printf("  restarted state %s the leader's%n", r.hashMatches() ? "equals" : "DIFFERS FROM");
        }
        out.flush();
    }
}
