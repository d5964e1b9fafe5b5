package io.fairway.core.events;

/**
 * Everything Fairway knows is one of these: an observation of the cluster, a decision of the leader, or a
 * leadership change. The log is a sequence of events; {@code ClusterState.apply} folds it into the state.
 *
 * <p>Envelope fields common to all: {@link #time()} is when the fact happened (epoch millis, from the clock of
 * whoever wrote it, never read by apply for decisions about order), {@link #source()} who wrote it. Decisions
 * also carry the leader epoch ({@link Decision#epoch()}). The schema version lives in the codec.
 */
public sealed interface Event permits Observation, Decision, LeaderElected {
    long time();

    Source source();

    /** The event's type name as written in the log, e.g. {@code PodObserved}. */
    default String type() {
        return getClass().getSimpleName();
    }

    enum Source { WATCHER, LEADER, OPERATOR }
}
