package io.fairway.ha;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fairway.core.events.Observation;
import io.fairway.core.state.ClusterState;
import io.fairway.k8s.Binder;
import io.fairway.k8s.ClusterWatcher;
import io.fairway.k8s.Evictor;
import io.fairway.k8s.LogAppender;
import io.fairway.k8s.WaitingReporter;
import io.fairway.log.EventLog;
import io.fairway.log.StatePublisher;
import io.fairway.store.FollowerOptions;
import io.fairway.store.StateFollower;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * A replica's parts, built in one place: each is opened in order (the informers' first lists run while the store
 * loads), and if one fails, those opened before it are closed in reverse order, so a start-up that fails half way (a
 * store that cannot be opened, informers that cannot start) leaves nothing open. {@link #close} closes them in reverse order too. The election is not among them: the replica
 * starts, releases or abandons the lease itself.
 *
 * @param election the lease this replica competes for (not started)
 * @param metrics  its metrics, for {@code /metrics}
 * @param binder   binds, only while the lease is known valid
 * @param evictor  deletes preemption victims, as the binder binds
 * @param waiting  tells waiting pods why
 * @param follower the state, recovered and following the log
 * @param appender appends what the informers observe
 * @param gate     lets observations through while this replica leads
 * @param watcher  the informers (started)
 * @param listed   done when the informers' first lists are: the replica competes for the lease only then, since leading
 *                 compares what they hold with the state; a standby follows (and is ready) before
 * @param loop     decides and commits while this replica leads
 */
record ReplicaParts(LeaderElection election, ReplicaMetrics metrics, Binder binder, Evictor evictor,
                    WaitingReporter waiting, StateFollower follower, LogAppender appender, ObservationGate gate,
                    ClusterWatcher watcher, CompletableFuture<ClusterWatcher> listed, LeaderLoop loop, Closer closer)
        implements AutoCloseable {
    /** The follower's longest wait before writing applied events while events keep coming. */
    static final Duration MAX_PERSIST_DELAY = Duration.ofMillis(200);

    /**
     * Opens a replica's parts in order, {@code closer} taking each; when one fails, {@code closer} closes those opened
     * before it (newest first) and the failure is thrown.
     */
    static ReplicaParts open(KubernetesClient client, EventLog log, ReplicaOptions o, Closer closer) {
        try {
            Clock clock = o.clock();
            LeaderElection election = new LeaderElection(client, o.election(), o.name());
            ReplicaMetrics metrics = closer.add(new ReplicaMetrics(o.name()));
            ChaosHooks hooks = ChaosHooks.current();
            Binder binder = closer.add(new Binder(client, o.binder(),
                    hooks.bindWithoutLease() ? () -> true : election::leaseValid, metrics::bindAnswered));
            // deletions go as binds do: the same parallelism and retries, and only while the lease is known valid
            Evictor evictor = closer.add(new Evictor(client, o.binder(), clock, election::leaseValid));
            WaitingReporter waiting = closer.add(new WaitingReporter(client, clock, 8));
            FollowerOptions fo = FollowerOptions.defaults().withSchedulerName(o.watcher().schedulerName())
                    .withMaxPersistDelay(MAX_PERSIST_DELAY).withPeers(o.peers());
            for (StatePublisher p : o.publishers()) {
                fo = fo.withPublisher(p);
            }
            LogAppender appender = new LogAppender(log);
            ObservationGate gate = new ObservationGate(hooks == ChaosHooks.NONE ? appender
                    : ob -> appender.observed(hooks.observed(ob)));
            ClusterWatcher watcher = new ClusterWatcher(client, gate, o.watcher(), clock);
            StateFollower follower;
            try {
                follower = closer.add(StateFollower.recover(o.dataDir(), log, fo));
            } catch (RuntimeException | Error e) {
                closeQuietly(appender, e);
                throw e;
            }
            closer.add(appender);
            closer.add(watcher);
            // The informers list the cluster once the store is loaded, not beside it: on two cores, 100,000 pods
            // listed and decoded by fabric8 doubled a cold load (5,000 nodes, 100,000 pods: 12.1 s beside them). A
            // follower needs only the store to be ready; leading needs both, so the election waits for these lists.
            CompletableFuture<ClusterWatcher> listed = new CompletableFuture<>();
            Thread.ofPlatform().name("fairway-informers-" + o.name()).daemon().start(() -> {
                try {
                    listed.complete(watcher.start());
                } catch (Throwable t) {
                    listed.completeExceptionally(t);
                }
            });
            Function<ClusterState, List<Observation>> reconcile = state -> Reconciliation.missing(state,
                    watcher.observeAll((uid, version) -> Reconciliation.held(state, uid, version),
                            (name, version) -> Reconciliation.nodeHeld(state, name, version)),
                    clock.millis()).stream().map(hooks::observed).toList();
            BooleanSupplier mayCommit = election::leaseValid;
            LeaderLoop loop = new LeaderLoop(new LeaderLoop.Parts(log, follower, binder, evictor, waiting, clock,
                    reconcile, mayCommit, metrics), o.loop());
            // recovery is done: from here on the loop reads its own decisions back, and the gauges copy the state
            // between two turns of the replica's thread
            follower.subscribe(loop);
            follower.subscribe(metrics);
            return new ReplicaParts(election, metrics, binder, evictor, waiting, follower, appender, gate, watcher,
                    listed, loop, closer);
        } catch (RuntimeException | Error e) {
            closer.closeAfter(e);
            throw e;
        }
    }

    private static void closeQuietly(AutoCloseable part, Throwable failure) {
        try {
            part.close();
        } catch (Exception e) {
            failure.addSuppressed(e);
        }
    }

    /**
     * Closes the parts in reverse order: the informers, the appender, the store (the replica's thread must have
     * stopped: the follower is its), the waiting reporter, the evictor, the binder, the metrics.
     */
    @Override
    public void close() {
        closer.close();
    }
}
