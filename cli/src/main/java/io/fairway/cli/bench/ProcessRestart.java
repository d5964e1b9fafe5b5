package io.fairway.cli.bench;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fairway.core.state.ClusterState;
import io.fairway.ha.ElectionOptions;
import io.fairway.sandbox.apiserver.ApiServerOptions;
import io.fairway.sandbox.apiserver.LocalApiServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A restart as an operator sees it: {@code fairway run} started as a process of its own (this JVM's java and flags) on
 * a store built before, against Kafka and an API server that holds the store's nodes and pods, timed from the process's
 * start to its first {@code /readyz} 200. Another replica holds the lease throughout (this benchmark renews it), so the
 * restarted one comes up as a standby: what is timed is recovery, not taking the lead.
 */
public final class ProcessRestart {
    private static final Pattern PORT = Pattern.compile("health on port (\\d+)");
    private static final Pattern STARTUP = Pattern.compile("fairway run: start-up (.*)");
    private static final Pattern PAIR = Pattern.compile("(\\w+)=(-?[0-9.]+)");
    /** JVM flags of this process that are its own business, not the replica's: its CDS archive, agents, recordings. */
    private static final List<String> NOT_INHERITED = List.of("-XX:SharedArchiveFile", "-XX:+AutoCreateSharedArchive",
            "-XX:ArchiveClassesAtExit", "-Xlog:cds", "-XX:StartFlightRecording", "-XX:FlightRecorderOptions",
            "-agentlib", "-javaagent", "-Dfairway.home");
    private static final Duration READY_TIMEOUT = Duration.ofMinutes(5);

    private ProcessRestart() {
    }

    /**
     * One start of the replica process.
     *
     * @param readySeconds  from just before the process was started to the first {@code /readyz} 200
     * @param split         where that time went, in order, seconds: {@code exec} (to the JVM's start), {@code jvmToMain},
     *                      {@code commandLine} (main to the run command), {@code settings}, then {@code fairway run}'s
     *                      own steps ({@code apiClient}, {@code kafka}, {@code load}, {@code catchUp},
     *                      {@code afterStore}: mostly the wait for the informers, {@code console}) and
     *                      {@code untilReadyz} (started to the first 200: a probe's poll and its call for the log's end)
     * @param informersSeconds the informers' first lists, which run once the store is loaded (not in the split)
     * @param listedSeconds from just before the process was started to its informers' first lists being done (from
     *                      {@code /statez}): from then on it may lead
     * @param liveHeapBytes the replica's heap after a full collection ({@code jcmd GC.class_histogram}) once its
     *                      informers have listed, -1 without jcmd
     * @param output        the process's output (kept only when it failed)
     */
    public record Run(double readySeconds, Map<String, Double> split, double informersSeconds, double listedSeconds,
                      long liveHeapBytes, Path output) {
    }

    /**
     * The API server with the cluster, and the lease held by another replica, for {@link #start} to start replicas
     * against; closed when the benchmark is done.
     */
    public static final class Cluster implements AutoCloseable {
        private final LocalApiServer server;
        private final KubernetesClient admin;
        private final ScheduledExecutorService leader;
        private final Path kubeconfig;
        private final int pods;

        private Cluster(LocalApiServer server, KubernetesClient admin, ScheduledExecutorService leader, Path kubeconfig,
                        int pods) {
            this.server = server;
            this.admin = admin;
            this.leader = leader;
            this.kubeconfig = kubeconfig;
            this.pods = pods;
        }

        /** Starts the local API server in this process and writes {@code state}'s nodes and pods to it. */
        public static Cluster of(ClusterState state, Path dir) {
            LocalApiServer server = LocalApiServer.start(ApiServerOptions.defaults());
            KubernetesClient admin = null;
            ScheduledExecutorService leader = null;
            try {
                admin = new KubernetesClientBuilder().withConfig(new ConfigBuilder().withMasterUrl(server.url())
                        .withHttp2Disable(true).build()).build();
                int pods = ApiServerCluster.write(admin, server.url(), state);
                leader = holdLease(admin);
                return new Cluster(server, admin, leader, server.writeKubeconfig(dir.resolve("kubeconfig")), pods);
            } catch (RuntimeException e) {
                if (leader != null) {
                    leader.shutdownNow();
                }
                if (admin != null) {
                    admin.close();
                }
                server.close();
                throw e;
            }
        }

        /** Pods in the API server. */
        public int pods() {
            return pods;
        }

        @Override
        public void close() {
            leader.shutdownNow();
            admin.close();
            server.close();
        }
    }

    /** Another replica, "bench-leader", holds the lease and renews it as a leader would, until the cluster closes. */
    private static ScheduledExecutorService holdLease(KubernetesClient admin) {
        String ns = ElectionOptions.DEFAULT_NAMESPACE;
        if (admin.namespaces().withName(ns).get() == null) {
            admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
                    .create();
        }
        ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
        admin.leases().inNamespace(ns).resource(new LeaseBuilder().withNewMetadata().withName(ElectionOptions.DEFAULT_NAME)
                .withNamespace(ns).endMetadata().withNewSpec().withHolderIdentity("bench-leader")
                .withLeaseDurationSeconds(2).withAcquireTime(now).withRenewTime(now).withLeaseTransitions(0).endSpec()
                .build()).create();
        ScheduledExecutorService renew = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "bench-restart-leader");
            t.setDaemon(true);
            return t;
        });
        renew.scheduleWithFixedDelay(() -> {
            try {
                admin.leases().inNamespace(ns).withName(ElectionOptions.DEFAULT_NAME).edit(l -> renewed(l));
            } catch (RuntimeException e) {
                // the next renewal tries again; the lease lasts 2 s, eight renewals
            }
        }, 250, 250, TimeUnit.MILLISECONDS);
        return renew;
    }

    private static Lease renewed(Lease l) {
        l.getSpec().setRenewTime(ZonedDateTime.now(ZoneOffset.UTC));
        return l;
    }

    /**
     * Starts {@code fairway run} on {@code dataDir} against {@code cluster} and the log ({@code kafka}, {@code topic}),
     * times it to its first {@code /readyz} 200, measures its live heap and stops it (SIGTERM).
     *
     * @param extraJvmOptions added after this JVM's own (e.g. a flight recording, a CDS archive)
     */
    public static Run start(Cluster cluster, String kafka, String topic, Path dataDir, List<String> extraJvmOptions,
                            Path work) throws IOException, InterruptedException {
        Path out = work.resolve("fairway-run-" + System.nanoTime() + ".log");
        List<String> cmd = command(kafka, topic, cluster.kubeconfig, dataDir, extraJvmOptions);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        // this JVM's HTTP client warmed up first (one call to the API server): its own start is not the replica's
        http.send(HttpRequest.newBuilder(URI.create(cluster.server.url() + "/version")).build(),
                HttpResponse.BodyHandlers.discarding());
        long spawnMillis = System.currentTimeMillis();
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        boolean ok = false;
        try {
            Ready r = awaitReady(http, p, out, t0);
            double ready = r.seconds();
            String text = Files.readString(out);
            Map<String, Double> split = split(text, spawnMillis, ready);
            Listed listed = awaitListed(http, p, r.port(), t0);
            long heap = liveHeapBytes(p.pid());
            ok = true;
            return new Run(ready, split, listed.tookSeconds(), listed.atSeconds(), heap, out);
        } finally {
            p.destroy();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
            }
            if (ok) {
                Files.deleteIfExists(out);
            }
        }
    }

    static List<String> command(String kafka, String topic, Path kubeconfig, Path dataDir, List<String> extra) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (NOT_INHERITED.stream().noneMatch(a::startsWith)) {
                cmd.add(a);
            }
        }
        cmd.addAll(extra);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.fairway.cli.Fairway", "run",
                "--kafka", kafka, "--kubeconfig", kubeconfig.toString(), "--replica", "bench-restart",
                "--data", dataDir.toString(), "--health-port", "0", "--set", "kafka.topic=" + topic,
                "--set", "kafka.replicationFactor=1", "--set", "kafka.minInsyncReplicas=1"));
        return cmd;
    }

    /**
     * Seconds from {@code t0} to the replica's informers having listed (asked of {@code /statez} every 50 ms), and how
     * long their lists took.
     */
    private record Listed(double atSeconds, double tookSeconds) {
    }

    private static Listed awaitListed(HttpClient http, Process p, int port, long t0)
            throws IOException, InterruptedException {
        long deadline = t0 + READY_TIMEOUT.toNanos();
        Pattern listed = Pattern.compile("\"informersListedSeconds\"\\s*:\\s*([0-9.Ee+-]+)");
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IllegalStateException("fairway run exited with " + p.exitValue() + " while its informers "
                        + "listed");
            }
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                    + "/statez")).timeout(Duration.ofSeconds(15)).build(), HttpResponse.BodyHandlers.ofString());
            Matcher m = listed.matcher(r.body());
            if (r.statusCode() == 200 && m.find() && Double.parseDouble(m.group(1)) > 0) {
                return new Listed((System.nanoTime() - t0) / 1e9, Double.parseDouble(m.group(1)));
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("fairway run's informers had not listed within " + READY_TIMEOUT);
    }

    /** When the replica first answered {@code /readyz} 200 (seconds from its spawn), and on which port. */
    private record Ready(double seconds, int port) {
    }

    /** The first {@code /readyz} 200, asked every 10 ms once the health port is known. */
    private static Ready awaitReady(HttpClient http, Process p, Path out, long t0)
            throws IOException, InterruptedException {
        long deadline = t0 + READY_TIMEOUT.toNanos();
        int port = -1;
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IllegalStateException("fairway run exited with " + p.exitValue() + " before it was ready; "
                        + "its output: " + out + "\n" + tail(out));
            }
            if (port < 0) {
                Matcher m = PORT.matcher(Files.readString(out));
                if (m.find()) {
                    port = Integer.parseInt(m.group(1));
                }
            }
            if (port > 0) {
                try {
                    HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                            + "/readyz")).timeout(Duration.ofSeconds(15)).build(), HttpResponse.BodyHandlers.discarding());
                    if (r.statusCode() == 200) {
                        return new Ready((System.nanoTime() - t0) / 1e9, port);
                    }
                } catch (IOException e) {
                    // not listening yet
                }
            }
            Thread.sleep(10);
        }
        throw new IllegalStateException("fairway run was not ready within " + READY_TIMEOUT + "; its output: " + out
                + "\n" + tail(out));
    }

    private static String tail(Path out) throws IOException {
        List<String> lines = Files.readAllLines(out);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    }

    /** The ready time split by the replica's start-up line (its clock and this one are the machine's). */
    static Map<String, Double> split(String output, long spawnMillis, double readySeconds) {
        Map<String, Double> v = startupLine(output);
        double jvm = v.get("jvmStartMillis");
        double main = v.get("mainAtMillis");
        double run = v.get("runAtMillis");
        double started = v.get("startedAtMillis");
        Map<String, Double> s = new LinkedHashMap<>();
        s.put("exec", (jvm - spawnMillis) / 1000);
        s.put("jvmToMain", (main - jvm) / 1000);
        s.put("commandLine", (run - main) / 1000);
        s.put("settings", Math.max(0, (started - run) / 1000 - v.get("total")));
        for (String k : List.of("apiClient", "kafka", "load", "catchUp", "afterStore", "console")) {
            s.put(k, v.get(k));
        }
        s.put("untilReadyz", Math.max(0, readySeconds - (started - spawnMillis) / 1000));
        return s;
    }

    /** The pairs of fairway run's start-up line. */
    static Map<String, Double> startupLine(String output) {
        Matcher line = STARTUP.matcher(output);
        if (!line.find()) {
            throw new IllegalStateException("fairway run printed no start-up line: " + output);
        }
        Map<String, Double> v = new LinkedHashMap<>();
        Matcher m = PAIR.matcher(line.group(1));
        while (m.find()) {
            v.put(m.group(1), Double.parseDouble(m.group(2)));
        }
        return v;
    }

    /**
     * The replica's live heap: {@code jcmd GC.class_histogram} collects in full first and sums the objects left; -1
     * when this JDK has no jcmd.
     */
    private static long liveHeapBytes(long pid) throws IOException, InterruptedException {
        Path java = Path.of(ProcessHandle.current().info().command().orElse("java"));
        Path jcmd = java.resolveSibling("jcmd");
        if (!Files.isExecutable(jcmd)) {
            return -1;
        }
        Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid), "GC.class_histogram")
                .redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        Matcher m = Pattern.compile("(?m)^Total\\s+\\d+\\s+(\\d+)").matcher(text);
        if (!m.find()) {
            throw new UncheckedIOException(new IOException("jcmd " + pid + " GC.class_histogram gave no total: "
                    + text.substring(0, Math.min(500, text.length()))));
        }
        return Long.parseLong(m.group(1));
    }
}
