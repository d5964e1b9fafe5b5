package io.fairway.log;

import io.fairway.core.events.Allocated;
import io.fairway.core.events.Event;
import io.fairway.core.events.NodeGone;
import io.fairway.core.events.PodGone;
import io.fairway.core.events.PodObserved;
import io.fairway.core.events.Released;
import io.fairway.core.events.Unschedulable;
import io.fairway.core.objects.Pod;
import io.fairway.core.state.AppState;
import io.fairway.core.state.ApplyResult;
import io.fairway.core.state.ClusterState;
import io.fairway.core.state.PodState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The story of one pod as the log tells it: observed, queued, why it waited (each distinct reason once, with its
 * numbers and how long it held), allocated where and by which leader, bound, finished or gone. Built as a
 * {@link Replay.Listener}, so it sees the state as it was at every step.
 */
public final class PodStory implements Replay.Listener {
    /** One line of the story. */
    public record Entry(long offset, long time, String what) {
    }

    private final String ref;
    private final ClusterState state;
    private final List<Entry> entries = new ArrayList<>();
    private String uid;
    private String key;
    private String node = "";
    private String phase = "";
    private String waitingFor;
    private long waitingSince;

    /** @param ref the pod's uid or {@code namespace/name}; the state is the one the replay applies to */
    public PodStory(String ref, ClusterState state) {
        this.ref = ref;
        this.state = state;
    }

    public boolean found() {
        return uid != null;
    }

    public String uid() {
        return uid;
    }

    public String key() {
        return key;
    }

    public List<Entry> entries() {
        return List.copyOf(entries);
    }

    @Override
    public void applied(LoggedEvent logged, ApplyResult result) {
        Event e = logged.event();
        if (uid == null) {
            if (e instanceof PodObserved po && (po.pod().uid().equals(ref) || po.pod().key().equals(ref))) {
                uid = po.pod().uid();
                key = po.pod().key();
            } else {
                return;
            }
        }
        long t = e.time();
        long off = logged.offset();
        switch (e) {
            case PodObserved po when po.pod().uid().equals(uid) && result.applied() -> observed(off, t, po.pod());
            case Unschedulable u when u.podUid().equals(uid) && result.applied() -> {
                endWait(off, t, "");
                waitingFor = u.message();
                waitingSince = t;
                add(off, t, "waits: " + u.message());
            }
            case Allocated a when a.podUid().equals(uid) && result.applied() -> {
                endWait(off, t, "");
                node = a.nodeName();
                add(off, t, "allocated on " + a.nodeName() + " in " + a.queue() + " by leader epoch " + a.epoch());
            }
            case Released r when r.podUid().equals(uid) && result.applied() -> {
                node = "";
                add(off, t, "allocation on " + r.nodeName() + " released: " + r.reason());
            }
            case NodeGone g when g.name().equals(node) && result.applied() -> {
                PodState p = state.pod(uid);
                add(off, t, "node " + g.name() + " removed; the pod is "
                        + (p == null ? "gone" : p.role() == PodState.Role.PENDING ? "pending again" : p.pod().phase()));
                node = "";
            }
            case PodGone g when g.uid().equals(uid) && result.applied() -> {
                endWait(off, t, " (the pod was deleted)");
                add(off, t, "deleted");
            }
            case Event other when result.applied() == false && involves(other) ->
                    add(off, t, other.type() + " ignored: " + result.reason());
            default -> {
            }
        }
    }

    private boolean involves(Event e) {
        return switch (e) {
            case PodObserved po -> po.pod().uid().equals(uid);
            case Allocated a -> a.podUid().equals(uid);
            case Released r -> r.podUid().equals(uid);
            default -> false;
        };
    }

    private void observed(long off, long t, Pod pod) {
        if (phase.isEmpty()) {
            AppState app = state.app(pod.appId());
            String queue = app == null ? "(not scheduled by this scheduler: " + pod.schedulerName() + ")"
                    : app.queue().isEmpty() ? "no queue: " + app.rejection() : "queue " + app.queue();
            add(off, t, "observed: app " + pod.appId() + ", " + queue + ", requests " + pod.requests()
                    + ", priority " + pod.priority());
        }
        if (pod.isBound() && !pod.phase().isTerminal() && !pod.phase().name().equals(phase)) {
            endWait(off, t, "");
            node = pod.nodeName();
            add(off, t, "bound to " + pod.nodeName() + ", " + pod.phase());
        } else if (pod.phase().isTerminal() && !pod.phase().name().equals(phase)) {
            add(off, t, pod.phase() + (pod.nodeName().isEmpty() ? "" : " on " + pod.nodeName()));
        }
        phase = pod.phase().name();
    }

    private void endWait(long off, long t, String why) {
        if (waitingFor != null) {
            add(off, t, "waited " + human(Duration.ofMillis(t - waitingSince)) + " for: " + waitingFor + why);
            waitingFor = null;
        }
    }

    private void add(long off, long t, String what) {
        entries.add(new Entry(off, t, what));
    }

    /** The story as text lines, times in UTC. */
    public List<String> lines() {
        List<String> out = new ArrayList<>();
        for (Entry e : entries) {
            out.add(Instant.ofEpochMilli(e.time()) + "  " + e.what() + "  [offset " + e.offset() + "]");
        }
        if (waitingFor != null) {
            out.add("still waiting since " + Instant.ofEpochMilli(waitingSince) + " for: " + waitingFor);
        }
        return out;
    }

    private static String human(Duration d) {
        long s = d.toSeconds();
        if (s < 60) {
            return d.toMillis() < 1000 ? d.toMillis() + "ms" : s + "s";
        }
        return s / 3600 > 0 ? (s / 3600) + "h" + (s % 3600) / 60 + "m" : s / 60 + "m" + s % 60 + "s";
    }
}
