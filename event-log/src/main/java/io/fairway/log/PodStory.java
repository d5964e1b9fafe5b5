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
import io.fairway.core.objects.Pod;
import io.fairway.core.state.AppState;
import io.fairway.core.state.ApplyResult;
import io.fairway.core.state.ClusterState;
import io.fairway.core.state.Gang;
import io.fairway.core.state.PodState;
import io.fairway.core.state.ReservedSlot;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

/**
 * The story of one pod as the log tells it: observed, queued, why it waited (each distinct reason once, with its
 * numbers and how long it held), allocated where and by which leader, bound, preempted (as a victim, or preempting
 * others and waiting for them to leave), finished or gone. A {@link StoryBook}
 * hands it the events that involve the pod, right after the state applied them, so it sees the state as it was at
 * every step.
 */
public final class PodStory {
    /** One line of the story. */
    public record Entry(long offset, long time, String what) {
    }

    /** A story as stored: where it stands and what it has told so far. */
    public record Saved(String uid, String key, String node, String phase, String waitingFor, long waitingSince,
                        boolean deleted, int dropped, List<Entry> entries, String appId) {
    }

    /**
     * Entries kept per pod: a pod that bounces between nodes for weeks must not grow without bound; the first ones
     * (how it came) and the newest are what an operator reads.
     */
    static final int MAX_ENTRIES = 400;
    private static final int KEEP_FIRST = 20;

    private final String uid;
    private final String key;
    private final List<Entry> entries;
    private int dropped;
    private String node;
    private String phase;
    private String waitingFor;
    private long waitingSince;
    private boolean deleted;
    /** The app the pod belongs to, so that the app's gang decisions are part of its story. */
    private String appId;

    PodStory(String uid, String key) {
        this(new Saved(uid, key, "", "", null, 0, false, 0, List.of(), ""));
    }

    private PodStory(Saved s) {
        this.uid = s.uid();
        this.key = s.key();
        this.node = s.node() == null ? "" : s.node();
        this.phase = s.phase() == null ? "" : s.phase();
        this.waitingFor = s.waitingFor();
        this.waitingSince = s.waitingSince();
        this.deleted = s.deleted();
        this.dropped = s.dropped();
        this.entries = new ArrayList<>(s.entries() == null ? List.of() : s.entries());
        this.appId = s.appId() == null ? "" : s.appId();
    }

    public static PodStory restore(Saved s) {
        return new PodStory(s);
    }

    public Saved save() {
        return new Saved(uid, key, node, phase, waitingFor, waitingSince, deleted, dropped, List.copyOf(entries), appId);
    }

    public String uid() {
        return uid;
    }

    /** {@code namespace/name} */
    public String key() {
        return key;
    }

    /** The pod's app, empty until it was observed. */
    String appId() {
        return appId;
    }

    /** The node the story last placed the pod on, or empty. */
    String node() {
        return node;
    }

    /** True once the pod's deletion was applied: nothing more will happen to it. */
    public boolean deleted() {
        return deleted;
    }

    public List<Entry> entries() {
        return List.copyOf(entries);
    }

    /** Entries told so far, left-out ones included: grows with every entry. */
    long told() {
        return entries.size() + (long) dropped;
    }

    /** Offset of the first entry, or -1: which of two pods of the same name is newer. */
    public long firstOffset() {
        return entries.isEmpty() ? -1 : entries.get(0).offset();
    }

    /** Takes an event that involves this pod (its own, or the removal of its node), after {@code state} applied it. */
    void applied(LoggedEvent logged, ApplyResult result, ClusterState state) {
        Event e = logged.event();
        long t = e.time();
        long off = logged.offset();
        switch (e) {
            case PodObserved po when po.pod().uid().equals(uid) && result.applied() -> observed(off, t, po.pod(), state);
            case Unschedulable u when u.podUid().equals(uid) && result.applied() -> {
                endWait(off, t, "");
                waitingFor = u.message();
                waitingSince = t;
                add(off, t, "waits: " + u.message());
            }
            case Allocated a when a.podUid().equals(uid) && result.applied() -> {
                endWait(off, t, "");
                node = a.nodeName();
                add(off, t, "allocated on " + a.nodeName() + " in " + a.queue() + " by leader epoch " + a.epoch()
                        + slotNote(a, state) + fpgaNote(a, state));
            }
            case GangReserved g when g.appId().equals(appId) && result.applied() -> {
                StringJoiner where = new StringJoiner("; ");
                Map<String, List<String>> byGroup = new LinkedHashMap<>();
                g.slots().forEach(s -> byGroup.computeIfAbsent(s.group(), k -> new ArrayList<>()).add(s.node()));
                byGroup.forEach((group, nodes) -> where.add(group + ": " + nodes.size() + " on " + String.join(", ", nodes)));
                add(off, t, "gang of app " + appId + " reserved " + g.slots().size() + " slot(s) (" + where
                        + ") by leader epoch " + g.epoch() + "; " + gangCounts(state));
            }
            case GangReleased g when g.appId().equals(appId) && result.applied() -> add(off, t, "gang of app " + appId
                    + switch (g.next()) {
                        case WAIT -> " released its free slots and waits for a whole reservation again: ";
                        case NORMAL -> " is scheduled as a normal app: ";
                        case FAILED -> " failed: ";
                    } + g.reason());
            case PreemptionRequested p when result.applied() && p.victims().contains(uid) -> add(off, t,
                    p.kind() == PreemptionRequested.Kind.QUOTA ? "preempted (quota) on node " + node + ": " + p.reason()
                            : "preempted by " + podAndQueue(p.preemptorUid(), state) + " on node " + p.nodeName() + " ("
                            + kind(p) + ") by leader epoch " + p.epoch() + ": " + p.reason());
            case PreemptionRequested p when result.applied() && p.preemptorUid().equals(uid) -> add(off, t,
                    "preempted " + p.victims().size() + " pod(s) on node " + p.nodeName() + " (" + kind(p)
                            + ") by leader epoch " + p.epoch() + ": " + p.reason() + "; waiting for them to leave, the "
                            + "room they free is held for this pod");
            case Released r when r.podUid().equals(uid) && result.applied() -> {
                // an allocation is on the node the story placed the pod on; a preemptor's held room is not
                boolean hold = !r.nodeName().equals(node);
                node = hold ? node : "";
                add(off, t, (hold ? "gave up the room held on " : "allocation on ") + r.nodeName()
                        + (hold ? ": " : " released: ") + r.reason());
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
                deleted = true;
                node = "";
            }
            case Event other when !result.applied() && involves(other) ->
                    add(off, t, other.type() + " ignored: " + result.reason());
            default -> {
            }
        }
    }

