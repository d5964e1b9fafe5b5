package io.fairway.cli;

import io.fairway.core.state.ClusterState;
import io.fairway.log.PodStory;
import io.fairway.log.Replay;
import io.fairway.log.StoryBook;
import io.fairway.log.kafka.KafkaEventLog;
import io.fairway.log.kafka.KafkaEventLogConfig;
import io.fairway.store.StateFollower;
import io.fairway.store.StateStore;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code fairway explain POD}: the pod's story from the event log. */
@Command(name = "explain", mixinStandardHelpOptions = true,
        description = {"Tells a pod's story from the event log: observed, queued, every distinct reason it waited "
                + "and for how long, allocated where and by which leader, bound, finished.",
                "With --data, the story comes from a replica's state store (which tells every pod's story as it "
                        + "follows the log), plus the log's tail after the store's offset when --kafka is given too: "
                        + "fast on any log. With --kafka alone the whole log is replayed.",
                "A namespace/name that named several pods over time tells each, newest first.",
                "Exit code: 0 found, 1 the log never saw the pod."})
public final class ExplainCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "POD", description = "namespace/name or uid")
    String pod;

    @Option(names = "--kafka", paramLabel = "HOST:PORT", description = "Kafka bootstrap servers.")
    String kafka;

    @Option(names = "--topic", defaultValue = KafkaEventLogConfig.DEFAULT_TOPIC, description = "Topic (default ${DEFAULT-VALUE}).")
    String topic;

    @Option(names = "--partition", defaultValue = "0", description = "Scheduling partition (default ${DEFAULT-VALUE}).")
    int partition;

    @Option(names = "--data", paramLabel = "DIR", description = "A replica's data directory (or its store directory); "
            + "read only, the replica may be running.")
    Path data;

    @Override
    public Integer call() {
        if (kafka == null && data == null) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "give --kafka HOST:PORT (replays the log), --data DIR (a replica's stories), or both");
        }
        PrintWriter out = spec.commandLine().getOut();
        long start = System.nanoTime();
        // one read-only client serves both questions: is there a tail after the store, and what is in it
        try (KafkaEventLog log = kafka == null ? null : KafkaEventLog.openForReading(config())) {
            return explain(out, log, start);
        }
    }

    private int explain(PrintWriter out, KafkaEventLog log, long start) {
        ClusterState state = new ClusterState();
        StoryBook book = null;
        long from = 0;
        String source = topic + "/" + partition;
        if (data != null) {
            Path storeDir = Files.exists(data.resolve("CURRENT")) ? data : data.resolve(StateFollower.STORE_DIR);
            try (StateStore store = StateStore.openReadOnly(storeDir)) {
                from = Math.max(0, store.meta().nextOffset());
                List<PodStory.Saved> saved = store.storiesOf(pod);
                boolean tail = log != null && log.endOffset() > from;
                if (tail) {
                    // the tail's events are told against the state they were applied to, as the replica did
                    state = store.load().map(StateStore.Loaded::state).orElseGet(ClusterState::new);
                }
                book = StoryBook.of(pod, state);
                book.restore(saved);
                source = "the state store " + storeDir + " (offset " + from + ")";
                if (!tail) {
                    return print(out, book, source, 0, start);
                }
            }
        }
        if (book == null) {
            book = StoryBook.of(pod, state);
        }
        Replay.Result r = Replay.run(log, state, from, new Replay.End(), book, null);
        return print(out, book, data == null ? source : source + " and the log after it", r.events(), start);
    }

    private KafkaEventLogConfig config() {
        return KafkaEventLogConfig.of(kafka).withTopic(topic).withPartition(partition, partition + 1);
    }

    private int print(PrintWriter out, StoryBook book, String source, long events, long start) {
        double seconds = (System.nanoTime() - start) / 1e9;
        List<PodStory> found = book.stories();
        if (found.isEmpty()) {
            out.printf(Locale.ROOT, "pod %s does not appear in %s (%d events read); give namespace/name or the uid%n",
                    pod, source, events);
            out.flush();
            return 1;
        }
        if (found.size() > 1) {
            out.printf("%d pods were named %s; newest first%n", found.size(), pod);
        }
        for (PodStory story : found) {
            out.printf("pod %s (uid %s)%n", story.key(), story.uid());
            story.lines().forEach(line -> out.println("  " + line));
        }
        out.printf(Locale.ROOT, "(from %s; %d events read; %.3f s)%n", source, events, seconds);
        out.flush();
        return 0;
    }
}
