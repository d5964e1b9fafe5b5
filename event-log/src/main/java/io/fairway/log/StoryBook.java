package io.fairway.log;

import io.fairway.core.events.Allocated;
import io.fairway.core.events.Event;
import io.fairway.core.events.GangReleased;
import io.fairway.core.events.GangReserved;
import io.fairway.core.events.NodeGone;
import io.fairway.core.events.PodGone;
import io.fairway.core.events.PodObserved;
import io.fairway.core.events.PreemptionRequested;
import io.fairway.core.events.Released;
import io.fairway.core.events.Unschedulable;
import io.fairway.core.state.ApplyResult;
import io.fairway.core.state.ClusterState;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The stories of pods, told while the log is applied: a {@link Replay.Listener} on the same state, called right after
 * every event. Either every pod's (a replica, which stores them so that {@code explain} reads a story instead of
 * replaying the log), or those of one pod reference (a uid, or a {@code namespace/name} that may have named several
 * pods over time).
 *
 * <p>Only stories still in progress stay in memory: a story whose pod was deleted is handed out once more by
 * {@link #drain} and then forgotten.
 */
public final class StoryBook implements Replay.Listener {
    /** What changed since the last drain: the stories to write, and which of them are new (their name to index). */
    public record Drained(List<PodStory.Saved> stories, Set<String> created) {
    }

    private final ClusterState state;
    /** Null: every pod. */
    private final String ref;
    private final Map<String, PodStory> stories = new HashMap<>();
    private final Map<String, Set<String>> byNode = new HashMap<>();
    /** Stories by app, for the app's gang decisions. */
    private final Map<String, Set<String>> byApp = new HashMap<>();
    private final Set<String> dirty = new LinkedHashSet<>();
    private final Set<String> created = new HashSet<>();

    private StoryBook(ClusterState state, String ref) {
        this.state = state;
        this.ref = ref;
    }

    /** Every pod's story, over {@code state} (the one the events are applied to). */
    public static StoryBook all(ClusterState state) {
        return new StoryBook(state, null);
    }

    /** The stories of the pods {@code ref} names: a uid, or {@code namespace/name}. */
    public static StoryBook of(String ref, ClusterState state) {
        return new StoryBook(state, ref);
    }

    /** Carries on with stories stored earlier, as of the state they were stored with. */
    public void restore(Collection<PodStory.Saved> saved) {
        for (PodStory.Saved s : saved) {
            PodStory story = PodStory.restore(s);
            stories.put(story.uid(), story);
            link(story.uid(), "", story.node());
            linkApp(story.uid(), story.appId());
        }
    }

    @Override
    public void applied(LoggedEvent logged, ApplyResult result) {
        switch (logged.event()) {
            case PodObserved po -> {
                String uid = po.pod().uid();
                if (result.applied() && !stories.containsKey(uid) && wanted(uid, po.pod().key())) {
                    stories.put(uid, new PodStory(uid, po.pod().key()));
                    created.add(uid);
                }
                PodStory story = stories.get(uid);
                // a story is linked to the app it tells of already: only another app id needs a link
                if (story != null && !story.appId().equals(po.pod().appId())) {
                    linkApp(uid, po.pod().appId());
                }
                tell(uid, logged, result);
            }
            case GangReserved g -> tellApp(g.appId(), logged, result);
            case GangReleased g -> tellApp(g.appId(), logged, result);
            case Unschedulable u -> tell(u.podUid(), logged, result);
            case Allocated a -> tell(a.podUid(), logged, result);
            case Released r -> tell(r.podUid(), logged, result);
            case PreemptionRequested p -> {
                p.victims().forEach(v -> tell(v, logged, result));
                if (!p.preemptorUid().isEmpty()) {
                    tell(p.preemptorUid(), logged, result);
                }
            }
            case PodGone g -> tell(g.uid(), logged, result);
            case NodeGone g -> {
                Set<String> on = byNode.get(g.name());
                if (on != null) {
                    for (String uid : List.copyOf(on)) {
                        tell(uid, logged, result);
                    }
                }
            }
            default -> {
            }
        }
    }

    /**
     * Whether {@link #applied} of this event could tell a story of this book, or start one, judged without applying
     * it: {@code explain} reads the log's tail after a replica's store first, and loads the store's whole state to
     * tell the tail only when an event of it concerns the pod. Mirrors the cases of {@link #applied}.
     */
    public boolean concerns(Event event) {
        return switch (event) {
            case PodObserved po -> stories.containsKey(po.pod().uid()) || wanted(po.pod().uid(), po.pod().key());
            case GangReserved g -> byApp.containsKey(g.appId());
            case GangReleased g -> byApp.containsKey(g.appId());
            case Unschedulable u -> stories.containsKey(u.podUid());
            case Allocated a -> stories.containsKey(a.podUid());
            case Released r -> stories.containsKey(r.podUid());
            case PreemptionRequested p -> stories.containsKey(p.preemptorUid())
                    || p.victims().stream().anyMatch(stories::containsKey);
            case PodGone g -> stories.containsKey(g.uid());
            case NodeGone g -> byNode.containsKey(g.name());
            default -> false;
        };
    }

    private void tellApp(String appId, LoggedEvent logged, ApplyResult result) {
        Set<String> of = byApp.get(appId);
        if (of != null) {
            for (String uid : List.copyOf(of)) {
                tell(uid, logged, result);
            }
        }
    }

    private void linkApp(String uid, String appId) {
        if (!appId.isEmpty()) {
            byApp.computeIfAbsent(appId, k -> new HashSet<>()).add(uid);
        }
    }

    private boolean wanted(String uid, String key) {
        return ref == null || ref.equals(uid) || ref.equals(key);
    }

    private void tell(String uid, LoggedEvent logged, ApplyResult result) {
        PodStory story = stories.get(uid);
        if (story == null || story.deleted()) {
            // A deleted pod's story is closed: it stays in memory only until drained, and what its app or node does
            // later must not reach it there, or a replica that drained sooner would tell it differently.
            return;
        }
        String nodeBefore = story.node();
        long before = story.told();
        story.applied(logged, result, state);
        if (!nodeBefore.equals(story.node())) {
            link(uid, nodeBefore, story.node());
        }
        if (story.told() != before || story.deleted()) {
            dirty.add(uid);
        }
    }

    private void link(String uid, String from, String to) {
        if (!from.isEmpty()) {
            Set<String> s = byNode.get(from);
            if (s != null && s.remove(uid) && s.isEmpty()) {
                byNode.remove(from);
            }
        }
        if (!to.isEmpty()) {
            byNode.computeIfAbsent(to, k -> new HashSet<>()).add(uid);
        }
    }

    /** The stories told since the last drain; those of deleted pods are forgotten here. */
    public Drained drain() {
        List<PodStory.Saved> out = new ArrayList<>(dirty.size());
        Set<String> fresh = new HashSet<>();
        for (String uid : dirty) {
            PodStory story = stories.get(uid);
            out.add(story.save());
            if (created.contains(uid)) {
                fresh.add(uid);
            }
            if (story.deleted()) {
                stories.remove(uid);
                link(uid, story.node(), "");
                Set<String> app = byApp.get(story.appId());
                if (app != null && app.remove(uid) && app.isEmpty()) {
                    byApp.remove(story.appId());
                }
            }
        }
        // a pod created but not yet told anything has no row yet; it stays "created" until its first entry
        created.removeAll(fresh);
        dirty.clear();
        return new Drained(out, fresh);
    }

    /** Stories in memory: those in progress, and deleted ones not yet drained. */
    public int size() {
        return stories.size();
    }

    /** The stories this book holds, newest pod first. */
    public List<PodStory> stories() {
        List<PodStory> out = new ArrayList<>(stories.values());
        out.sort(Comparator.comparingLong(PodStory::firstOffset).reversed());
        return out;
    }
}
