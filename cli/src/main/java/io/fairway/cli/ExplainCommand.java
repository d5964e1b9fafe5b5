package io.fairway.cli;

import io.fairway.core.state.ClusterState;
import io.fairway.log.LoggedEvent;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
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
    /**
     * Offsets of the log's tail after a store that are read into memory first, to see whether any concerns the pod (a
     * live replica's store is a few hundred milliseconds behind its log); a longer tail is replayed as it streams by.
     */
    private static final long HELD_TAIL = 50_000;

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
        // one read-only client serves both questions (is there a tail after the store, what is in it), and it
        // connects while the store is read: the two take about as long
        CompletableFuture<KafkaEventLog> opening = kafka == null ? CompletableFuture.completedFuture(null)
                : CompletableFuture.supplyAsync(() -> KafkaEventLog.openForReading(config()));
        try {
            return explain(out, opening, start);
        } finally {
            opening.handle((log, e) -> {
                if (log != null) {
                    log.close();
                }
                return null;
            }).join();
        }
    }

    private int explain(PrintWriter out, CompletableFuture<KafkaEventLog> opening, long start) {
        if (data == null) {
            ClusterState state = new ClusterState();
            StoryBook book = StoryBook.of(pod, state);
            Replay.Result r = Replay.run(opened(opening), state, 0, new Replay.End(), book, null);
            return print(out, book, topic + "/" + partition, r.events(), start);
        }
        Path storeDir = Files.exists(data.resolve("CURRENT")) ? data : data.resolve(StateFollower.STORE_DIR);
        try (StateStore store = StateStore.openReadOnly(storeDir)) {
            long from = Math.max(0, store.meta().nextOffset());
            List<PodStory.Saved> saved = store.storiesOf(pod);
            String source = "the state store " + storeDir + " (offset " + from + ")";
            KafkaEventLog log = kafka == null ? null : opened(opening);
            long end = log == null ? from : log.endOffset();
            if (end <= from) {
                return print(out, restored(saved, new ClusterState()), source, 0, start);
            }
            source += " and the log after it";
            if (end - from > HELD_TAIL) {
                // a store far behind its log (a replica stopped long ago): replayed as it streams by
                ClusterState state = loaded(store);
                StoryBook told = restored(saved, state);
                Replay.Result r = Replay.run(log, state, from, new Replay.End(), told, null);
                return print(out, told, source, r.events(), start);
            }
            List<LoggedEvent> tail = new ArrayList<>();
            // applied to a state of its own only because Replay applies what it reads; the events are what is wanted
            Replay.run(log, new ClusterState(), from, new Replay.End(), (e, r) -> tail.add(e), null);
            StoryBook stored = restored(saved, new ClusterState());
            if (tail.stream().noneMatch(e -> stored.concerns(e.event()))) {
                // nothing after the store touches this pod: its stored story is the whole of it
                return print(out, stored, source, tail.size(), start);
            }
            // the tail's events are told against the state they were applied to, as the replica did
            ClusterState state = loaded(store);
            StoryBook told = restored(saved, state);
            for (LoggedEvent e : tail) {
                told.applied(e, state.apply(e.event()));
            }
            return print(out, told, source, tail.size(), start);
        }
    }

    private StoryBook restored(List<PodStory.Saved> saved, ClusterState state) {
        StoryBook book = StoryBook.of(pod, state);
        book.restore(saved);
        return book;
    }

    private static ClusterState loaded(StateStore store) {
        return store.loadState().map(StateStore.Loaded::state).orElseGet(ClusterState::new);
    }

    /** The log once open; its own error (unreachable, no such topic) if it could not be. */
    private static KafkaEventLog opened(CompletableFuture<KafkaEventLog> opening) {
        try {
            return opening.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
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
