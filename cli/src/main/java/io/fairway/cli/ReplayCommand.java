package io.fairway.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fairway.core.state.AppState;
import io.fairway.core.state.ClusterState;
import io.fairway.core.state.PodState;
import io.fairway.core.state.QueueState;
import io.fairway.log.Replay;
import io.fairway.log.kafka.KafkaEventLog;
import io.fairway.log.kafka.KafkaEventLogConfig;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code fairway replay}: rebuilds the scheduler's state from the Kafka log at any offset or time. */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = "Rebuilds the state from the event log up to an offset or a time and prints a summary or its hash.")
public final class ReplayCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--kafka", required = true, paramLabel = "HOST:PORT", description = "Kafka bootstrap servers.")
    String kafka;

    @Option(names = "--topic", defaultValue = KafkaEventLogConfig.DEFAULT_TOPIC, description = "Topic (default ${DEFAULT-VALUE}).")
    String topic;

    @Option(names = "--partition", defaultValue = "0", description = "Scheduling partition (default ${DEFAULT-VALUE}).")
    int partition;

    @Option(names = "--until", paramLabel = "OFFSET|TIME",
            description = "Stop before this offset, or after this time (ISO-8601, e.g. 2026-11-22T10:00:00Z). Default: the end.")
    String until;

    @Option(names = "--state-hash", description = "Print only the state's hash.")
    boolean stateHash;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Replay.Until limit = parseUntil();
        KafkaEventLogConfig config = KafkaEventLogConfig.of(kafka).withTopic(topic).withPartition(partition, partition + 1);
        ClusterState state = new ClusterState();
        Replay.Result result;
        try (KafkaEventLog log = KafkaEventLog.openForReading(config)) {
            long end = log.endOffset();
            boolean bar = System.console() != null && !json;
            result = Replay.run(log, state, 0, limit, null, position -> {
                if (bar && end > 0) {
                    int pct = (int) Math.min(100, position * 100 / end);
                    err.printf("\rreading %s/%d: %3d%% [%-40s] %d/%d", topic, partition, pct, "#".repeat(pct * 40 / 100),
                            position, end);
                    err.flush();
                }
            });
            if (bar) {
                err.println();
            }
        }
        if (stateHash && !json) {
            out.println(state.hash());
        } else if (json) {
            out.println(new ObjectMapper().writeValueAsString(summary(state, result)));
        } else {
            print(out, state, result);
        }
        out.flush();
        return 0;
    }

    private Replay.Until parseUntil() {
        if (until == null) {
            return new Replay.End();
        }
        if (until.matches("[0-9]+")) {
            return new Replay.Offset(Long.parseLong(until));
        }
        try {
            return new Replay.Time(Instant.parse(until).toEpochMilli());
        } catch (DateTimeParseException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--until " + until
                    + " is neither an offset (a whole number) nor a time such as 2026-11-22T10:00:00Z");
        }
    }

    private static Map<String, Object> summary(ClusterState state, Replay.Result r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("nextOffset", r.nextOffset());
        m.put("events", r.events());
        m.put("ignored", r.ignored());
        m.put("eventsPerSecond", Math.round(r.eventsPerSecond()));
        m.put("leaderEpoch", state.leaderEpoch());
        m.put("hash", state.hash());
        m.put("nodes", state.nodes().size());
        long pending = 0;
        long placed = 0;
        for (PodState p : state.pods()) {
            if (p.role() == PodState.Role.PENDING) {
                pending++;
            } else if (p.role() == PodState.Role.PLACED) {
                placed++;
            }
        }
        m.put("podsPending", pending);
        m.put("podsRunning", placed);
        Map<String, Integer> apps = new TreeMap<>();
        for (AppState a : state.apps().values()) {
            apps.merge(a.status().name(), 1, Integer::sum);
        }
        m.put("apps", apps);
        Map<String, Object> queues = new LinkedHashMap<>();
        for (QueueState q : state.queues().all().values()) {
            queues.put(q.fullName(), Map.of("allocated", q.allocated().snapshot().toQuantities(),
                    "pending", q.pending().snapshot().toQuantities(), "runningApps", q.runningApps()));
        }
        m.put("queues", queues);
        return m;
    }

    @SuppressWarnings("unchecked")
    private static void print(PrintWriter out, ClusterState state, Replay.Result r) {
        Map<String, Object> s = summary(state, r);
        out.printf(Locale.ROOT, "replayed %d events (%d ignored) up to offset %d at %,.0f events/s; leader epoch %d%n",
                r.events(), r.ignored(), r.nextOffset(), r.eventsPerSecond(), state.leaderEpoch());
        out.printf("nodes %d, pods pending %d, running %d; apps %s%n", state.nodes().size(), s.get("podsPending"),
                s.get("podsRunning"), s.get("apps"));
        out.println("queues:");
        ((Map<String, Map<String, Object>>) s.get("queues")).forEach((name, q) -> out.printf(
                "  %-40s allocated %s pending %s running apps %s%n", name, q.get("allocated"), q.get("pending"),
                q.get("runningApps")));
        out.println("state hash " + state.hash());
    }
}
