package io.fairway.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fairway.core.events.Allocated;
import io.fairway.core.events.Released;
import io.fairway.core.objects.YuniKornLabels;
import io.fairway.core.resources.Resources;
import io.fairway.core.state.ApplyResult;
import io.fairway.core.state.ClusterState;
import io.fairway.ha.ElectionOptions;
import io.fairway.ha.Replica;
import io.fairway.k8s.KubeObjects;
import io.fairway.k8s.WatcherOptions;
import io.fairway.log.EventLog;
import io.fairway.log.LoggedEvent;
import io.fairway.log.Replay;
import io.fairway.log.kafka.KafkaEventLog;
import io.fairway.log.kafka.KafkaEventLogConfig;
import io.fairway.sandbox.kubelet.NodeFleet;
import io.fairway.sandbox.workload.WorkloadGenerator;
import io.fairway.sandbox.workload.WorkloadOptions;
import io.fairway.store.Snapshots;
import io.fairway.testsupport.EmbeddedKafka;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code fairway bench failover}: scheduler replicas as separate {@code fairway run} processes against the embedded
 * Kafka broker and the local API server, a steady stream of pods, and the leader killed with SIGKILL at random
 * moments (then started again from its store, as Kubernetes would restart its pod; the next kill waits until it has
 * warmed up as a standby, {@link #awaitWarmStandbys}). For each kill it measures the
 * time to the first binding by the next leader (from the API server's own record of who bound what when), and splits
 * it into phases from the new leader's own account ({@code /statez}); after the run it checks from the API server
 * and the log that every pod is bound once, where the log says, that no node is over capacity and no queue over its
 * max, and that every replica's state hash equals a replay of the log.
 *
 * <p>{@link Mode#GRACEFUL} stops the leader with SIGTERM instead (it steps down and releases the lease).
 * {@link Mode#STRESS} kills nobody: for a given duration a CPU hog in a process of its own saturates every core while
 * the pods stream in, and the run counts leader changes, none of which is needed.
 */
public final class FailoverBenchmark {
    private static final Logger LOG = LoggerFactory.getLogger(FailoverBenchmark.class);
    private static final Pattern HEALTH_PORT = Pattern.compile("health on port (\\d+)");
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The capped queue: the invariant "no queue over its max" is checked against it. */
    static final String CAPPED_QUEUE = "root.tenants.team-a";
    /**
     * Its max cpu by default, in cores: at the default size (20,000 pods, a third of them team-a's) its pods ask for
     * many times that and wait at it. A smaller run needs a smaller max ({@link Options#cappedCores}), or the check
     * "no queue over its max" cannot fail.
     */
    public static final long DEFAULT_CAPPED_CORES = 400;

    /**
     * @param replicas  scheduler processes
     * @param kills     leaders killed
     * @param nodes     nodes registered
     * @param pods      pods created, at a steady rate over the run
     * @param seed      kill moments and the workload
     * @param apiServer the local API server or a real one
     * @param cappedCores the max cpu of {@value #CAPPED_QUEUE}, in cores: the config the replicas get says it, and
     *                  the check reads the queue's bound pods against it
     */
    /**
     * @param mode       kill the leader (SIGKILL), stop it (SIGTERM), or kill nobody under a CPU hog
     * @param duration   {@link Mode#STRESS}: how long the run lasts
     * @param hogThreads {@link Mode#STRESS}: busy threads of the hog (default: one per core)
     * @param settings   {@code fairway run} settings given to every replica ({@code --set KEY=VALUE}), e.g. the
     *                   election's timings
     * @param jvmOptions the replicas' JVM options ({@link #DEFAULT_JVM_OPTIONS} unless told otherwise)
     */
    public record Options(int replicas, int kills, int nodes, int pods, long seed,
                          SandboxCluster.ApiServerKind apiServer, long cappedCores, Mode mode, Duration duration,
                          int hogThreads, Map<String, String> settings, List<String> jvmOptions) {
        public Options(int replicas, int kills, int nodes, int pods, long seed) {
            this(replicas, kills, nodes, pods, seed, SandboxCluster.ApiServerKind.LOCAL);
        }

        public Options(int replicas, int kills, int nodes, int pods, long seed, SandboxCluster.ApiServerKind apiServer) {
            this(replicas, kills, nodes, pods, seed, apiServer, DEFAULT_CAPPED_CORES);
        }

        public Options(int replicas, int kills, int nodes, int pods, long seed, SandboxCluster.ApiServerKind apiServer,
                       long cappedCores) {
            this(replicas, kills, nodes, pods, seed, apiServer, cappedCores, Mode.KILL, DEFAULT_STRESS_DURATION,
                    Runtime.getRuntime().availableProcessors(), Map.of(), DEFAULT_JVM_OPTIONS);
        }

        public Options {
            if (replicas < 2) {
                throw new IllegalArgumentException("--replicas must be at least 2: someone must take over");
            }
            if ((mode != Mode.STRESS && kills < 1) || nodes < 1 || pods < 1) {
                throw new IllegalArgumentException("--kills, --nodes and --pods must be at least 1");
            }
            if (cappedCores < 1) {
                throw new IllegalArgumentException("--capped-cores must be at least 1");
            }
            if (duration == null || duration.compareTo(Duration.ofSeconds(1)) < 0) {
                throw new IllegalArgumentException("--duration must be at least 1 s, not " + duration);
            }
            if (hogThreads < 0) {
                throw new IllegalArgumentException("--hog-threads must be 0 or more, not " + hogThreads);
            }
            settings = Map.copyOf(settings);
            jvmOptions = List.copyOf(jvmOptions);
        }

        public Options withMode(Mode m) {
            return new Options(replicas, kills, nodes, pods, seed, apiServer, cappedCores, m, duration, hogThreads,
                    settings, jvmOptions);
        }

        public Options withDuration(Duration d) {
            return new Options(replicas, kills, nodes, pods, seed, apiServer, cappedCores, mode, d, hogThreads,
                    settings, jvmOptions);
        }

        public Options withHogThreads(int n) {
            return new Options(replicas, kills, nodes, pods, seed, apiServer, cappedCores, mode, duration, n,
                    settings, jvmOptions);
        }

        public Options withSettings(Map<String, String> s) {
            return new Options(replicas, kills, nodes, pods, seed, apiServer, cappedCores, mode, duration, hogThreads,
                    s, jvmOptions);
        }

        public Options withJvmOptions(List<String> o) {
            return new Options(replicas, kills, nodes, pods, seed, apiServer, cappedCores, mode, duration, hogThreads,
                    settings, o);
        }
    }

    /** How a run deposes its leaders. */
    public enum Mode {
        /** SIGKILL: the lease runs out. */
        KILL,
        /** SIGTERM: the leader steps down and releases the lease. */
        GRACEFUL,
        /** Nobody: a CPU hog saturates every core for the run's duration; every leader change is needless. */
        STRESS;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * The replicas' JVM options unless told otherwise: a heap of 1 GiB (two replicas and the broker share the machine)
     * and ZGC, as {@code deploy/} runs them. A collector that stops the world stops the lease's renewals too: under a
     * saturated CPU ({@code --stress}) the serial collector's young pauses reached 0.6-1.5 s and a leader's longest gap
     * between renewals 982 ms; G1's pauses 270 ms and the gap 683 ms; with ZGC (pauses under a millisecond) the gap
     * was 441-477 ms, the rest being the machine's scheduling and the API server's answer.
     */
    public static final List<String> DEFAULT_JVM_OPTIONS = List.of("-Xmx1g", "-XX:+UseZGC");

    /** {@code --stress} lasts this long unless told otherwise. */
    public static final Duration DEFAULT_STRESS_DURATION = Duration.ofMinutes(10);

    /**
     * One fail-over split into phases (ms), from the kill (or SIGTERM) to the next leader's first binding accepted by
     * the API server; the four phases add up to {@code totalMs}. From the new leader's own account ({@code /statez},
     * wall-clock times of the same machine), -1 each when it could not be read.
     *
     * @param totalMs     to the first binding accepted (the fail-over time)
     * @param leaseMs     to the lease acquired: the lease running out (a kill) or the old leader stepping down and
     *                    releasing it (SIGTERM), and the standby's write
     * @param noticeMs    from the lease acquired to the replica's thread starting to take the lead
     * @param takeLeadMs  taking the lead: {@code catchUpMs + writerMs + reconcileMs + electedMs} and a little
     * @param catchUpMs   reading the log to its end (before and after the fence)
     * @param writerMs    opening the decision writer ({@code initTransactions}: the fence)
     * @param reconcileMs the informers' view compared with the state and the difference appended
     * @param electedMs   {@code LeaderElected} committed and read back (the reconciliation's observations with it)
     * @param firstBindMs from the lead taken to the first binding accepted (the first cycle, its commit, the bind)
     * @param cycleMs     from the lead taken to the first cycle's decisions committed
     * @param bindMs      from the first bind handed to the binder (a re-issued one, or the first cycle's) to the
     *                    first binding accepted
     */
    public record Phases(long totalMs, long leaseMs, long noticeMs, long takeLeadMs, long catchUpMs, long writerMs,
                         long electedMs, long reconcileMs, long firstBindMs, long cycleMs, long bindMs) {
        static Phases unknown(long total) {
            return new Phases(total, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1);
        }

        /** Each phase by name, in order. */
        public Map<String, Long> byName() {
            Map<String, Long> m = new LinkedHashMap<>();
            m.put("lease", leaseMs);
            m.put("notice", noticeMs);
            m.put("takeLead", takeLeadMs);
            m.put("catchUp", catchUpMs);
            m.put("writer", writerMs);
            m.put("elected", electedMs);
            m.put("reconcile", reconcileMs);
            m.put("firstBind", firstBindMs);
            m.put("cycle", cycleMs);
            m.put("bind", bindMs);
            return m;
        }
    }

    /**
     * What a {@link Mode#STRESS} run saw.
     *
     * @param seconds          how long the hog ran
     * @param hogThreads       its busy threads
     * @param cpuBusy          the machine's busy share of CPU time while it ran (from /proc/stat; -1 unknown)
     * @param leaderChanges    elections after the first, from the log: all needless
     * @param leaseTransitions holder changes of the Lease while the hog ran
     * @param stepDowns        step-downs of the replicas (from their /statez)
     * @param holds            times a leader held its decisions for a late renewal, keeping the lead
     * @param lateRenewals     renewals later than the renew deadline
     * @param renewFailures    renewal requests that failed or timed out
     * @param maxRenewGapMs    the longest time between two renewals of a leader
     * @param maxRenewMs       the longest renewal request
     * @param gcPauseMaxMs     the longest collection pause of any replica
     * @param logGiveUps       times a leader gave its lease up because the log did not answer
     */
    public record Stress(double seconds, int hogThreads, double cpuBusy, long leaderChanges, long leaseTransitions,
                         long stepDowns, long holds, long lateRenewals, long renewFailures, long maxRenewGapMs,
                         long maxRenewMs, long gcPauseMaxMs, long logGiveUps) {
    }

    /**
     * What a run measured and found.
     *
     * @param elections        leader elections the log holds: one at the start and one per kill when none was needless
     * @param bindingsAccepted bindings the API server accepted, by its own record
     * @param bindingsRefused  bindings it answered 409 (the pod bound already: a deposed leader's, or a retry's)
     * @param capped           the capped queue at the end, from the API server's pods
     */
    public record Result(int kills, long[] failoverMillis, long failoverP50Ms, long failoverP99Ms, long failoverMaxMs,
                         int pods, int bound, List<String> violations, double seconds, long elections,
                         long bindingsAccepted, long bindingsRefused, CappedQueue capped, Mode mode,
                         List<Phases> phases, Stress stress) {
        /** Elections beyond the first leader's and those the kills caused: a leader lost for no reason. */
        public long needlessElections() {
            return Math.max(0, elections - 1 - kills);
        }

        /** Per phase: p50, p99 and max over the fail-overs whose phases are known (ms). */
        public Map<String, Map<String, Long>> phaseSummary() {
            Map<String, Map<String, Long>> out = new LinkedHashMap<>();
            List<Phases> known = phases.stream().filter(p -> p.leaseMs() >= 0).toList();
            if (known.isEmpty()) {
                return out;
            }
            for (String name : known.getFirst().byName().keySet()) {
                long[] v = known.stream().mapToLong(p -> p.byName().get(name)).sorted().toArray();
                Map<String, Long> m = new LinkedHashMap<>();
                m.put("p50", PodTracker.percentile(v, 50));
                m.put("p99", PodTracker.percentile(v, 99));
                m.put("max", v[v.length - 1]);
                out.put(name, m);
            }
            return out;
        }
    }

    /**
     * The capped queue at the end of a run, from the API server's pods.
     *
     * @param maxMillicores   the max the check reads against
     * @param boundMillicores cpu requested by its bound pods
     * @param bound           its pods bound
     * @param waiting         its pods not bound: waiting at its max (or rejected, a gang larger than the max)
     */
    public record CappedQueue(String queue, long maxMillicores, long boundMillicores, int bound, int waiting) {
        /** True when some of its pods waited: the max was in the way, and the check could have found it exceeded. */
        public boolean reachedMax() {
            return waiting > 0;
        }
    }

    private record Proc(String name, Process process, Path output) {
        int healthPort() {
            try {
                Matcher m = HEALTH_PORT.matcher(Files.readString(output));
                return m.find() ? Integer.parseInt(m.group(1)) : -1;
            } catch (IOException e) {
                return -1;
            }
        }
    }

    private FailoverBenchmark() {
    }

    public static Result run(Options o) {
        return run(o, o.cappedCores(), client -> { });
    }

    /**
     * A run whose replicas get a config with {@code configuredCores} as the capped queue's max (the check still reads
     * against {@link Options#cappedCores}: a larger one plants a bug the check must find), and {@code atEnd} called
     * with the API server's client once the run is checked, before it stops.
     */
    @SuppressWarnings("try") // the replicas' resource is there to be closed, first
    static Result run(Options o, long configuredCores, Consumer<KubernetesClient> atEnd) {
        Path work;
        try {
            work = Files.createTempDirectory("fairway-failover");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Proc> procs = new ArrayList<>();
        boolean stress = o.mode() == Mode.STRESS;
        int rounds = stress ? 0 : o.kills();
        try (EmbeddedKafka kafka = EmbeddedKafka.start();
             BenchApiServer api = BenchApiServer.start(o.apiServer(), work);
             WorkloadGenerator workload = new WorkloadGenerator(WorkloadOptions.defaults().toBuilder()
                     .mix(new WorkloadOptions.Mix(1, 1, 0, 0)).seed(o.seed()).build());
             // closed first: the replicas stop while the broker and the API server they talk to are still up
             Replicas replicas = new Replicas(procs)) {
            KubernetesClient client = api.admin();
            // the replicas' identity first: on a real API server it brings namespace fairway
            Path kubeconfig = api.replicaKubeconfig(work);
            api.namespace(WatcherOptions.DEFAULT_CONFIG_NAMESPACE);
            client.configMaps().inNamespace(WatcherOptions.DEFAULT_CONFIG_NAMESPACE).resource(new ConfigMapBuilder()
                    .withNewMetadata().withName(WatcherOptions.DEFAULT_CONFIG_NAME).endMetadata()
                    .withData(Map.of(WatcherOptions.CONFIG_KEY, E2eBenchmark.benchQueues(configuredCores))).build()).create();
            NodeFleet.uniformCpu(o.nodes()).register(client, 32);
            List<Pod> generated = workload.burstPods(client, o.pods());
            // one probe pod created at each kill, in a queue without a max, so that the next leader always has
            // something to bind at once
            List<Pod> probePods = new ArrayList<>();
            for (int k = 0; k < rounds; k++) {
                Pod probe = new io.fabric8.kubernetes.api.model.PodBuilder(generated.stream()
                        .filter(p -> !CAPPED_QUEUE.equals(queueOf(p))).findFirst().orElseThrow())
                        .editMetadata().withName("failover-probe-" + k).withResourceVersion(null).withUid(null)
                        .endMetadata().build();
                probePods.add(probe);
            }
            List<Pod> pods = generated;
            List<Pod> probes = probePods;
            int total = pods.size() + probes.size();
            Map<String, Proc> byName = new HashMap<>();
            for (int i = 0; i < o.replicas(); i++) {
                Proc p = start("replica-" + i, kafka.bootstrapServers(), kubeconfig, work, o);
                procs.add(p);
                byName.put(p.name(), p);
            }
            for (Proc p : procs) {
                awaitReady(p, Duration.ofSeconds(120));
            }
            long t0 = System.nanoTime();
            // the stream: the pods spread over about 10 s per kill (a random wait, the take-over, the restart), or
            // over the stress run
            double perSecond = stress ? o.pods() / (double) Math.max(1, o.duration().toSeconds())
                    : o.pods() / (o.kills() * 10.0);
            Thread stream = Thread.ofPlatform().name("failover-pod-stream").start(() -> {
                int sent = 0;
                long start = System.nanoTime();
                while (sent < pods.size() && !Thread.currentThread().isInterrupted()) {
                    int due = (int) Math.min(pods.size(), (System.nanoTime() - start) / 1e9 * perSecond + 1);
                    if (due > sent) {
                        api.create(pods.subList(sent, due), 16);
                        sent = due;
                    } else {
                        try {
                            Thread.sleep(20);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                }
            });
            Random random = new Random(o.seed());
            long[] failovers = new long[rounds];
            List<Phases> phases = new ArrayList<>();
            StressWindow window = null;
            if (stress) {
                window = stress(o, client, procs);
            }
            for (int k = 0; k < rounds; k++) {
                sleep(2_000 + random.nextInt(3_000));
                String leader = awaitLeader(client, Duration.ofSeconds(60));
                // a hot standby, as a long-running one is: it has rehearsed taking over a few times (the replica
                // restarted after the last kill is a fresh JVM)
                awaitWarmStandbys(procs, leader, Duration.ofSeconds(60));
                leader = awaitLeader(client, Duration.ofSeconds(60));
                Proc victim = byName.get(leader);
                if (victim == null) {
                    throw new IllegalStateException("the lease names " + leader + ", which is not one of the replicas");
                }
                if (o.mode() == Mode.GRACEFUL) {
                    victim.process().destroy();
                } else {
                    victim.process().destroyForcibly();
                }
                long killedAt = System.nanoTime();
                Instant killedAtInstant = Instant.now();
                if (o.mode() == Mode.GRACEFUL) {
                    // a leader stopping cleanly still schedules until it steps down: the probe comes once it has let
                    // the lease go, so that only the next leader can bind it
                    awaitLeaseLeftBy(client, leader, Duration.ofSeconds(30));
                }
                api.create(probes.subList(k, k + 1), 1);
                try {
                    if (!victim.process().waitFor(30, TimeUnit.SECONDS)) {
                        victim.process().destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                LOG.info("failover bench: {} the leader {} ({} of {})", o.mode() == Mode.GRACEFUL ? "stopped" : "killed",
                        leader, k + 1, o.kills());
                failovers[k] = api.millisToFirstBindBy("fairway/" + leader, killedAt, killedAtInstant,
                        Duration.ofSeconds(60));
                Phases ph = failovers[k] < 0 ? Phases.unknown(failovers[k])
                        : phases(procs, leader, killedAtInstant.toEpochMilli(), failovers[k]);
                phases.add(ph);
                LOG.info("failover bench: first binding by the next leader {} ms after the {}: {}", failovers[k],
                        o.mode() == Mode.GRACEFUL ? "SIGTERM" : "kill", ph);
                // the killed replica comes back from its store, as Kubernetes restarts a pod
                Proc again = start(leader, kafka.bootstrapServers(), kubeconfig, work, o);
                procs.add(again);
                byName.put(leader, again);
                awaitReady(again, Duration.ofSeconds(120));
            }
            stream.join(TimeUnit.MINUTES.toMillis(stress ? 1 : 10) + o.duration().toMillis());
            List<String> violations = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
            // pods of the capped queue may wait at its max; every other pod must be bound
            int[] counts = count(client);
            while (counts[1] > 0 && System.nanoTime() < deadline) {
                sleep(500);
                counts = count(client);
            }
            int bound = counts[0];
            double seconds = (System.nanoTime() - t0) / 1e9;
            if (counts[1] > 0) {
                violations.add(counts[1] + " pods outside " + CAPPED_QUEUE + " not bound 3 minutes after the last "
                        + "creation");
            }
            LOG.info("failover bench: {} pods bound, {} waiting at the max of {}", bound, counts[2], CAPPED_QUEUE);
            List<Pod> atCheck = client.pods().inAnyNamespace().list().getItems();
            List<Proc> live = procs.stream().filter(p -> p.process().isAlive()).toList();
            long elections = check(client, atCheck, kafka.bootstrapServers(), live, violations);
            CappedQueue capped = capped(atCheck, o.cappedCores() * 1000);
            overMax(capped).ifPresent(violations::add);
            // the API server's own record, not the log's: a pod bound twice would show here however it happened
            List<BenchApiServer.Binding> bindings = api.bindings();
            Map<String, Integer> acceptedPerPod = new HashMap<>();
            bindings.stream().filter(BenchApiServer.Binding::accepted)
                    .forEach(b -> acceptedPerPod.merge(b.pod(), 1, Integer::sum));
            acceptedPerPod.forEach((pod, n) -> {
                if (n > 1) {
                    violations.add("pod " + pod + " was bound " + n + " times (the API server accepted each)");
                }
            });
            long accepted = bindings.stream().filter(BenchApiServer.Binding::accepted).count();
            long refused = bindings.stream().filter(b -> b.code() == 409).count();
            long[] measured = Arrays.stream(failovers).filter(f -> f >= 0).sorted().toArray();
            if (measured.length < failovers.length) {
                violations.add((failovers.length - measured.length) + " kills without a binding by a new leader "
                        + "within 60 s");
            }
            Stress stressed = window == null ? null : window.result(elections, live);
            Result result = new Result(rounds, failovers, PodTracker.percentile(measured, 50),
                    PodTracker.percentile(measured, 99), measured.length == 0 ? 0 : measured[measured.length - 1],
                    total, bound, violations, seconds, elections, accepted, refused, capped, o.mode(),
                    List.copyOf(phases), stressed);
            atEnd.accept(client);
            return result;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } finally {
            if (System.getenv("FAIRWAY_BENCH_KEEP") != null) {
                LOG.info("failover bench: the replicas' output and stores are kept in {}", work);
            } else {
                Snapshots.deleteTree(work);
            }
        }
    }

    /** What a stress run measured while its hog ran, to be completed once the log is checked. */
    private record StressWindow(double seconds, int hogThreads, double cpuBusy, long transitions) {
        Stress result(long elections, List<Proc> live) {
            long stepDowns = 0;
            long holds = 0;
            long late = 0;
            long failures = 0;
            long gap = 0;
            long renew = 0;
            long gc = 0;
            long giveUps = 0;
            for (Proc p : live) {
                JsonNode st = get(p.healthPort(), "/statez");
                JsonNode e = st == null ? null : st.path("election");
                if (e == null || e.isMissingNode()) {
                    continue;
                }
                stepDowns += e.path("stepDowns").asLong();
                holds += e.path("holds").asLong();
                late += e.path("lateRenewals").asLong();
                failures += e.path("renewFailures").asLong();
                gap = Math.max(gap, e.path("maxRenewGapMs").asLong());
                renew = Math.max(renew, e.path("maxRenewMs").asLong());
                gc = Math.max(gc, e.path("gcPauseMaxMs").asLong());
                giveUps += e.path("logGiveUps").asLong();
            }
            return new Stress(seconds, hogThreads, cpuBusy, Math.max(0, elections - 1), transitions, stepDowns, holds,
                    late, failures, gap, renew, gc, giveUps);
        }
    }

    /**
     * Runs the hog for the run's duration with nobody killed, then stops it; returns what it saw of the machine and
     * the lease. The replicas' own counts are read after the run (they keep them).
     */
    private static StressWindow stress(Options o, KubernetesClient client, List<Proc> procs) {
        long transitionsBefore = leaseTransitions(client);
        long[] cpuBefore;
        long h0 = System.nanoTime();
        double busy;
        try (CpuHog.Process hog = o.hogThreads() > 0 ? new CpuHog.Process(o.hogThreads()) : null) {
            cpuBefore = CpuHog.cpuTimes();
            long end = System.nanoTime() + o.duration().toNanos();
            long nextReport = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < end) {
                sleep(Math.min(1_000, Math.max(1, TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime()))));
                for (Proc p : procs) {
                    if (!p.process().isAlive()) {
                        throw new IllegalStateException("replica " + p.name() + " exited during the stress run; its "
                                + "output is in " + p.output());
                    }
                }
                if (System.nanoTime() > nextReport) {
                    nextReport += TimeUnit.SECONDS.toNanos(30);
                    LOG.info("failover bench --stress: {} s of {} s, CPU busy {}%, lease transitions so far {}",
                            TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - h0), o.duration().toSeconds(),
                            Math.round(100 * CpuHog.busy(cpuBefore, CpuHog.cpuTimes())),
                            leaseTransitions(client) - transitionsBefore);
                }
            }
            busy = CpuHog.busy(cpuBefore, CpuHog.cpuTimes());
        }
        double seconds = (System.nanoTime() - h0) / 1e9;
        return new StressWindow(seconds, o.hogThreads(), busy, leaseTransitions(client) - transitionsBefore);
    }

    private static long leaseTransitions(KubernetesClient client) {
        Lease l = lease(client);
        return l == null || l.getSpec().getLeaseTransitions() == null ? 0 : l.getSpec().getLeaseTransitions();
    }

    /**
     * The fail-over split into phases from the next leader's {@code /statez}: when it acquired the lease, when its
     * thread started taking the lead, how long each step took, when it led.
     */
    private static Phases phases(List<Proc> procs, String deposed, long killedAtMillis, long total) {
        for (int attempt = 0; attempt < 50; attempt++) {
            for (Proc p : procs) {
                if (p.name().equals(deposed) || !p.process().isAlive()) {
                    continue;
                }
                JsonNode st = get(p.healthPort(), "/statez");
                if (st == null || !"leader".equals(st.path("role").asText())) {
                    continue;
                }
                JsonNode t = st.path("takeOver");
                long acquired = st.path("election").path("acquiredAtMs").asLong();
                if (t.isMissingNode() || acquired == 0 || t.path("leadingAtMillis").asLong() == 0) {
                    continue;
                }
                long started = t.path("startedAtMillis").asLong();
                long leading = t.path("leadingAtMillis").asLong();
                long committed = t.path("firstCommitAtMillis").asLong();
                long handed = t.path("firstBindAtMillis").asLong();
                return new Phases(total, acquired - killedAtMillis, started - acquired, leading - started,
                        t.path("catchUpMillis").asLong(), t.path("writerMillis").asLong(),
                        t.path("electedMillis").asLong(), t.path("reconcileMillis").asLong(),
                        total - (leading - killedAtMillis), committed == 0 ? -1 : committed - leading,
                        handed == 0 ? -1 : total - (handed - killedAtMillis));
            }
            sleep(100);
        }
        return Phases.unknown(total);
    }

    /** The replica processes, stopped (SIGTERM, then SIGKILL after 20 s) when closed. */
    private record Replicas(List<Proc> procs) implements AutoCloseable {
        @Override
        public void close() {
            long t0 = System.nanoTime();
            for (Proc p : procs) {
                p.process().destroy();
            }
            for (Proc p : procs) {
                try {
                    if (!p.process().waitFor(20, TimeUnit.SECONDS)) {
                        LOG.warn("failover bench: replica {} did not stop within 20 s of SIGTERM; killed", p.name());
                        p.process().destroyForcibly();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    p.process().destroyForcibly();
                }
            }
            LOG.info("failover bench: replicas stopped in {} ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
        }
    }

    private static Proc start(String name, String kafka, Path kubeconfig, Path work, Options o) {
        Path out = work.resolve(name + "-" + System.nanoTime() + ".log");
        // its collections logged beside its output (kept with FAIRWAY_BENCH_KEEP): a pause stops its lease renewals
        String gcLog = "-Xlog:gc:file=" + work.resolve(name + "-" + System.nanoTime() + ".gc.log") + ":uptime,tags";
        List<String> jvm = new ArrayList<>(o.jvmOptions());
        jvm.add(gcLog);
        List<String> cmd = new ArrayList<>(FairwayRun.command("io.fairway.cli.Fairway", jvm, name, kafka, kubeconfig,
                work.resolve("data-" + name)));
        o.settings().forEach((k, v) -> cmd.addAll(List.of("--set", k + "=" + v)));
        try {
            return new Proc(name, new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile())
                    .start(), out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start replica " + name + ": " + e.getMessage(), e);
        }
    }

    private static JsonNode get(int port, String path) {
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(15)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return JSON.readTree(r.body());
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static void awaitReady(Proc p, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!p.process().isAlive()) {
                throw new IllegalStateException("replica " + p.name() + " exited; its output is in " + p.output());
            }
            int port = p.healthPort();
            JsonNode r = port > 0 ? get(port, "/readyz") : null;
            if (r != null && r.path("ready").asBoolean()) {
                return;
            }
            sleep(200);
        }
        throw new IllegalStateException("replica " + p.name() + " was not ready within " + timeout + "; see "
                + p.output());
    }

    /** The replicas' election Lease, as they are configured by default; null before it is created. */
    private static Lease lease(KubernetesClient client) {
        return client.leases().inNamespace(ElectionOptions.DEFAULT_NAMESPACE).withName(ElectionOptions.DEFAULT_NAME)
                .get();
    }

    private static String awaitLeader(KubernetesClient client, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Lease l = lease(client);
            if (l != null && l.getSpec().getHolderIdentity() != null && !l.getSpec().getHolderIdentity().isEmpty()) {
                return l.getSpec().getHolderIdentity();
            }
            sleep(50);
        }
        throw new IllegalStateException("nobody took the lease within " + timeout);
    }

    /**
     * Waits until every live replica but the leader has rehearsed taking over {@link Replica#WARM_UP_REHEARSALS}
     * times (its {@code /statez}), so that the kill finds a standby whose take-over code is loaded and compiled.
     */
    private static void awaitWarmStandbys(List<Proc> procs, String leader, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Proc p : procs) {
            if (p.name().equals(leader) || !p.process().isAlive()) {
                continue;
            }
            while (System.nanoTime() < deadline) {
                JsonNode st = get(p.healthPort(), "/statez");
                if (st != null && st.path("election").path("rehearsals").asLong() >= Replica.WARM_UP_REHEARSALS) {
                    break;
                }
                sleep(200);
            }
        }
    }

    /** Waits until the lease no longer names {@code holder} (released, or taken by another). */
    private static void awaitLeaseLeftBy(KubernetesClient client, String holder, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Lease l = lease(client);
            if (l == null || !holder.equals(l.getSpec().getHolderIdentity())) {
                return;
            }
            sleep(5);
        }
        LOG.warn("failover bench: the lease still names {} {} after its SIGTERM", holder, timeout);
    }

    /** The queue the pod asks for, read as the watcher reads it (YuniKorn's labels and annotations). */
    private static String queueOf(Pod p) {
        return YuniKornLabels.queue(
                p.getMetadata().getLabels() == null ? Map.of() : p.getMetadata().getLabels(),
                p.getMetadata().getAnnotations() == null ? Map.of() : p.getMetadata().getAnnotations());
    }

    /** {bound, unbound outside the capped queue, unbound in it}. */
    private static int[] count(KubernetesClient client) {
        int[] n = new int[3];
        for (Pod p : client.pods().inAnyNamespace().list().getItems()) {
            if (!"fairway".equals(p.getSpec().getSchedulerName())) {
                continue;
            }
            if (p.getSpec().getNodeName() != null && !p.getSpec().getNodeName().isEmpty()) {
                n[0]++;
            } else if (CAPPED_QUEUE.equals(queueOf(p))) {
                n[2]++;
            } else {
                n[1]++;
            }
        }
        return n;
    }

    /** Checks the invariants against the log and the cluster; returns how many leaders the log elected. */
    private static long check(KubernetesClient client, List<Pod> pods, String kafka, List<Proc> live,
                              List<String> violations) {
        // the log's verdict per pod: the node of its allocation still in effect
        Map<String, String> allocatedTo = new HashMap<>();
        Map<String, Integer> allocations = new HashMap<>();
        ClusterState replayed = new ClusterState(WatcherOptions.DEFAULT_SCHEDULER_NAME);
        try (KafkaEventLog log = KafkaEventLog.open(KafkaEventLogConfig.of(kafka))) {
            Replay.Result replay = Replay.run(log, replayed, 0, new Replay.End(),
                    (LoggedEvent e, ApplyResult r) -> {
                if (!r.applied()) {
                    return;
                }
                switch (e.event()) {
                    case Allocated a -> {
                        allocatedTo.put(a.podUid(), a.nodeName());
                        allocations.merge(a.podUid(), 1, Integer::sum);
                    }
                    case Released rel -> {
                        allocatedTo.remove(rel.podUid());
                        allocations.merge(rel.podUid(), -1, Integer::sum);
                    }
                    default -> {
                    }
                }
            }, n -> { });
            // the replay's next offset, not the log end: a transaction's commit marker takes an offset of its own
            long end = replay.nextOffset();
            // each replica's state and offset, taken together; the log may have grown meanwhile (a leader keeps
            // appending what its informers see, e.g. the conditions it sets on waiting pods)
            List<Map.Entry<Proc, JsonNode>> marks = new ArrayList<>();
            for (Proc p : live) {
                JsonNode mark = null;
                for (int attempt = 0; attempt < 100; attempt++) {
                    mark = get(p.healthPort(), "/statez");
                    if (mark != null && mark.path("offset").asLong() >= end) {
                        break;
                    }
                    sleep(200);
                }
                if (mark == null || mark.path("offset").asLong() < end) {
                    violations.add("replica " + p.name() + " did not reach the log end " + end + ": " + mark);
                } else {
                    marks.add(Map.entry(p, mark));
                }
            }
            // compared with the replay carried on to each replica's own offset, lowest first
            marks.sort(java.util.Comparator.comparingLong(m -> m.getValue().path("offset").asLong()));
            long next = end;
            for (Map.Entry<Proc, JsonNode> m : marks) {
                long offset = m.getValue().path("offset").asLong();
                if (offset > next) {
                    next = Replay.run(log, replayed, next, new Replay.Offset(offset), null, null).nextOffset();
                }
                String hash = replayed.hash();
                if (offset != next) {
                    violations.add("replica " + m.getKey().name() + " is at offset " + offset + ", which the replay "
                            + "does not reach (it stops at " + next + ")");
                } else if (!hash.equals(m.getValue().path("stateHash").asText())) {
                    violations.add("replica " + m.getKey().name() + " state hash "
                            + m.getValue().path("stateHash").asText() + " differs from the replay's " + hash
                            + " at offset " + offset);
                }
            }
        }
        Map<String, long[]> perNode = new HashMap<>();
        for (Pod p : pods) {
            if (!"fairway".equals(p.getSpec().getSchedulerName())) {
                continue;
            }
            String uid = p.getMetadata().getUid();
            String node = p.getSpec().getNodeName();
            if (node == null || node.isEmpty()) {
                continue;
            }
            if (!node.equals(allocatedTo.get(uid))) {
                violations.add("pod " + p.getMetadata().getNamespace() + "/" + p.getMetadata().getName() + " is on "
                        + node + " but the log allocated it to " + allocatedTo.get(uid));
            }
            // a pod is allocated again only after a release: more than one allocation in effect is a double booking
            if (allocations.getOrDefault(uid, 0) != 1) {
                violations.add("pod " + p.getMetadata().getNamespace() + "/" + p.getMetadata().getName() + " has "
                        + allocations.getOrDefault(uid, 0) + " allocations in effect in the log");
            }
            Resources req = KubeObjects.pod(p, n -> 0, ns -> null).requests();
            long[] used = perNode.computeIfAbsent(node, n -> new long[2]);
            used[0] += req.get("cpu");
            used[1] += req.get("memory");
        }
        for (Node n : client.nodes().list().getItems()) {
            long[] used = perNode.getOrDefault(n.getMetadata().getName(), new long[2]);
            io.fairway.core.objects.Node node = KubeObjects.node(n);
            if (used[0] > node.allocatable().get("cpu") || used[1] > node.allocatable().get("memory")) {
                violations.add("node " + n.getMetadata().getName() + " is over capacity: cpu " + used[0] + "m of "
                        + node.allocatable().get("cpu") + "m, memory " + used[1] + " of "
                        + node.allocatable().get("memory"));
            }
        }
        // epochs count from 1, one per election
        return replayed.leaderEpoch();
    }

    /** The check "no queue over its max": the violation, if the capped queue's bound pods ask for more than it. */
    static Optional<String> overMax(CappedQueue q) {
        return q.boundMillicores() <= q.maxMillicores() ? Optional.empty()
                : Optional.of("queue " + q.queue() + " uses " + q.boundMillicores() + "m cpu, over its max "
                        + q.maxMillicores() + "m");
    }

    /** The capped queue's bound cpu and its pods bound and waiting, among the scheduler's pods. */
    static CappedQueue capped(List<Pod> pods, long maxMillicores) {
        long millicores = 0;
        int bound = 0;
        int waiting = 0;
        for (Pod p : pods) {
            if (!"fairway".equals(p.getSpec().getSchedulerName()) || !CAPPED_QUEUE.equals(queueOf(p))) {
                continue;
            }
            if (p.getSpec().getNodeName() == null || p.getSpec().getNodeName().isEmpty()) {
                waiting++;
            } else {
                bound++;
                millicores += KubeObjects.pod(p, n -> 0, ns -> null).requests().get("cpu");
            }
        }
        return new CappedQueue(CAPPED_QUEUE, maxMillicores, millicores, bound, waiting);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
