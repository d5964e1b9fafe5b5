package io.fairway.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fairway.cli.bench.CoreBenchmark;
import io.fairway.cli.bench.ReplayFootprint;
import io.fairway.cli.bench.SideBySide;
import io.fairway.cli.bench.SyntheticClusterLoader;
import io.fairway.cli.bench.SyntheticLog;
import io.fairway.log.InMemoryEventLog;
import io.fairway.log.kafka.KafkaEventLog;
import io.fairway.log.kafka.KafkaEventLogConfig;
import io.fairway.sandbox.E2eBenchmark;
import io.fairway.sandbox.FailoverBenchmark;
import io.fairway.sandbox.SandboxCluster;
import io.fairway.store.Snapshots;
import io.fairway.store.StateFollower;
import io.fairway.testsupport.EmbeddedKafka;
import io.fairway.core.scheduler.Scheduler;
import io.fairway.core.simulation.Scenario;
import io.fairway.core.simulation.ScenarioException;
import io.fairway.core.simulation.ScenarioParser;
import io.fairway.core.simulation.Simulator;
import io.fairway.core.state.ClusterState;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code fairway bench …}: benchmarks that print figures. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks; each prints its figures.",
        subcommands = {BenchCommand.Core.class, BenchCommand.Replay.class, BenchCommand.E2e.class, BenchCommand.Failover.class,
                BenchCommand.Jmh.class, BenchRestartCommand.class})
