package io.fairway.ui;

import io.fairway.log.PodStory;
import java.util.List;

/** What {@code fairway explain} tells about the pods a reference names, newest pod first. */
public record StoryView(String pod, List<Story> stories) {
    public record Story(String uid, String key, String node, String phase, List<String> lines, List<PodStory.Entry> entries) {
        static Story of(PodStory.Saved saved) {
            PodStory story = PodStory.restore(saved);
            return new Story(saved.uid(), saved.key(), saved.node(), saved.phase(), story.lines(), saved.entries());
        }
    }

    static StoryView of(String ref, List<PodStory.Saved> saved) {
        return new StoryView(ref, saved.stream().map(Story::of).toList());
    }
}
