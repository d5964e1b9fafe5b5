package io.fairway.ui;

import io.fairway.core.state.ClusterState;
import io.fairway.log.EventLog;
import io.fairway.log.PodStory;
import io.fairway.ui.access.AccessControl;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Where the console reads what it serves, and who may read and write it: given whole to {@link AdminServer} when it
 * is built, so a server is never seen half configured. Start from {@link #of} and add what this server has; what is
 * left out answers as documented on each {@code with} method.
 *
 * @param state      the replica's live state, read from the HTTP thread
 * @param leadership what this replica is now
 */
public record ConsoleSources(Supplier<ClusterState> state, Supplier<Leadership> leadership,
                             Supplier<AccessControl> access, ReplicaDirectory replicas,
                             Function<String, List<PodStory.Saved>> stories, Supplier<EventTail> tail, EventLog log,
                             QueueConfigWriter configWriter, Supplier<String> metrics, Supplier<ReadView> view,
                             List<String> yunikornCorsOrigins) {
    private static final AccessControl OPEN = AccessControl.open();

    public ConsoleSources {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(leadership, "leadership");
        Objects.requireNonNull(access, "access");
        Objects.requireNonNull(tail, "tail");
        Objects.requireNonNull(view, "view");
        yunikornCorsOrigins = List.copyOf(yunikornCorsOrigins);
    }

    /** Open reads, no writes, no tail, log, stories or replica list, read from the live state. */
    public static ConsoleSources of(Supplier<ClusterState> state, Supplier<Leadership> leadership) {
        return new ConsoleSources(state, leadership, () -> OPEN, null, null, () -> null, null, null, null, () -> null,
                List.of());
    }

    /** Who may read and write; open reads and no writes unless set. */
    public ConsoleSources withAccess(AccessControl a) {
        return withAccess(() -> a);
    }

    /** Access that may change, e.g. tokens reloaded from their Secret; asked once per request. */
    public ConsoleSources withAccess(Supplier<AccessControl> a) {
        return new ConsoleSources(state, leadership, a, replicas, stories, tail, log, configWriter, metrics, view,
                yunikornCorsOrigins);
    }

    /** Every replica with its lag, for {@code /api/v1/replicas}; without it only this one is known. */
    public ConsoleSources withReplicas(ReplicaDirectory r) {
        return new ConsoleSources(state, leadership, access, r, stories, tail, log, configWriter, metrics, view,
                yunikornCorsOrigins);
    }

    /** The stored stories a pod reference names (a uid or namespace/name), for {@code /api/v1/story}; may block. */
    public ConsoleSources withStories(Function<String, List<PodStory.Saved>> s) {
        return new ConsoleSources(state, leadership, access, replicas, s, tail, log, configWriter, metrics, view,
                yunikornCorsOrigins);
    }

    /** The newest events applied, for the log tail and the live stream. */
    public ConsoleSources withTail(EventTail t) {
        return withTail(() -> t);
    }

    /** A tail that may change, e.g. that of whichever replica serves the sandbox's console now. */
    public ConsoleSources withTail(Supplier<EventTail> t) {
        return new ConsoleSources(state, leadership, access, replicas, stories, t, log, configWriter, metrics, view,
                yunikornCorsOrigins);
    }

    /** The log itself: older events than the tail holds, and where console writes are recorded. */
    public ConsoleSources withLog(EventLog l) {
        return new ConsoleSources(state, leadership, access, replicas, stories, tail, l, configWriter, metrics, view,
                yunikornCorsOrigins);
    }

    /** Where an applied queue config is written; without it {@code POST /api/v1/config} answers 503. */
    public ConsoleSources withConfigWriter(QueueConfigWriter w) {
        return new ConsoleSources(state, leadership, access, replicas, stories, tail, log, w, metrics, view,
                yunikornCorsOrigins);
    }

    /** Prometheus text for {@code /metrics}, for a server that is not a replica's health port (the sandbox's). */
    public ConsoleSources withMetrics(Supplier<String> scrape) {
        return new ConsoleSources(state, leadership, access, replicas, stories, tail, log, configWriter, scrape, view,
                yunikornCorsOrigins);
    }

    /**
     * The published copy of the state the summary, queues, apps and nodes are read from; without one they are read
     * from the live state (and may answer 503 when it changes under the read twice).
     */
    public ConsoleSources withReadView(Supplier<ReadView> v) {
        return new ConsoleSources(state, leadership, access, replicas, stories, tail, log, configWriter, metrics, v,
                yunikornCorsOrigins);
    }

    /**
     * Origins whose pages may read {@code /ws/v1} (YuniKorn's web UI served elsewhere): CORS answers for them, none
     * for others; empty (the default) answers no CORS at all.
     */
    public ConsoleSources withYuniKornCorsOrigins(List<String> origins) {
        return new ConsoleSources(state, leadership, access, replicas, stories, tail, log, configWriter, metrics, view,
                origins);
    }
}
