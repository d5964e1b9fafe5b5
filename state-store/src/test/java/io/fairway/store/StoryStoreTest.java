package io.fairway.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fairway.core.events.Event;
import io.fairway.core.events.PodGone;
import io.fairway.core.events.PodObserved;
import io.fairway.core.objects.NodeAffinity;
import io.fairway.core.objects.Pod;
import io.fairway.core.objects.PodPhase;
import io.fairway.core.resources.Resources;
import io.fairway.core.state.ClusterState;
import io.fairway.log.InMemoryEventLog;
import io.fairway.log.LoggedEvent;
import io.fairway.log.PodStory;
import io.fairway.log.Replay;
import io.fairway.log.StatePublisher;
import io.fairway.log.StoryBook;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pod stories in the store: told as the log is followed, the same as a replay tells them, and not kept forever. */
class StoryStoreTest {
    @TempDir
    Path tmp;

    /** Every story a whole replay tells, with nothing forgotten. */
    private static Map<String, PodStory.Saved> replayedStories(InMemoryEventLog log) {
        ClusterState s = new ClusterState();
        StoryBook book = StoryBook.of(null, s);
        Replay.run(log, s, 0, new Replay.End(), book, null);
        Map<String, PodStory.Saved> out = new HashMap<>();
        book.stories().forEach(p -> out.put(p.uid(), p.save()));
        return out;
    }

    @Test
    void storedStoriesAreThoseOfAReplayAfterACrashARestartAndFollowing() {
        InMemoryEventLog log = new InMemoryEventLog();
        LogGenerator g = new LogGenerator(log, 41, false);
        g.rounds(40);
        Path data = tmp.resolve("replica");
        FollowerOptions opts = FollowerOptions.defaults().withBatchEvents(17).withCatchUpBatchEvents(53)
                .withSnapshots(SnapshotPolicy.none());
        AtomicInteger applied = new AtomicInteger();
        assertThatThrownBy(() -> StateFollower.recover(data, log, opts.withPublisher(StatePublisher.onApplied((e, r) -> {
            if (applied.incrementAndGet() == 301) {
                throw new RecoveryTest.Crash(e.offset());
            }
        })))).isInstanceOf(RecoveryTest.Crash.class);

        List<String> uids;
        try (StateFollower f = StateFollower.recover(data, log, opts)) {
            assertThat(f.recovery().source()).isEqualTo(Recovery.Source.STORE);
            g.rounds(30);
            while (f.nextOffset() < log.endOffset()) {
                f.poll(Duration.ofMillis(10));
            }
            f.flush();
            uids = new ArrayList<>();
            f.state().pods().forEach(p -> uids.add(p.uid()));
            uids.addAll(f.state().tombstones().keySet());
        }
        Map<String, PodStory.Saved> expected = replayedStories(log);
        assertThat(uids).hasSizeGreaterThan(50);
        try (StateStore store = StateStore.openReadOnly(data.resolve(StateFollower.STORE_DIR))) {
            List<PodStory.Saved> stored = store.stories(uids);
            // every pod the state knows has its story, but for deletions of pods never observed (a tombstone only)
            assertThat(stored).extracting(PodStory.Saved::uid).containsExactlyInAnyOrderElementsOf(
                    uids.stream().filter(expected::containsKey).toList());
            assertThat(stored.size()).isGreaterThan(uids.size() * 9 / 10);
            for (PodStory.Saved s : stored) {
                assertThat(s).as(s.uid()).isEqualTo(expected.get(s.uid()));
            }
            PodStory.Saved one = stored.get(0);
            assertThat(store.storiesOf(one.key())).contains(one);
            assertThat(store.storiesOf(one.uid())).containsExactly(one);
            assertThat(store.storiesOf("nobody/nothing")).isEmpty();
            assertThatThrownBy(() -> store.writeFull(new ClusterState(), 0)).isInstanceOf(StoreException.class)
                    .hasMessageContaining("read-only");
        }
    }

    /** The stories of pods whose tombstone the state forgot are swept out with their name rows. */
    @Test
    void storiesOfForgottenPodsAreSweptOut() {
        ClusterState state = new ClusterState();
        StoryBook book = StoryBook.all(state);
        List<Event> pending = new ArrayList<>();
        long offset = 0;
        int pods = 70_000;
        try (StateStore store = StateStore.open(tmp.resolve("s"))) {
            store.storySweepEvery = 1000;
            store.writeFull(state, 0);
            for (int i = 0; i < pods; i++) {
                String uid = String.format("uid-%06d", i);
                Pod pod = new Pod(uid, "ns", "same-name", "app-" + i, "", "u", List.of(),
                        Resources.of("cpu", 100), 0, Map.of(), NodeAffinity.NONE, List.of(), "fairway", "",
                        PodPhase.Pending, i, "1");
                for (Event e : List.<Event>of(new PodObserved(i, pod), new PodGone(i, uid, "2"))) {
                    book.applied(new LoggedEvent(offset++, e), state.apply(e));
                    pending.add(e);
                }
                if (pending.size() >= 2000) {
                    store.write(state, offset, book.drain());
                    pending.clear();
                }
            }
            store.write(state, offset, book.drain());
            assertThat(book.size()).as("deleted pods' stories leave memory once written").isZero();
            int tombstones = state.tombstones().size();
            assertThat(tombstones).isLessThan(pods);
            // forgotten: gone from the store but for at most one sweep interval's worth
            assertThat(store.stories(List.of("uid-000000", "uid-000100"))).isEmpty();
            assertThat(store.stories(List.of(String.format("uid-%06d", pods - 1)))).hasSize(1);
            List<PodStory.Saved> byName = store.storiesOf("ns/same-name");
            assertThat(byName.size()).isBetween(tombstones, tombstones + 1000 + 2000);
            assertThat(byName.get(0).uid()).as("newest first").isEqualTo(String.format("uid-%06d", pods - 1));
        }
    }
}
