package io.fairway.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.fairway.core.events.PodObserved;
import io.fairway.core.state.ClusterState;
import io.fairway.log.EventLog;
import io.fairway.log.LoggedEvent;
import io.fairway.log.PodStory;
import io.fairway.log.Replay;
import io.fairway.log.StoryBook;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * {@code explain} skips loading a replica's state when no event of the log's tail concerns the pod: so an event that
 * {@link StoryBook#concerns} calls unrelated must leave every story of the book as it was, on realistic logs (gangs,
 * preemptions, deletions, lost nodes).
 */
class StoryBookConcernsTest {
    @Test
    void anEventThatConcernsNoStoryChangesNone() {
        for (long seed = 1; seed <= 3; seed++) {
            EventLog log = LogGenerator.inMemory(seed, 60).log();
            List<LoggedEvent> events = all(log);
            // a few pods, each as its own explain would follow it
            List<String> refs = events.stream()
                    .filter(e -> e.event() instanceof PodObserved)
                    .map(e -> ((PodObserved) e.event()).pod().uid()).distinct()
                    .filter(uid -> Math.floorMod(uid.hashCode(), 7) == 0).limit(12).toList();
            assertThat(refs).isNotEmpty();
            int unrelated = 0;
            for (String ref : refs) {
                ClusterState state = new ClusterState();
                StoryBook book = StoryBook.of(ref, state);
                for (LoggedEvent e : events) {
                    boolean concerns = book.concerns(e.event());
                    Map<String, List<String>> before = told(book);
                    book.applied(e, state.apply(e.event()));
                    if (!concerns) {
                        unrelated++;
                        assertThat(told(book)).as("seed %d, pod %s, offset %d: %s", seed, ref, e.offset(), e.event())
                                .isEqualTo(before);
                    }
                }
                assertThat(book.stories()).as("pod %s has a story", ref).isNotEmpty();
            }
            assertThat(unrelated).isPositive();
        }
    }

    private static Map<String, List<String>> told(StoryBook book) {
        Map<String, List<String>> out = new TreeMap<>();
        for (PodStory s : book.stories()) {
            out.put(s.uid(), List.copyOf(s.lines()));
        }
        return out;
    }

    private static List<LoggedEvent> all(EventLog log) {
        List<LoggedEvent> out = new ArrayList<>();
        Replay.run(log, new ClusterState(), 0, new Replay.End(), (e, r) -> out.add(e), null);
        return out;
    }
}