    /** {@code pod ns/name (queue q)} of another pod, as the state knows it. */
    private static String podAndQueue(String podUid, ClusterState state) {
        PodState p = state.pod(podUid);
        if (p == null) {
            return "pod " + podUid;
        }
        AppState app = state.app(p.pod().appId());
        return "pod " + p.pod().key() + (app == null || app.queue().isEmpty() ? "" : " (queue " + app.queue() + ")");
    }

    private static String kind(PreemptionRequested p) {
        return p.kind().name().toLowerCase(Locale.ROOT);
    }

    /** Where a gang member went relative to its slot, as the state shows it right after the allocation. */
    private String slotNote(Allocated a, ClusterState state) {
        AppState app = state.app(appId);
        if (app == null) {
            return "";
        }
        for (ReservedSlot s : app.gang().slots()) {
            if (s.podUid().equals(uid)) {
                return s.node().equals(a.nodeName())
                        ? ", into its gang slot (task group " + s.group() + ")"
                        : ", away from its gang slot on " + s.node() + " (it did not fit there), which was given back";
            }
        }
        return "";
    }

    private String fpgaNote(Allocated a, ClusterState state) {
        PodState p = state.pod(uid);
        String fn = p == null ? "" : p.pod().hints().fpgaFunction();
        return switch (a.fpga()) {
            case Allocated.FPGA_PROGRAMMED -> ", FPGA function " + fn + " already programmed there";
            case Allocated.FPGA_REPROGRAM -> ", reprogramming an FPGA region for function " + fn;
            default -> "";
        };
    }

    /** Reserved / used / waiting per task group, as the gang stands now. */
    private String gangCounts(ClusterState state) {
        AppState app = state.app(appId);
        if (app == null) {
            return "";
        }
        StringJoiner j = new StringJoiner(", ", "groups: ", "");
        for (Gang.GroupCount c : app.gang().counts(app)) {
            j.add(c.group() + " " + c.reserved() + " reserved, " + c.used() + " used, " + c.waiting() + " waiting of "
                    + c.minMember());
        }
        return j.toString();
    }

    private boolean involves(Event e) {
        return switch (e) {
            case PodObserved po -> po.pod().uid().equals(uid);
            case Allocated a -> a.podUid().equals(uid);
            case Released r -> r.podUid().equals(uid);
            case PreemptionRequested p -> p.preemptorUid().equals(uid) || p.victims().contains(uid);
            case GangReserved g -> g.appId().equals(appId);
            case GangReleased g -> g.appId().equals(appId);
            default -> false;
        };
    }

    private void observed(long off, long t, Pod pod, ClusterState state) {
        appId = pod.appId();
        if (phase.isEmpty()) {
            AppState app = state.app(pod.appId());
            String queue = app == null ? "(not scheduled by this scheduler: " + pod.schedulerName() + ")"
                    : app.queue().isEmpty() ? "no queue: " + app.rejection() : "queue " + app.queue();
            String gang = pod.hints().taskGroup().isEmpty() ? "" : ", task group " + pod.hints().taskGroup();
            add(off, t, "observed: app " + pod.appId() + ", " + queue + ", requests " + pod.requests()
                    + ", priority " + pod.priority() + gang);
            if (app != null && !pod.hints().gang().problem().isEmpty()) {
                add(off, t, "its task groups cannot be used: " + pod.hints().gang().problem());
            }
        }
        if (pod.isBound() && !pod.phase().isTerminal() && !pod.phase().name().equals(phase)) {
            endWait(off, t, "");
            node = pod.nodeName();
            add(off, t, "bound to " + pod.nodeName() + ", " + pod.phase());
        } else if (pod.phase().isTerminal() && !pod.phase().name().equals(phase)) {
            add(off, t, pod.phase() + (pod.nodeName().isEmpty() ? "" : " on " + pod.nodeName()));
            // finished: the pod no longer holds the node, so the node's removal is not part of its story
            node = "";
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
        if (entries.size() >= MAX_ENTRIES) {
            entries.remove(KEEP_FIRST);
            dropped++;
        }
        entries.add(new Entry(off, t, what));
    }

    /** The story as text lines, times in UTC. */
    public List<String> lines() {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            if (i == KEEP_FIRST && dropped > 0) {
                out.add("… " + dropped + " entries left out …");
            }
            Entry e = entries.get(i);
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
