package io.fairway.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.fairway.core.state.ClusterState;
import io.fairway.core.state.PodState;
import io.fairway.core.state.StateSnapshot;
import io.fairway.log.PodStory;
import io.fairway.log.Replay;
import io.fairway.log.StoryBook;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The rows written field by field are the very JSON the mapper writes, and read back the same. */
class EntityCodecTest {
    private final EntityCodec codec = new EntityCodec();

    @Test
    void podAndStoryRowsAreTheMappersJson() {
        for (long seed = 1; seed <= 6; seed++) {
            LogGenerator g = LogGenerator.inMemory(seed, 60);
            ClusterState state = new ClusterState();
            StoryBook book = StoryBook.all(state);
            int pods = 0;
            int stories = 0;
            long end = g.log().endOffset();
            for (long from = 0; from < end; from += 97) {
                // stories drained along the way: in progress, waiting, deleted, gangs, preemptions
                Replay.run(g.log(), state, from, new Replay.Offset(Math.min(from + 97, end)), book, null);
                for (PodStory.Saved s : book.drain().stories()) {
                    assertSame(codec.story(s), codec.storyByMapper(s));
                    assertThat(codec.story(codec.story(s))).isEqualTo(s);
                    stories++;
                }
                for (PodState p : state.pods()) {
                    StateSnapshot.PodEntry e = StateSnapshot.podEntry(state, p.uid());
                    assertSame(codec.pod(e), codec.podByMapper(e));
                    assertThat(codec.pod(codec.pod(e))).isEqualTo(e);
                    pods++;
                }
            }
            assertThat(pods).isGreaterThan(100);
            assertThat(stories).isGreaterThan(50);
        }
    }

    private static void assertSame(byte[] fieldByField, byte[] mapper) {
        assertThat(new String(fieldByField, StandardCharsets.UTF_8)).isEqualTo(new String(mapper, StandardCharsets.UTF_8));
    }
}