public final class BenchCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "replay", mixinStandardHelpOptions = true,
            description = {"Writes a synthetic but realistic log (through a real scheduler) to Kafka, then measures "
                    + "replaying it: read, decode and apply. Without --kafka an embedded broker is started."})
    static final class Replay implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--events", defaultValue = "1000000", description = "About how many events (default ${DEFAULT-VALUE}).")
        long events;

        @Option(names = "--kafka", paramLabel = "HOST:PORT", description = "Use this broker instead of an embedded one.")
        String kafka;

        @Option(names = "--seed", defaultValue = "1", description = "Random seed (default ${DEFAULT-VALUE}).")
        long seed;

        @Option(names = "--in-memory", description = "Use the in-memory log instead of Kafka: decode + apply alone.")
        boolean inMemory;

        @Option(names = "--json", description = "Print one JSON object.")
        boolean json;

        @Option(names = "--explain", defaultValue = "5", description = "Then time `fairway explain --data --kafka` "
                + "for this many random pods the replica still remembers (default ${DEFAULT-VALUE}).")
        int explain;

        @Override
        public Integer call() throws Exception {
            if (inMemory) {
                return inMemory();
            }
            if (events < 1000) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--events must be at least 1000, not " + events);
            }
            PrintWriter out = spec.commandLine().getOut();
            EmbeddedKafka broker = kafka == null ? EmbeddedKafka.start() : null;
            try {
                String servers = kafka != null ? kafka : broker.bootstrapServers();
                String topic = "fairway.bench." + System.currentTimeMillis();
                KafkaEventLogConfig config = KafkaEventLogConfig.of(servers).withTopic(topic);
                long writeStart = System.nanoTime();
                String leaderHash;
                long end;
                try (KafkaEventLog log = KafkaEventLog.open(config)) {
                    // only its hash is kept: the live heap measured below is the replica's alone
                    leaderHash = SyntheticLog.write(log, events, seed).hash();
                    end = log.endOffset();
                }
                double writeSeconds = (System.nanoTime() - writeStart) / 1e9;
                // Timed: a follower starting on an empty data directory reads, decodes, applies and persists the
                // whole log into RocksDB, as a new replica would.
                Path dataDir = Files.createTempDirectory("fairway-bench-replay");
                ClusterState replayed;
                long replayedEvents;
                double seconds;
                double[] explainSeconds;
                double persistSeconds;
                long liveHeap;
                long storeBytes;
                System.gc();
                double cpuSeconds;
                double threadCpuSeconds;
                try (KafkaEventLog log = KafkaEventLog.open(config)) {
                    long cpu0 = ReplayFootprint.processCpuNanos();
                    long threadCpu0 = ReplayFootprint.threadCpuNanos();
                    long t0 = System.nanoTime();
                    try (StateFollower follower = StateFollower.recover(dataDir, log)) {
                        seconds = (System.nanoTime() - t0) / 1e9;
                        cpuSeconds = (ReplayFootprint.processCpuNanos() - cpu0) / 1e9;
                        threadCpuSeconds = (ReplayFootprint.threadCpuNanos() - threadCpu0) / 1e9;
                        persistSeconds = follower.persistingSeconds();
                        replayed = follower.state();
                        replayedEvents = replayed.appliedCount() + replayed.ignoredCount();
                        liveHeap = ReplayFootprint.liveHeapBytes();
                    }
                    storeBytes = ReplayFootprint.bytesUnder(dataDir.resolve(StateFollower.STORE_DIR));
                    explainSeconds = explainTimes(dataDir, servers, topic, replayed);
                } finally {
                    Snapshots.deleteTree(dataDir);
                }
                io.fairway.log.Replay.Result r = new io.fairway.log.Replay.Result(end, replayedEvents, 0, 0, seconds);
                boolean same = replayed.hash().equals(leaderHash);
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("eventsPerSecond", Math.round(r.eventsPerSecond()));
                m.put("events", r.events());
                m.put("seconds", round(r.seconds()));
                m.put("endOffset", end);
                m.put("persistSeconds", round(persistSeconds));
                m.put("cpuSeconds", round(cpuSeconds));
                m.put("replicaThreadCpuSeconds", round(threadCpuSeconds));
                m.put("pods", replayed.pods().size());
                m.put("podTombstones", replayed.tombstones().size());
                m.put("liveHeapMiB", liveHeap >> 20);
                m.put("storeMiB", round(storeBytes / 1048576.0));
                m.put("writeSeconds", round(writeSeconds));
                m.put("persisted", true);
                m.put("hashMatchesLeader", same);
                m.put("topic", topic);
                if (explainSeconds.length > 0) {
                    m.put("explainSecondsMedian", round(explainSeconds[explainSeconds.length / 2]));
                    m.put("explainSecondsMax", round(explainSeconds[explainSeconds.length - 1]));
                }
                if (json) {
                    out.println(new ObjectMapper().writeValueAsString(m));
                } else {
                    out.printf(Locale.ROOT, "fairway bench replay: %d events (log written in %.1f s, to offset %d)%n",
                            r.events(), writeSeconds, end);
                    out.printf(Locale.ROOT, "  read + decode + apply + persist (RocksDB): %.2f s, %,.0f events/s%n",
                            r.seconds(), r.eventsPerSecond());
                    out.printf(Locale.ROOT, "  of which the replica's thread spent writing to the store: %.2f s (%.0f%%); "
                            + "the rest it applies and tells the stories, while other threads read and decode, and "
                            + "encode and write the rows%n", persistSeconds, 100 * persistSeconds / r.seconds());
                    out.printf(Locale.ROOT, "  CPU: %.2f s in all (%,.0f events per CPU second, every thread of this "
                            + "process, the embedded broker's included), %.2f s on the replica's thread%n", cpuSeconds,
                            r.events() / cpuSeconds, threadCpuSeconds);
                    out.printf(Locale.ROOT, "  state at the end: %,d pods, %,d pod tombstones; store %.1f MiB on disk; "
                            + "live heap after a full GC %,d MiB (this process, the embedded broker included)%n", replayed.pods().size(),
                            replayed.tombstones().size(), storeBytes / 1048576.0, liveHeap >> 20);
                    out.printf("  replayed state %s the leader's (hash %s)%n", same ? "equals" : "DIFFERS FROM",
                            replayed.hash().substring(0, 16));
                    if (explainSeconds.length > 0) {
                        out.printf(Locale.ROOT, "  explain POD --data --kafka (%d random pods): median %.3f s, max %.3f s"
                                + "%n", explainSeconds.length, explainSeconds[explainSeconds.length / 2],
                                explainSeconds[explainSeconds.length - 1]);
                    }
                }
                out.flush();
                return same ? 0 : 1;
            } finally {
                if (broker != null) {
                    broker.close();
                }
            }
        }

        /**
         * Runs the explain command in this JVM, as a user would from a shell next to a replica, for random pods the
         * state still knows (alive, or deleted and not yet forgotten); sorted seconds of each.
         */
        private double[] explainTimes(Path dataDir, String servers, String topic, ClusterState state) {
            List<String> known = new ArrayList<>(state.tombstones().keySet());
            state.pods().forEach(p -> known.add(p.uid()));
            Collections.sort(known);
            SplittableRandom rnd = new SplittableRandom(seed);
            double[] out = new double[Math.min(explain, known.size())];
            for (int i = 0; i < out.length; i++) {
                String uid = known.get(rnd.nextInt(known.size()));
                StringWriter text = new StringWriter();
                CommandLine cl = Fairway.commandLine();
                cl.setOut(new PrintWriter(text));
                cl.setErr(new PrintWriter(text));
                long t0 = System.nanoTime();
                int exit = cl.execute("explain", uid, "--data", dataDir.toString(), "--kafka", servers, "--topic", topic);
                out[i] = (System.nanoTime() - t0) / 1e9;
                if (exit != 0) {
                    throw new IllegalStateException("explain " + uid + " failed (exit " + exit + "): " + text);
                }
            }
            Arrays.sort(out);
            return out;
        }

        private int inMemory() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            try (InMemoryEventLog log = new InMemoryEventLog()) {
                ClusterState leader = SyntheticLog.write(log, events, seed);
                ClusterState replayed = new ClusterState();
                System.gc();
                io.fairway.log.Replay.Result r = io.fairway.log.Replay.run(log, replayed, 0,
                        new io.fairway.log.Replay.End(), null, null);
                boolean same = replayed.hash().equals(leader.hash());
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("eventsPerSecond", Math.round(r.eventsPerSecond()));
                m.put("events", r.events());
                m.put("seconds", round(r.seconds()));
                m.put("log", "memory");
                m.put("hashMatchesLeader", same);
                if (json) {
                    out.println(new ObjectMapper().writeValueAsString(m));
                } else {
                    out.printf(Locale.ROOT, "fairway bench replay --in-memory: %d events, decode + apply %.2f s, "
                            + "%,.0f events/s; replayed state %s the leader's%n", r.events(), r.seconds(),
                            r.eventsPerSecond(), same ? "equals" : "DIFFERS FROM");
                }
                out.flush();
                return same ? 0 : 1;
            }
        }
    }

    @Command(name = "failover", mixinStandardHelpOptions = true,
            description = {"Scheduler replicas as separate `fairway run` processes against an embedded Kafka broker and "
                    + "the local API server, a steady stream of pods, and the leader killed with SIGKILL at random "
                    + "moments (then restarted from its store). Measures, for each kill, the time to the first binding "
                    + "by the next leader, split into phases, and checks after the run that every pod is bound once "
                    + "where the log says, no node is over capacity, no queue over its max, and every replica's state "
                    + "equals a replay. --graceful stops the leader with SIGTERM instead; --stress kills nobody and "
                    + "counts leader changes while a CPU hog saturates the machine."})
    static final class Failover implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--replicas", defaultValue = "2", description = "Replica processes (default ${DEFAULT-VALUE}).")
        int replicas;

        @Option(names = "--kills", defaultValue = "20", description = "Leaders killed (default ${DEFAULT-VALUE}).")
        int kills;

        @Option(names = "--nodes", defaultValue = "1000", description = "Nodes (default ${DEFAULT-VALUE}).")
        int nodes;

        @Option(names = "--pods", defaultValue = "20000", description = "Pods over the run (default ${DEFAULT-VALUE}).")
        int pods;

        @Option(names = "--seed", defaultValue = "1", description = "Kill moments and workload (default ${DEFAULT-VALUE}).")
        long seed;

        @Option(names = "--capped-cores", defaultValue = "400", paramLabel = "CORES",
                description = "Max cpu of queue root.tenants.team-a, the queue the check 'no queue over its max' reads "
                        + "(default ${DEFAULT-VALUE}). A third of the pods are team-a's: keep the max below what they ask "
                        + "for, or none waits at it and the check cannot fail (the output says so).")
        long cappedCores;

        @Option(names = "--json", description = "Print one JSON object.")
        boolean json;

        @Option(names = "--apiserver", defaultValue = "local", paramLabel = "local|real",
                description = "local: the project's API server in this process (default). real: etcd + kube-apiserver "
                        + "built from their Go modules (scripts/k8s-binaries.sh), RBAC on, the replicas acting as "
                        + "deploy/base's service account; fail-over times from its audit log.")
        String apiServer;

        @Option(names = "--graceful", description = "Stop the leader with SIGTERM (it steps down and releases the "
                + "lease) instead of killing it: measures the hand-over to the next leader's first binding.")
        boolean graceful;

        @Option(names = "--stress", description = "Kill nobody: run for --duration with a CPU hog (a JVM of its own, "
                + "--hog-threads busy threads) saturating the cores while the pods stream in, and count leader "
                + "changes (every one needless).")
        boolean stress;

        @Option(names = "--duration", defaultValue = "10m", paramLabel = "DURATION",
                description = "How long --stress runs, e.g. 30s or 10m (default ${DEFAULT-VALUE}).")
        String duration;

        @Option(names = "--hog-threads", paramLabel = "N",
                description = "Busy threads of the --stress hog (default: one per core).")
        Integer hogThreads;

        @Option(names = "--set", paramLabel = "KEY=VALUE",
                description = "A `fairway run` setting for every replica, e.g. --set election.leaseDuration=1s.")
        List<String> sets = new ArrayList<>();

        @Option(names = "--replica-java-options", paramLabel = "OPTIONS",
                description = "The replicas' JVM options, space-separated (default: -Xmx1g -XX:+UseZGC).")
        String replicaJavaOptions;

        @Override
        public Integer call() throws Exception {
            FailoverBenchmark.Options o;
            try {
                if (graceful && stress) {
                    throw new IllegalArgumentException("--graceful and --stress do not go together: --stress stops "
                            + "nobody");
                }
                Map<String, String> settings = new LinkedHashMap<>();
                for (String kv : sets) {
                    int eq = kv.indexOf('=');
                    if (eq <= 0) {
                        throw new IllegalArgumentException("--set " + kv + " is not KEY=VALUE");
                    }
                    settings.put(kv.substring(0, eq), kv.substring(eq + 1));
                }
                FailoverBenchmark.Mode mode = stress ? FailoverBenchmark.Mode.STRESS
                        : graceful ? FailoverBenchmark.Mode.GRACEFUL : FailoverBenchmark.Mode.KILL;
                o = new FailoverBenchmark.Options(replicas, kills, nodes, pods, seed,
                        SandboxCluster.ApiServerKind.parse("--apiserver", apiServer), cappedCores)
                        .withMode(mode).withDuration(DemoCommand.duration(duration, "--duration"))
                        .withHogThreads(hogThreads == null ? Runtime.getRuntime().availableProcessors() : hogThreads)
                        .withSettings(settings);
                if (replicaJavaOptions != null) {
                    o = o.withJvmOptions(List.of(replicaJavaOptions.trim().split("\\s+")));
                }
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
            FailoverBenchmark.Result r = FailoverBenchmark.run(o);
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("mode", r.mode().label());
                if (r.stress() != null) {
                    FailoverBenchmark.Stress st = r.stress();
                    m.put("leaderChanges", st.leaderChanges());
                    m.put("leaseTransitions", st.leaseTransitions());
                    m.put("stepDowns", st.stepDowns());
                    m.put("holds", st.holds());
                    m.put("lateRenewals", st.lateRenewals());
                    m.put("renewFailures", st.renewFailures());
                    m.put("maxRenewGapMs", st.maxRenewGapMs());
                    m.put("maxRenewMs", st.maxRenewMs());
                    m.put("gcPauseMaxMs", st.gcPauseMaxMs());
                    m.put("logGiveUps", st.logGiveUps());
                    m.put("stressSeconds", round(st.seconds()));
                    m.put("hogThreads", st.hogThreads());
                    m.put("cpuBusy", round(st.cpuBusy()));
                }
                m.put("settings", o.settings());
                m.put("replicaJavaOptions", o.jvmOptions());
                m.put("phasesMs", r.phaseSummary());
                m.put("failoverP50Ms", r.failoverP50Ms());
                m.put("failoverP99Ms", r.failoverP99Ms());
                m.put("failoverMaxMs", r.failoverMaxMs());
                m.put("kills", r.kills());
                m.put("elections", r.elections());
                m.put("needlessElections", r.needlessElections());
                m.put("bindingsAccepted", r.bindingsAccepted());
                m.put("bindingsRefused409", r.bindingsRefused());
                m.put("violations", r.violations().size());
                m.put("violationDetails", r.violations());
                m.put("failoversMs", r.failoverMillis());
                m.put("phases", r.phases());
                m.put("replicas", replicas);
                m.put("nodes", nodes);
                m.put("pods", r.pods());
                m.put("bound", r.bound());
                m.put("cappedQueue", r.capped().queue());
                m.put("cappedQueueMaxMillicores", r.capped().maxMillicores());
                m.put("cappedQueueBoundMillicores", r.capped().boundMillicores());
                m.put("cappedQueueWaiting", r.capped().waiting());
                m.put("seconds", round(r.seconds()));
                out.println(new ObjectMapper().writeValueAsString(m));
            } else {
                String what = switch (r.mode()) {
                    case KILL -> "kills";
                    case GRACEFUL -> "graceful stops (SIGTERM)";
                    case STRESS -> "kills (--stress)";
                };
                out.printf(Locale.ROOT, "fairway bench failover: %d replicas, %d %s, %d nodes, %d pods (%d bound) "
                        + "in %.1f s%s%n", replicas, r.kills(), what, nodes, r.pods(), r.bound(), r.seconds(),
                        o.settings().isEmpty() ? "" : "; replica settings " + o.settings());
                if (r.stress() != null) {
                    FailoverBenchmark.Stress st = r.stress();
                    out.printf(Locale.ROOT, "  stress: %.0f s with %d hog threads, CPU %.0f%% busy: %d leader changes "
                            + "(%d lease transitions, %d step-downs); %d holds for late renewals (%d renewals later than "
                            + "the deadline, %d failed), longest gap between renewals %d ms, longest renewal %d ms, "
                            + "longest GC pause %d ms, %d give-ups for a silent log%n", st.seconds(), st.hogThreads(),
                            100 * st.cpuBusy(), st.leaderChanges(), st.leaseTransitions(), st.stepDowns(), st.holds(),
                            st.lateRenewals(), st.renewFailures(), st.maxRenewGapMs(), st.maxRenewMs(),
                            st.gcPauseMaxMs(), st.logGiveUps());
                } else {
                    out.printf(Locale.ROOT, "  fail-over (%s to the next leader's first binding, each once the "
                            + "standby had rehearsed taking over %d times): p50 %d ms, p99 %d ms, max %d ms%n",
                            r.mode() == FailoverBenchmark.Mode.GRACEFUL ? "SIGTERM" : "kill",
                            io.fairway.ha.Replica.WARM_UP_REHEARSALS, r.failoverP50Ms(), r.failoverP99Ms(),
                            r.failoverMaxMs());
                    r.phaseSummary().forEach((phase, v) -> out.printf(Locale.ROOT,
                            "    %-10s p50 %5d ms, p99 %5d ms, max %5d ms%n", phase, v.get("p50"), v.get("p99"),
                            v.get("max")));
                }
                out.printf(Locale.ROOT, "  the API server's record: %d bindings accepted for %d pods bound, %d answered 409 "
                        + "(the pod bound already: a deposed leader's or a retried binding)%n", r.bindingsAccepted(),
                        r.bound(), r.bindingsRefused());
                out.printf(Locale.ROOT, "  leader elections: %d (1 at the start, %d after kills, %d needless)%n",
                        r.elections(), r.kills(), r.needlessElections());
                out.printf(Locale.ROOT, "  queue %s: its bound pods ask for %dm cpu of its max %dm, %d pods waiting%s%n",
                        r.capped().queue(), r.capped().boundMillicores(), r.capped().maxMillicores(),
                        r.capped().waiting(), r.capped().reachedMax() ? ""
                                : " (none waited at the max: the check 'no queue over its max' could not fail; "
                                + "lower --capped-cores)");
                if (r.violations().isEmpty()) {
                    out.println("  invariants: every pod bound once where the log says, no node over capacity, no "
                            + "queue over its max, every replica's state equals the replay: all hold");
                } else {
                    out.printf("  %d VIOLATIONS:%n", r.violations().size());
                    r.violations().forEach(v -> out.println("    " + v));
                }
            }
            out.flush();
            return r.violations().isEmpty() ? 0 : 1;
        }
    }

    @Command(name = "e2e", mixinStandardHelpOptions = true,
            description = {"The full path with real parts in this process: Kafka (KRaft), RocksDB, the local API "
                    + "server, fabric8. Registers the nodes, creates the pods as fast as the API server takes them, and "
                    + "measures pods bound per second from the first creation to the last binding, and each pod's bind "
                    + "latency from its appearance."})
    static final class E2e implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--nodes", defaultValue = "5000", description = "Simulated nodes (default ${DEFAULT-VALUE}).")
        int nodes;

        @Option(names = "--pods", defaultValue = "50000", description = "Pods (default ${DEFAULT-VALUE}).")
        int pods;

        @Option(names = "--seed", defaultValue = "1", description = "Fleet and workload seed (default ${DEFAULT-VALUE}).")
        long seed;

        @Option(names = "--timeout", defaultValue = "600", description = "Give up after this many seconds (default ${DEFAULT-VALUE}).")
        int timeoutSeconds;

        @Option(names = "--json", description = "Print one JSON object.")
        boolean json;

        @Option(names = "--apiserver", defaultValue = "local", paramLabel = "local|real",
                description = "local: everything in this process (default). real: etcd + kube-apiserver built from "
                        + "their Go modules (scripts/k8s-binaries.sh; the first build takes about 9 minutes), Fairway "
                        + "and each --peer as their own processes, one after the other, each on a fresh control plane.")
        String apiServer;

        @Option(names = "--peer", split = ",", paramLabel = "PEER",
                description = "With --apiserver real: also run kube-scheduler (its defaults) or kube-scheduler:qps=N "
                        + "(its client's rate limit raised) on the same pod stream.")
        List<String> peers = new ArrayList<>();

        @Override
        public Integer call() throws Exception {
            if (nodes < 1 || pods < 1) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--nodes and --pods must be at least 1");
            }
            PrintWriter out = spec.commandLine().getOut();
            switch (apiServer) {
                case "local" -> {
                    if (!peers.isEmpty()) {
                        throw new CommandLine.ParameterException(spec.commandLine(),
                                "--peer needs --apiserver real: the peers run against a real kube-apiserver");
                    }
                }
                case "real" -> {
                    return SideBySide.run(spec, out, nodes, pods, timeoutSeconds, peers, json);
                }
                default -> throw new CommandLine.ParameterException(spec.commandLine(),
                        "--apiserver " + apiServer + " is not known: use local or real");
            }
            E2eBenchmark.Result r = E2eBenchmark.run(nodes, pods, seed,
                    Duration.ofSeconds(timeoutSeconds));
            if (json) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("podsPerSecond", Math.round(r.podsPerSecond()));
                m.put("bindP50Ms", r.bindP50Ms());
                m.put("bindP99Ms", r.bindP99Ms());
                m.put("nodes", r.nodes());
                m.put("pods", r.pods());
                m.put("bound", r.bound());
                m.put("seconds", round(r.seconds()));
                m.put("createPerSecond", Math.round(r.createPerSecond()));
                m.put("complete", r.complete());
                m.put("cpuSeconds", r.cpuSeconds());
                m.put("elections", r.elections());
                out.println(new ObjectMapper().writeValueAsString(m));
            } else {
                out.printf(Locale.ROOT, "fairway bench e2e: %d nodes, %d pods created (%,.0f/s), %d bound in %.2f s%n",
                        r.nodes(), r.pods(), r.createPerSecond(), r.bound(), r.seconds());
                out.printf(Locale.ROOT, "  %,.0f pods bound per second; bind latency p50 %d ms, p99 %d ms%s%n",
                        r.podsPerSecond(), r.bindP50Ms(), r.bindP99Ms(), r.complete() ? "" : " (INCOMPLETE: timed out)");
                out.printf(Locale.ROOT, "  leader elections: %d (%s)%n", r.elections(),
                        r.elections() == 1 ? "none needless" : (r.elections() - 1) + " needless: see the log above");
                if (!r.cpuSeconds().isEmpty()) {
                    double total = r.cpuSeconds().getOrDefault("total", 0.0);
                    double wall = r.cpuSeconds().getOrDefault("wall clock", 0.0);
                    out.printf(Locale.ROOT, "  CPU seconds by part (all in this one process, %.1f cores busy on average):%n",
                            wall > 0 ? total / wall : 0);
                    r.cpuSeconds().forEach((part, s) -> {
                        if (!"total".equals(part) && !"wall clock".equals(part)) {
                            out.printf(Locale.ROOT, "    %-58s %7.2f  %4.1f%%%n", part, s, total > 0 ? 100 * s / total : 0);
                        }
                    });
                }
            }
            out.flush();
            return r.complete() ? 0 : 1;
        }
    }

    static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    @Command(name = "jmh", mixinStandardHelpOptions = true,
            description = "Runs the JMH micro-benchmarks of the hot paths (resource checks, one scheduling cycle).")
    static final class Jmh implements Callable<Integer> {
        @Parameters(arity = "0..1", paramLabel = "REGEX", defaultValue = "io.fairway.*",
                description = "Which benchmarks (a regular expression; default all).")
        String include;

        @Override
        public Integer call() throws Exception {
            new Runner(new OptionsBuilder().include(include).build()).run();
            return 0;
        }
    }

    @Command(name = "core", mixinStandardHelpOptions = true,
            description = {"Measures the scheduling core alone (cycles + applying their decisions) on a synthetic "
                    + "cluster, or on the nodes and submissions of a scenario file (--workload)."})
    static final class Core implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--nodes", defaultValue = "5000", description = "Nodes (default ${DEFAULT-VALUE}).")
        int nodes;

        @Option(names = "--pods", defaultValue = "50000", description = "Pods, all pending at the start (default ${DEFAULT-VALUE}).")
        int pods;

        @Option(names = "--queues", defaultValue = "100", description = "Leaf queues in a 3-level tree (default ${DEFAULT-VALUE}).")
        int queues;

        @Option(names = "--apps", description = "Applications (default: pods / 50).")
        Integer apps;

        @Option(names = "--seed", defaultValue = "1", description = "Random seed (default ${DEFAULT-VALUE}).")
        long seed;

        @Option(names = "--policy", defaultValue = "fair", description = "Node sort policy: fair or binpacking (default ${DEFAULT-VALUE}).")
        String policy;

        @Option(names = "--per-cycle", defaultValue = "" + Scheduler.DEFAULT_MAX_ALLOCATIONS_PER_CYCLE,
                description = "Most allocations per cycle (default ${DEFAULT-VALUE}).")
        int perCycle;

        @Option(names = "--warmup", defaultValue = "1", description = "Untimed runs first, to warm the JIT (default ${DEFAULT-VALUE}).")
        int warmup;

        @Option(names = "--gpu-nodes", paramLabel = "N", description = "How many of the nodes (a count, like --nodes) "
                + "are GPU nodes: tainted, 8 nvidia.com/gpu each, spread evenly. 5%% of the pods (and of the gangs) ask "
                + "for 1 or 2 GPUs; none when this is 0 (default: nodes / 10).")
        Integer gpuNodes;

        @Option(names = "--gang-fraction", paramLabel = "F", defaultValue = "0", description = "The share of apps, "
                + "0 to 1, that are gangs: all of an app's pods in one task group, or a driver group of 1 plus an "
                + "executor group, minMember as many as it has and minResource what they ask (default ${DEFAULT-VALUE}).")
        double gangFraction;

        @Option(names = "--workload", description = "A scenario file: its nodes and all its submissions at once.")
        Path workload;

        @Option(names = "--json", description = "Print one JSON object.")
        boolean json;

        @Override
        public Integer call() throws IOException {
            PrintWriter out = spec.commandLine().getOut();
            if (!policy.equals("fair") && !policy.equals("binpacking")) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--policy " + policy + " is not a node sort policy; use fair or binpacking");
            }
            if (nodes < 1 || pods < 1 || queues < 1) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--nodes, --pods and --queues must be at least 1");
            }
            if (!(gangFraction >= 0 && gangFraction <= 1)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--gang-fraction " + gangFraction
                        + " is not a share of the apps; give one from 0 (no gang) to 1 (every app a gang), e.g. 0.3");
            }
            if (gpuNodes != null && gpuNodes < 0) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--gpu-nodes " + gpuNodes
                        + " is negative; give how many nodes have GPUs, 0 for none");
            }
            if (gpuNodes != null && gpuNodes > nodes) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--gpu-nodes " + gpuNodes + " is more than the "
                        + nodes + " nodes (--nodes); give at most " + nodes + ", or more --nodes");
            }
            if (workload != null && (gpuNodes != null || gangFraction > 0)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--gpu-nodes and --gang-fraction shape the "
                        + "synthetic cluster; --workload " + workload + " brings its own nodes and pods: drop one or the other");
            }
            int appCount = apps != null ? apps : Math.max(1, pods / 50);
            SyntheticClusterLoader.Shape shape = new SyntheticClusterLoader.Shape(
                    gpuNodes != null ? gpuNodes : nodes / 10, gangFraction);
            Scenario scenario = null;
            if (workload != null) {
                try {
                    scenario = ScenarioParser.parse(Files.readString(workload));
                } catch (ScenarioException e) {
                    spec.commandLine().getErr().println(workload + ": " + e.getMessage());
                    return 2;
                }
            }
            CoreBenchmark.Result r = null;
            for (int i = 0; i <= warmup; i++) {
                ClusterState state = new ClusterState();
                int queueCount = queues;
                int appsUsed = appCount;
                if (scenario != null) {
                    state = Simulator.loadWorkload(scenario);
                    queueCount = (int) state.queues().all().values().stream().filter(q -> q.isLeaf()).count();
                    appsUsed = state.apps().size();
                } else {
                    SyntheticClusterLoader.load(state, nodes, pods, queues, appCount, seed, policy, shape);
                }
                r = CoreBenchmark.run(state, queueCount, appsUsed, perCycle);
            }
            if (json) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("podsPerSecond", Math.round(r.podsPerSecond()));
                m.put("decisionsPerSecond", Math.round(r.decisionsPerSecond()));
                m.put("decisionsPerCpuSecond", Math.round(r.decisionsPerCpuSecond()));
                m.put("cpuSeconds", round(r.cpuSeconds()));
                m.put("cycleP50Ms", round(r.cycleP50Ms()));
                m.put("cycleP99Ms", round(r.cycleP99Ms()));
                m.put("cycleMaxMs", round(r.cycleMaxMs()));
                m.put("nodes", r.nodes());
                m.put("pods", r.pods());
                m.put("queues", r.queues());
                m.put("apps", r.apps());
                m.put("placed", r.placed());
                m.put("decisions", r.decisions());
                m.put("unschedulableDecisions", r.unschedulableDecisions());
                m.put("gangReservations", r.gangReservations());
                m.put("gangReleases", r.gangReleases());
                m.put("gangApps", r.gangApps());
                m.put("gangAppsComplete", r.gangAppsComplete());
                m.put("partialGangReservations", r.partialReservations());
                m.put("gpuNodes", workload == null ? shape.gpuNodes() : null);
                m.put("gpuPodsPlaced", r.gpuPodsPlaced());
                m.put("pendingAtEnd", r.pendingAtEnd());
                m.put("pendingThatFit", r.pendingThatFit());
                m.put("refusedDecisions", r.refused());
                m.put("cycles", r.cycles());
                m.put("seconds", round(r.seconds()));
                m.put("seed", seed);
                m.put("gangFraction", gangFraction);
                m.put("workload", workload == null ? "synthetic" : workload.toString());
                out.println(new ObjectMapper().writeValueAsString(m));
            } else {
                out.printf(Locale.ROOT, "fairway bench core: %s, %d nodes, %d pods, %d leaf queues, %d apps%n",
                        workload == null ? "synthetic (seed " + seed + ", " + policy + ", " + shape.gpuNodes()
                                + " GPU nodes, " + r.gangApps() + " gang apps)" : workload,
                        r.nodes(), r.pods(), r.queues(), r.apps());
                out.printf(Locale.ROOT, "  placed %d pods in %.3f s: %,.0f pods/s; %,.0f decisions/s (%d: %d allocated, "
                                + "%d gangs reserved, %d released, %d unschedulable)%n",
                        r.placed(), r.seconds(), r.podsPerSecond(), r.decisionsPerSecond(), r.decisions(), r.placed(),
                        r.gangReservations(), r.gangReleases(), r.unschedulableDecisions());
                out.printf(Locale.ROOT, "  scheduling thread's CPU: %.3f s, %,.0f decisions per CPU second (less swayed "
                        + "by other load on the machine than the wall clock)%n", r.cpuSeconds(), r.decisionsPerCpuSecond());
                if (r.gangApps() > 0) {
                    out.printf(Locale.ROOT, "  gangs: %d of %d complete (every member in its slot); partial reservations: "
                            + "%d%n", r.gangAppsComplete(), r.gangApps(), r.partialReservations());
                }
                out.printf(Locale.ROOT, "  %d cycles, each deciding and applying its decisions: p50 %.2f ms, p99 %.2f ms, max %.2f ms%n",
                        r.cycles(), r.cycleP50Ms(), r.cycleP99Ms(), r.cycleMaxMs());
                out.printf(Locale.ROOT, "  pending at the end: %d (of which could fit now: %d); decisions refused by apply: %d%n",
                        r.pendingAtEnd(), r.pendingThatFit(), r.refused());
            }
            out.flush();
            return r.pendingThatFit() == 0 && r.refused() == 0 && r.partialReservations() == 0 ? 0 : 1;
        }
    }
}
