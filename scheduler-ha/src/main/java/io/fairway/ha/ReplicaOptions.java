package io.fairway.ha;

import io.fairway.k8s.BinderOptions;
import io.fairway.k8s.WatcherOptions;
import io.fairway.log.StatePublisher;
import io.fairway.store.SnapshotSource;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How a {@link Replica} starts.
 *
 * @param name       this replica's name: the lease holder identity and the {@code LeaderElected} replica
 * @param dataDir    where its state store and snapshots live
 * @param watcher    what its informers watch
 * @param binder     how it binds and deletes
 * @param loop       how it schedules while it leads
 * @param election   the lease it competes for
 * @param clock      wall-clock time (tests pass a fixed one)
 * @param publishers subscribers to its state from recovery on (a console's event tail and lists…): told of every
 *                   event applied and, between two turns of the replica's thread, of the settled state
 * @param peers      where to fetch a snapshot when this replica has no usable store or snapshot of its own; null:
 *                   nowhere (the state is built from the whole log)
 */
public record ReplicaOptions(String name, Path dataDir, WatcherOptions watcher, BinderOptions binder,
                             LeaderLoop.Options loop, ElectionOptions election, Clock clock,
                             List<StatePublisher> publishers, SnapshotSource peers) {
    public ReplicaOptions {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(watcher, "watcher");
        Objects.requireNonNull(binder, "binder");
        Objects.requireNonNull(loop, "loop");
        Objects.requireNonNull(election, "election");
        Objects.requireNonNull(clock, "clock");
        publishers = List.copyOf(publishers);
    }

    /** The defaults: every pod for scheduler {@code fairway}, the lease {@code fairway/fairway-leader}, the UTC clock. */
    public static ReplicaOptions defaults(String name, Path dataDir) {
        return new ReplicaOptions(name, dataDir, WatcherOptions.defaults(), BinderOptions.defaults(),
                LeaderLoop.Options.defaults(name), ElectionOptions.defaults(), Clock.systemUTC(), List.of(), null);
    }

    public ReplicaOptions withWatcher(WatcherOptions v) {
        return new ReplicaOptions(name, dataDir, v, binder, loop, election, clock, publishers, peers);
    }

    public ReplicaOptions withBinder(BinderOptions v) {
        return new ReplicaOptions(name, dataDir, watcher, v, loop, election, clock, publishers, peers);
    }

    public ReplicaOptions withLoop(LeaderLoop.Options v) {
        return new ReplicaOptions(name, dataDir, watcher, binder, v, election, clock, publishers, peers);
    }

    public ReplicaOptions withElection(ElectionOptions v) {
        return new ReplicaOptions(name, dataDir, watcher, binder, loop, v, clock, publishers, peers);
    }

    public ReplicaOptions withClock(Clock v) {
        return new ReplicaOptions(name, dataDir, watcher, binder, loop, election, v, publishers, peers);
    }

    /** These options with {@code p} subscribed after the publishers already given. */
    public ReplicaOptions withPublisher(StatePublisher p) {
        List<StatePublisher> v = new ArrayList<>(publishers);
        v.add(Objects.requireNonNull(p, "publisher"));
        return new ReplicaOptions(name, dataDir, watcher, binder, loop, election, clock, v, peers);
    }

    public ReplicaOptions withPeers(SnapshotSource v) {
        return new ReplicaOptions(name, dataDir, watcher, binder, loop, election, clock, publishers, v);
    }
}
