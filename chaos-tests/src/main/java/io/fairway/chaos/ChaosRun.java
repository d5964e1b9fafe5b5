package io.fairway.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fairway.chaos.check.CheckInput;
import io.fairway.chaos.check.CheckResult;
import io.fairway.chaos.check.HistoryEntry;
import io.fairway.chaos.check.InvariantChecker;
import io.fairway.chaos.check.LogRecord;
import io.fairway.chaos.check.Violation;
import io.fairway.chaos.check.Window;
import io.fairway.chaos.faults.FaultInjector;
import io.fairway.chaos.faults.FaultKind;
import io.fairway.chaos.faults.FaultSchedule;
import io.fairway.chaos.faults.Injected;
import io.fairway.chaos.harness.ChaosCluster;
import io.fairway.chaos.harness.ChaosWorkload;
import io.fairway.chaos.harness.Probe;
import io.fairway.chaos.harness.ReplicaProcess;
import io.fairway.core.state.ClusterState;
import io.fairway.log.Replay;
import io.fairway.log.kafka.KafkaEventLog;
import io.fairway.log.kafka.KafkaEventLogConfig;
import io.fairway.store.Snapshots;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * One chaos run, as a list of steps: start the system under test, start the users' workload, inject faults one after
 * the other (timing how soon a probe pod is bound after each), stop the workload and let the backlog settle, read
 * what happened from outside (the API server's history, the log, the objects, each replica's state hash), judge it.
 */
public final class ChaosRun {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** After the last fault, pods that fit must be bound within this; the run waits this long at least. */
    static final Duration SETTLE = Duration.ofSeconds(30);
    static final Duration PROBE_TIMEOUT = Duration.ofSeconds(120);

    private final ChaosOptions options;
    private final PrintWriter progress;
    private final List<Window> held = new CopyOnWriteArrayList<>();

    public ChaosRun(ChaosOptions options, PrintWriter progress) {
        this.options = options;
        this.progress = progress;
    }

    public ChaosReport run() throws IOException {
        long started = System.currentTimeMillis();
        Files.createDirectories(options.workDir());
        ChaosCluster.Options co = ChaosCluster.Options.defaults(options.seed()).withReplicas(options.replicas())
                .withTestcontainers(options.testcontainers());
        say("starting 3 brokers, the API server and %d replicas, each its own process, in %s", options.replicas(),
                options.workDir());
        try (ChaosCluster cluster = ChaosCluster.start(options.workDir(), co)) {
            if (cluster.awaitLeader(Duration.ofSeconds(120)) == null) {
                throw new IllegalStateException("no replica took the lead within 120 s; see the replica logs in "
                        + options.workDir());
            }
            List<ChaosReport.FaultRecord> faults = new ArrayList<>();
            long lastFaultEnd;
            try (ChaosWorkload workload = new ChaosWorkload(cluster, options.seed(), options.appsPerMinute())) {
                workload.start();
                sleep(10_000);
                lastFaultEnd = injectAll(cluster, faults);
                workload.stop();
                say("faults done (%d); the workload stopped; settling for at least %d s", faults.size(),
                        SETTLE.toSeconds());
                settle(cluster);
                CheckResult check = judge(cluster);
                List<Violation> violations = new ArrayList<>(check.violations());
                violations.addAll(stateHashes(cluster));
                List<Long> elections = elections(cluster);
                return ChaosReport.of(options, faults, check, violations, elections, started, lastFaultEnd,
                        workload.deletions(), workload.reloads());
            }
        } finally {
            if (!options.keep()) {
                Snapshots.deleteTree(options.workDir());
            }
        }
    }

    private long injectAll(ChaosCluster cluster, List<ChaosReport.FaultRecord> out) {
        FaultSchedule schedule = new FaultSchedule(options.seed(), options.faults());
        FaultInjector injector = new FaultInjector(cluster, options.seed(), held::add, Duration.ofSeconds(2));
        long deadline = System.currentTimeMillis() + options.duration().toMillis();
        int smokeLeft = options.faults().size();
        long lastEnd = System.currentTimeMillis();
        while (options.suite().equals("smoke") ? smokeLeft-- > 0 : System.currentTimeMillis() < deadline) {
            FaultSchedule.Planned p = schedule.next();
            sleep(p.pauseMillis());
            say("fault %d: %s", p.index() + 1, p.kind().label());
            Injected i = injector.inject(p.kind());
            lastEnd = System.currentTimeMillis();
            long recovery = i.wasSkipped() ? -1 : Probe.timeToBind(cluster, PROBE_TIMEOUT);
            say("  %s%s", i.wasSkipped() ? "skipped: " + i.skipped() : "on " + i.target() + ", "
                    + (i.end() - i.start()) + " ms; ", i.wasSkipped() ? "" : recovery < 0 ? "NOT recovered within "
                    + PROBE_TIMEOUT.toSeconds() + " s" : "a probe pod bound " + recovery + " ms after it ended");
            out.add(new ChaosReport.FaultRecord(i, recovery));
        }
        return lastEnd;
    }

