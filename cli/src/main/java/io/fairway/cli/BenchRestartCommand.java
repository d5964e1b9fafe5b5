package io.fairway.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fairway.cli.bench.ProcessRestart;
import io.fairway.cli.bench.RestartBenchmark;
import io.fairway.store.Recovery;
import io.fairway.testsupport.EmbeddedKafka;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
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
                + "log, opening and loading the store (hash checked), catching up; then starts `fairway run` as a process "
                + "on that store and times it from its start to its first /readyz 200, the JVM's start included. "
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

    @Option(names = "--process", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Also start `fairway run` as a process of its own on the store, against the Kafka log and a "
                    + "local API server holding the nodes and pods, and time it from its start to its first /readyz "
                    + "200 (default on; --no-process times the restart in this JVM only).")
    boolean process;

    @Option(names = "--process-runs", defaultValue = "3", paramLabel = "N",
            description = "Starts of the `fairway run` process, one after the other on the same store; the median is "
                    + "reported (default ${DEFAULT-VALUE}).")
    int processRuns;

    @Option(names = "--process-jvm-option", paramLabel = "FLAG",
            description = "A JVM flag for the `fairway run` process, after this JVM's own (repeatable), e.g. "
                    + "-XX:StartFlightRecording=filename=run.jfr.")
    List<String> processJvmOptions = new ArrayList<>();

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (process && processRuns < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--process-runs must be at least 1, not "
                    + processRuns + " (--no-process skips the process)");
        }
        if (nodes < 1 || pods < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--nodes and --pods must be at least 1, not "
                    + nodes + " and " + pods);
        }
        EmbeddedKafka broker = kafka == null ? EmbeddedKafka.start() : null;
        RestartBenchmark.Result r;
        try {
            r = RestartBenchmark.run(kafka != null ? kafka : broker.bootstrapServers(), nodes, pods, seed,
                    process ? new RestartBenchmark.ProcessRuns(processRuns, List.copyOf(processJvmOptions))
                            : RestartBenchmark.ProcessRuns.NONE);
        } finally {
            if (broker != null) {
                broker.close();
            }
        }
        print(spec.commandLine().getOut(), r);
        return r.hashMatches() && r.join().hashMatches() ? 0 : 1;
    }

    private static ProcessRestart.Run median(List<ProcessRestart.Run> runs) {
        List<ProcessRestart.Run> sorted = new ArrayList<>(runs);
        sorted.sort(Comparator.comparingDouble(ProcessRestart.Run::readySeconds));
        return sorted.get(sorted.size() / 2);
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
            RestartBenchmark.Join j = r.join();
            Map<String, Object> join = new LinkedHashMap<>();
            join.put("seconds", BenchCommand.round(j.seconds()));
            join.put("archiveSeconds", BenchCommand.round(j.archiveSeconds()));
            join.put("archiveMiB", BenchCommand.round(j.archiveBytes() / 1048576.0));
            join.put("loadSeconds", BenchCommand.round(j.recovery().loadSeconds()));
            join.put("catchUpSeconds", BenchCommand.round(j.recovery().catchUpSeconds()));
            join.put("source", j.recovery().source().name());
            join.put("hashMatchesLeader", j.hashMatches());
            m.put("joinFromPeer", join);
            if (!r.processRuns().isEmpty()) {
                ProcessRestart.Run median = median(r.processRuns());
                Map<String, Object> p = new LinkedHashMap<>();
                p.put("readySeconds", BenchCommand.round(median.readySeconds()));
                p.put("runs", r.processRuns().stream().map(x -> BenchCommand.round(x.readySeconds())).toList());
                Map<String, Object> split = new LinkedHashMap<>();
                median.split().forEach((k, v) -> split.put(k + "Seconds", BenchCommand.round(v)));
                p.put("split", split);
                p.put("informersSeconds", BenchCommand.round(median.informersSeconds()));
                p.put("listedSeconds", BenchCommand.round(median.listedSeconds()));
                p.put("liveHeapMiB", median.liveHeapBytes() < 0 ? -1 : median.liveHeapBytes() >> 20);
                p.put("liveHeapMiBPer100kPods", median.liveHeapBytes() < 0 ? -1
                        : BenchCommand.round((median.liveHeapBytes() >> 20) * per100k));
                m.put("process", p);
            }
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
            RestartBenchmark.Join j = r.join();
            out.printf(Locale.ROOT, "  a new replica from this one's snapshot (archive through memory, no network): "
                    + "%.2f s = manifest and archive %.2f s (%.1f MiB) + unpack, check and load %.2f s + catch up "
                    + "%.2f s; its state %s the leader's%n", j.seconds(), j.archiveSeconds(),
                    j.archiveBytes() / 1048576.0, j.recovery().loadSeconds(), j.recovery().catchUpSeconds(),
                    j.hashMatches() ? "equals" : "DIFFERS FROM");
            if (!r.processRuns().isEmpty()) {
                ProcessRestart.Run median = median(r.processRuns());
                StringBuilder split = new StringBuilder();
                median.split().forEach((k, v) -> split.append(split.isEmpty() ? "" : " + ")
                        .append(String.format(Locale.ROOT, "%s %.2f", k, v)));
                out.printf(Locale.ROOT, "  restart of `fairway run` as a process, from its start to /readyz 200: "
                        + "%.2f s (median of %s s) = %s%n",
                        median.readySeconds(), r.processRuns().stream()
                                .map(x -> String.format(Locale.ROOT, "%.2f", x.readySeconds())).toList(), split);
                out.printf(Locale.ROOT, "  its informers' first lists done %.2f s after its start (they took %.2f s, "
                        + "after the store's load): from then on it competes for the lease%n", median.listedSeconds(),
                        median.informersSeconds());
                out.printf(Locale.ROOT, "  its live heap after a full GC, informers listed: %,d MiB; per 100,000 pods "
                        + "%.0f MiB%n",
                        median.liveHeapBytes() >> 20, (median.liveHeapBytes() >> 20) * per100k);
            }
        }
        out.flush();
    }
}