    /** Waits at least {@link #SETTLE}, then until the count of unbound pods holds still for 10 s (at most 2 min). */
    private void settle(ChaosCluster cluster) {
        long start = System.currentTimeMillis();
        long stableSince = start;
        long last = -1;
        while (System.currentTimeMillis() - start < 120_000) {
            long pending = cluster.client().pods().inAnyNamespace().list().getItems().stream()
                    .filter(p -> p.getSpec().getNodeName() == null || p.getSpec().getNodeName().isEmpty()).count();
            if (pending != last) {
                last = pending;
                stableSince = System.currentTimeMillis();
            }
            if (System.currentTimeMillis() - start >= SETTLE.toMillis()
                    && System.currentTimeMillis() - stableSince >= 10_000) {
                return;
            }
            sleep(1_000);
        }
    }

    private CheckResult judge(ChaosCluster cluster) throws IOException {
        List<JsonNode> pods = new ArrayList<>();
        for (var p : cluster.client().pods().inAnyNamespace().list().getItems()) {
            pods.add(JSON.readTree(cluster.client().getKubernetesSerialization().asJson(p)));
        }
        List<JsonNode> nodes = new ArrayList<>();
        for (var n : cluster.client().nodes().list().getItems()) {
            nodes.add(JSON.readTree(cluster.client().getKubernetesSerialization().asJson(n)));
        }
        return InvariantChecker.check(new CheckInput(HistoryEntry.read(cluster.api().history()),
                readLog(cluster.kafka().bootstrap()), pods, nodes, held, 2_000, ChaosCluster.CONFIG_NAMESPACE,
                ChaosCluster.CONFIG_NAME));
    }

    /** The whole event topic as raw records, read committed, through the harness's own listener. */
    static List<LogRecord> readLog(String bootstrap) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("isolation.level", "read_committed");
        p.put("enable.auto.commit", "false");
        p.put("key.deserializer", ByteArrayDeserializer.class.getName());
        p.put("value.deserializer", ByteArrayDeserializer.class.getName());
        List<LogRecord> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
            TopicPartition tp = new TopicPartition(ChaosCluster.TOPIC, 0);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long end = c.endOffsets(List.of(tp), Duration.ofSeconds(60)).get(tp);
            long deadline = System.currentTimeMillis() + 120_000;
            while (c.position(tp, Duration.ofSeconds(60)) < end && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(500))) {
                    out.add(LogRecord.parse(r.offset(), r.value()));
                }
            }
        }
        return out;
    }

    /**
     * Each running replica's state hash against a fresh replay of the log up to the same offset (the one check that
     * uses Fairway's own state: it is about determinism, the same log giving the same state).
     */
    private List<Violation> stateHashes(ChaosCluster cluster) {
        List<Violation> out = new ArrayList<>();
        int compared = 0;
        for (ReplicaProcess r : cluster.replicas()) {
            JsonNode s = null;
            for (int attempt = 0; attempt < 10 && (s == null || !s.has("stateHash")); attempt++) {
                s = r.statez();
                if (s == null || !s.has("stateHash")) {
                    sleep(1_000);
                }
            }
            if (s == null || !s.has("stateHash")) {
                out.add(new Violation("state-hash", "replica " + r.name() + " gave no state hash on /statez: "
                        + (s == null ? "no answer" : s), Map.of("replica", r.name())));
                continue;
            }
            compared++;
            long offset = s.path("offset").asLong();
            ClusterState state = new ClusterState();
            try (KafkaEventLog log = KafkaEventLog.openForReading(KafkaEventLogConfig.of(cluster.kafka().bootstrap())
                    .withTopic(ChaosCluster.TOPIC))) {
                Replay.run(log, state, 0, new Replay.Offset(offset), null, null);
            }
            if (!state.hash().equals(s.path("stateHash").asText())) {
                out.add(new Violation("state-hash", "replica " + r.name() + " has state hash "
                        + s.path("stateHash").asText() + " at offset " + offset + ", a fresh replay " + state.hash(),
                        Map.of("replica", r.name(), "offset", offset)));
            }
        }
        say("state hashes: %d of %d replicas compared with a fresh replay of the log", compared,
                cluster.replicas().size());
        return out;
    }

    private static List<Long> elections(ChaosCluster cluster) {
        List<Long> out = new ArrayList<>();
        for (LogRecord r : readLog(cluster.kafka().bootstrap())) {
            if (r.type().equals("LeaderElected")) {
                out.add(r.time());
            }
        }
        return out;
    }

    private void say(String format, Object... args) {
        progress.printf("chaos: " + format + "%n", args);
        progress.flush();
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    static FaultKind[] kinds() {
        return FaultKind.values();
    }
}
