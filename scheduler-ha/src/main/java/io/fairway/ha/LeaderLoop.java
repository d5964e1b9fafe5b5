package io.fairway.ha;

import io.fairway.core.events.Allocated;
import io.fairway.core.events.Decision;
import io.fairway.core.events.Event;
import io.fairway.core.events.LeaderElected;
import io.fairway.core.events.NodeObserved;
import io.fairway.core.events.Observation;
import io.fairway.core.events.PodGone;
import io.fairway.core.events.PodObserved;
import io.fairway.core.events.GangReleased;
import io.fairway.core.events.PreemptionRequested;
import io.fairway.core.events.Released;
import io.fairway.core.events.Unschedulable;
import io.fairway.core.scheduler.CycleResult;
import io.fairway.core.scheduler.Scheduler;
import io.fairway.core.state.AppState;
import io.fairway.core.state.ApplyResult;
import io.fairway.core.state.ClusterState;
import io.fairway.core.state.PodState;
import io.fairway.k8s.Binder;
import io.fairway.k8s.Evictor;
import io.fairway.k8s.WaitingReporter;
import io.fairway.log.EventCodec;
import io.fairway.log.EventLog;
import io.fairway.log.LoggedEvent;
import io.fairway.log.StatePublisher;
import io.fairway.store.StateFollower;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.StringJoiner;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader's work: follow the log into the state, run cycles, commit their decisions in one transaction, bind what
 * was committed, delete the victims of committed preemptions, and tell waiting pods why. Cycles run when something happened (new events, freed room, a capped
 * cycle with work left) and at least every {@code maxInterval}; each admits up to {@code maxAllocationsPerCycle} pods.
 *
 * <p>A preemption is carried out once it is read back from the log and applied: apply is what decides whether it
 * holds (a victim gone meanwhile drops it whole), so the cluster sees exactly the preemptions the state has.
 *
 * <p>The loop is single-threaded; binds, deletions and waiting reports run on their own pools and hand outcomes back through
 * a queue. Not thread-safe: one thread calls {@link #becomeLeader} then {@link #runOnce} until it stops.
 */
public final class LeaderLoop implements StatePublisher {
    private static final Logger LOG = LoggerFactory.getLogger(LeaderLoop.class);

    /**
     * @param replica                this replica's name, in {@code LeaderElected}
     * @param maxAllocationsPerCycle allocations one cycle may make (default 1000)
     * @param maxInterval            the longest time between two cycles while pods wait (default 1 s)
     * @param pollTimeout            how long one turn waits for new events (default 20 ms)
     */
    public record Options(String replica, int maxAllocationsPerCycle, Duration maxInterval, Duration pollTimeout) {
        public Options {
            Objects.requireNonNull(replica, "replica");
            if (maxAllocationsPerCycle < 1) {
                throw new IllegalArgumentException("maxAllocationsPerCycle must be at least 1, not "
                        + maxAllocationsPerCycle);
            }
        }

        public static Options defaults(String replica) {
            return new Options(replica, Scheduler.DEFAULT_MAX_ALLOCATIONS_PER_CYCLE, Duration.ofSeconds(1),
                    Duration.ofMillis(20));
        }
    }

    /**
     * Told what the loop did, for the replica's metrics. Called on the loop's thread: it must be quick and not throw.
     */
    public interface Listener {
        Listener NONE = new Listener() {
        };

        /**
         * A cycle ran, taking {@code nanos} from taking the state to its decisions written.
         *
         * @param decisions what it decided (0: nothing to write)
         * @param committed false when its decisions were dropped uncommitted (the lease was not known valid)
         */
        default void cycled(long nanos, int decisions, boolean committed) {
        }

        /** Decisions this leader wrote to the log (a cycle's, or the releases of failed binds). */
        default void committed(List<? extends Decision> decisions) {
        }
    }

    /**
     * What the loop works with: the replica's parts it drives, and what it asks of the replica.
     *
     * @param log       the event log it appends to (decisions through a fenced writer)
     * @param follower  the state, following the log; the loop reads its own decisions back through it
     * @param binder    binds committed allocations
     * @param evictor   deletes the victims of committed preemptions
     * @param waiting   tells waiting pods why
     * @param clock     wall-clock time of decisions and retries
     * @param reconcile what a new leader must append so that the state matches the cluster (after it has read its
     *                  {@code LeaderElected} back)
     * @param mayCommit asked before every append of decisions: false (the lease is not known valid) drops the
     *                  cycle's decisions uncommitted, and the replica steps down
     * @param listener  told of every cycle and every commit ({@link Listener#NONE}: nobody)
     */
    public record Parts(EventLog log, StateFollower follower, Binder binder, Evictor evictor, WaitingReporter waiting,
                        Clock clock, Function<ClusterState, List<Observation>> reconcile, BooleanSupplier mayCommit,
                        Listener listener) {
        public Parts {
            Objects.requireNonNull(log, "log");
            Objects.requireNonNull(follower, "follower");
            Objects.requireNonNull(binder, "binder");
            Objects.requireNonNull(evictor, "evictor");
            Objects.requireNonNull(waiting, "waiting");
            Objects.requireNonNull(clock, "clock");
            Objects.requireNonNull(reconcile, "reconcile");
            Objects.requireNonNull(mayCommit, "mayCommit");
            Objects.requireNonNull(listener, "listener");
        }
    }

    private final EventLog log;
    private final StateFollower follower;
    private final Binder binder;
    private final Evictor evictor;
    private final WaitingReporter waiting;
    private final Clock clock;
    private final Options options;
    private final Function<ClusterState, List<Observation>> reconcile;
    private final BooleanSupplier mayCommit;
    private final Listener listener;
    private final ChaosHooks hooks = ChaosHooks.current();
    /** Our decisions read back from the log since the last turn: they stop being in flight. */
    private final List<Decision> readBack = new ArrayList<>();
    private final ConcurrentLinkedQueue<Binder.Failed> bindFailures = new ConcurrentLinkedQueue<>();
    /** Binds not sent because the lease was not known valid at that moment: sent again while this leader leads. */
    private final ConcurrentLinkedQueue<Binder.Withdrawn> unsent = new ConcurrentLinkedQueue<>();
    private final AtomicLong binds = new AtomicLong();
    /** Preemptions of this epoch read back and applied since the last turn: their victims are to be deleted. */
    private final List<PreemptionRequested> toCarryOut = new ArrayList<>();
    /** Victims not deleted because the lease was not known valid at that moment: deleted again while leading. */
    private final ConcurrentLinkedQueue<EvictionRetry> evictionsUnsent = new ConcurrentLinkedQueue<>();
    /** Victims whose deletion failed: tried again after {@link #EVICTION_RETRY} while they are still here. */
    private final ConcurrentLinkedQueue<EvictionRetry> evictionRetries = new ConcurrentLinkedQueue<>();
    private final AtomicLong evictions = new AtomicLong();
    private long preemptionsCarriedOut;
    /**
     * How this loop last took the lead, phase by phase: what the fail-over benchmark splits a take-over into. Times are
     * wall-clock millis (to compare with other processes' clocks on the same machine), 0 for what has not happened.
     *
     * @param startedAtMillis     {@link #becomeLeader} began
     * @param catchUpMillis       reading the log to its end (before and after the fence)
     * @param writerMillis        opening the decision writer: {@code initTransactions}, the fence
     * @param electedMillis       appending {@code LeaderElected} and reading it back (with the reconciliation's
     *                            observations, appended just before it)
     * @param reconcileMillis     after the fence: appending what the informers hold that the state lacks (compared
     *                            while the fence was under way; compared again if the log moved meanwhile)
     * @param reconciled          observations appended by the reconciliation
     * @param rebinds             binds of committed allocations re-issued
     * @param leadingAtMillis     the lead was taken: scheduling starts
     * @param firstCommitAtMillis the first cycle with decisions was committed
     * @param firstDecisions      decisions of that cycle
     * @param firstBindAtMillis   the first bind (a re-issued one or a new one) was handed to the binder
     */
    public record TakeOver(long epoch, long startedAtMillis, long catchUpMillis, long writerMillis, long electedMillis,
                           long reconcileMillis, int reconciled, int rebinds, long leadingAtMillis,
                           long firstCommitAtMillis, int firstDecisions, long firstBindAtMillis) {
        TakeOver committed(long at, int decisions) {
            return new TakeOver(epoch, startedAtMillis, catchUpMillis, writerMillis, electedMillis, reconcileMillis,
                    reconciled, rebinds, leadingAtMillis, at, decisions, firstBindAtMillis);
        }

        TakeOver bound(long at) {
            return new TakeOver(epoch, startedAtMillis, catchUpMillis, writerMillis, electedMillis, reconcileMillis,
                    reconciled, rebinds, leadingAtMillis, firstCommitAtMillis, firstDecisions, at);
        }
    }

    private volatile TakeOver takeOver;
    /** Set when the lead is taken: the first turn does not wait for events, it cycles at once. */
    private boolean fresh;
    private EventLog.DecisionWriter writer;
    private volatile Scheduler scheduler;
    private volatile long busySince;
    /** When the log last answered this loop's call to it (nanoTime), 0 before it did. */
    private volatile long answeredAt;
    /** Written by the replica's thread, read by the console and the metrics. */
    private volatile long epoch;
    private boolean dirty = true;
    private long lastCycle;
    private long cycles;
    private long allocations;

    /**
     * A victim's deletion failed or was not sent; it is tried again from {@code notBefore} (wall-clock millis), its
     * Event saying what the first try would have said.
     */
    private record EvictionRetry(String uid, long notBefore, String message) {
    }

    /** After a victim's deletion failed (out of retries, refused): when to try again while it is still here. */
    static final Duration EVICTION_RETRY = Duration.ofSeconds(30);

    /** A loop over {@code parts}, scheduling as {@code options} say. */
    public LeaderLoop(Parts parts, Options options) {
        this.log = parts.log();
        this.follower = parts.follower();
        this.binder = parts.binder();
        this.evictor = parts.evictor();
        this.waiting = parts.waiting();
        this.clock = parts.clock();
        this.reconcile = parts.reconcile();
        this.mayCommit = parts.mayCommit();
        this.listener = parts.listener();
        this.options = Objects.requireNonNull(options, "options");
    }

    /** Every event the follower applies (the loop subscribes to it): its own decisions read back. */
    @Override
    public void applied(LoggedEvent e, ApplyResult r) {
        dirty = true;
        switch (e.event()) {
            case PreemptionRequested p when p.epoch() == epoch && scheduler != null -> {
                readBack.add(p);
                if (r.applied()) {
                    toCarryOut.add(p);
                } else {
                    LOG.info("preemption ({}) for {} not carried out, the state did not take it: {}",
                            p.kind(), p.preemptorUid().isEmpty() ? "quota" : p.preemptorUid(), r.reason());
                }
            }
            case Decision d when d.epoch() == epoch && scheduler != null -> readBack.add(d);
            case PodGone g -> waiting.forget(g.uid());
            default -> {
            }
        }
    }

    /**
     * Takes the lead: opens the decision stream of a new epoch (fencing every older writer), appends what the
     * informers hold that the state lacks, then {@code LeaderElected}, and follows the log until it reads it back, so
     * that the state is complete; then re-issues
     * the binds of allocations committed but not yet seen bound, and the deletions of preempted pods still here (a
     * previous leader may have died between commit and act).
     */
    public void becomeLeader() {
        busySince = System.nanoTime();
        try {
            takeLead();
            answeredAt = System.nanoTime();
        } finally {
            busySince = 0;
        }
    }

    /**
     * Since when the loop has been waiting on the log to take the lead or to commit (nanoTime, {@code 0} when it is
     * not): a leader whose log does not answer for longer than its lease must give the lease up, even while this
     * thread is blocked.
     */
    public long waitingOnLogSince() {
        return busySince;
    }

    /** When the log last answered the loop (took the lead, or committed), nanoTime; {@code 0} before it did. */
    public long logAnsweredAt() {
        return answeredAt;
    }

    private void takeLead() {
        long startedAt = System.currentTimeMillis();
        long t0 = System.nanoTime();
        ClusterState state = follower.state();
        follower.readToEnd(Duration.ofSeconds(60));
        long catchUp = System.nanoTime() - t0;
        epoch = state.leaderEpoch() + 1;
        // the binder's client of this epoch is built and connected meanwhile
        binder.prepare(epoch);
        // and the informers are compared with the state while this thread waits for the fence: nothing changes the
        // state until this thread reads the log again, after the comparison has ended
        long caughtUpTo = follower.nextOffset();
        CompletableFuture<List<Observation>> comparing = new CompletableFuture<>();
        long[] compareNanos = new long[1];
        Thread.ofVirtual().name("fairway-reconcile-" + options.replica()).start(() -> {
            long c0 = System.nanoTime();
            try {
                List<Observation> found = reconcile.apply(state);
                compareNanos[0] = System.nanoTime() - c0;
                comparing.complete(found);
            } catch (RuntimeException | Error e) {
                comparing.completeExceptionally(e);
            }
        });
        long w0 = System.nanoTime();
        try {
            writer = log.openDecisionWriter(epoch);
        } finally {
            comparing.handle((v, e) -> null).join();
        }
        long writerNanos = System.nanoTime() - w0;
        // Opening the writer fenced every older one, but a leader may have committed its election between our catch-up
        // and the fence (it held the lease a moment before us): read to the end again and take the next epoch, so that
        // no two leaders ever share one.
        for (int attempt = 0; ; attempt++) {
            long c0 = System.nanoTime();
            follower.readToEnd(Duration.ofSeconds(60));
            catchUp += System.nanoTime() - c0;
            if (state.leaderEpoch() < epoch) {
                break;
            }
            if (attempt >= 10) {
                throw new IllegalStateException("epoch " + epoch + " was taken by another leader again and again while "
                        + "this replica took the lead; is another replica writing with the same lease?");
            }
            LOG.warn("epoch {} was taken by another leader between this replica's catch-up and its fence; taking {}",
                    epoch, state.leaderEpoch() + 1);
            writer.close();
            epoch = state.leaderEpoch() + 1;
            binder.prepare(epoch);
            long w1 = System.nanoTime();
            writer = log.openDecisionWriter(epoch);
            writerNanos += System.nanoTime() - w1;
        }
        // What the informers saw while nobody appended goes in before LeaderElected, so that one read-back covers
        // both: the state is complete up to the fence (read above), and whatever the old leader could still append
        // after it is an observation, as it could after LeaderElected too.
        long r0 = System.nanoTime();
        List<Observation> missing;
        long compared;
        if (follower.nextOffset() == caughtUpTo) {
            missing = joined(comparing);
            compared = compareNanos[0];
        } else {
            // the log moved between the two reads: compare again
            missing = reconcile.apply(state);
            compared = System.nanoTime() - r0;
        }
        if (!missing.isEmpty()) {
            log.append(missing);
        }
        long reconciled = System.nanoTime() - r0;
        long e0 = System.nanoTime();
        writer.append(List.of(new LeaderElected(clock.millis(), epoch, options.replica())));
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (state.leaderEpoch() < epoch) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("LeaderElected of epoch " + epoch + " was not read back from the log "
                        + "within 60 s: is the log readable?");
            }
            follower.poll(Duration.ofMillis(50));
        }
        long elected = System.nanoTime() - e0;
        bindFailures.clear();
        unsent.clear();
        readBack.clear();
        toCarryOut.clear();
        evictionsUnsent.clear();
        evictionRetries.clear();
        scheduler = new Scheduler(state, epoch, options.maxAllocationsPerCycle());
        dirty = true;
        fresh = true;
        takeOver = new TakeOver(epoch, startedAt, millis(catchUp), millis(writerNanos), millis(elected),
                millis(reconciled), missing.size(), 0, 0, 0, 0, 0);
        int rebinds = 0;
        for (PodState p : state.pods()) {
            if (p.isOurs() && p.role() == PodState.Role.PLACED && !p.isBound()) {
                bind(p.uid(), p.node());
                rebinds++;
            }
        }
        int redeletes = 0;
        for (PodState p : state.pods()) {
            if (isVictimStillHere(p)) {
                // idempotent: a victim already terminating is left to finish, and not told twice
                evict(p, victimMessage(state, p.preemptedBy(), ""));
                redeletes++;
            }
        }
        TakeOver t = takeOver;
        takeOver = new TakeOver(t.epoch(), t.startedAtMillis(), t.catchUpMillis(), t.writerMillis(),
                t.electedMillis(), t.reconcileMillis(), t.reconciled(), rebinds, System.currentTimeMillis(), 0, 0,
                t.firstBindAtMillis());
        LOG.info("leading as {} with epoch {} at offset {}; appended {} observations the state lacked; re-issued {} "
                + "binds of committed allocations and {} deletions of preempted pods; took the lead in {} ms (catch-up "
                + "{} ms, decision writer {} ms, reconciliation {} ms after the fence, its comparison {} ms during it, "
                + "LeaderElected read back {} ms)", options.replica(), epoch, follower.nextOffset(), missing.size(),
                rebinds, redeletes,
                takeOver.leadingAtMillis() - startedAt, t.catchUpMillis(), t.writerMillis(), t.reconcileMillis(),
                millis(compared), t.electedMillis());
    }

    private static <T> T joined(CompletableFuture<T> f) {
        try {
            return f.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw e;
        }
    }

    private static long millis(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }

    /** How this loop last took the lead, phase by phase; null before it first did. */
    public TakeOver takeOver() {
        return takeOver;
    }

    /**
     * Appends what the informers hold that the state lacks and reads it back, as taking the lead does: for a leader
     * that held its decisions for a late renewal, during which the observations were dropped. Returns how many.
     */
    public int reconcileAgain() {
        busySince = System.nanoTime();
        try {
            List<Observation> missing = reconcile.apply(follower.state());
            if (!missing.isEmpty()) {
                long last = log.append(missing);
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (follower.nextOffset() <= last) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("the reconciling observations up to offset " + last
                                + " were not read back from the log within 60 s: is the log readable?");
                    }
                    follower.poll(Duration.ofMillis(50));
                }
            }
            answeredAt = System.nanoTime();
            dirty = true;
            return missing.size();
        } finally {
            busySince = 0;
        }
    }

    /**
     * A standby's rehearsal of taking the lead, its results thrown away: the reconciliation's comparison of the
     * informers with the state, and one scheduling cycle on the current state (a scheduler never changes the state).
     * The code a take-over runs is then loaded and compiled before it is needed: a standby that never led would run it
     * cold, interpreted, while the cluster waits. Returns the decisions the cycle would have made (0 when it stopped
     * after the comparison because {@code won} said the lease was won meanwhile). Not while leading.
     */
    public int rehearse(BooleanSupplier won) {
        if (scheduler != null) {
            throw new IllegalStateException("a leader does not rehearse");
        }
        ClusterState state = follower.state();
        List<Observation> missing = reconcile.apply(state);
        if (won.getAsBoolean()) {
            return 0;
        }
        List<Decision> decisions = new Scheduler(state, state.leaderEpoch() + 1, options.maxAllocationsPerCycle())
                .cycle(clock.millis()).decisions();
        // and their encoding, as the log's writers would encode them (a standby never wrote any)
        List<Event> sample = new ArrayList<>(missing.subList(0, Math.min(10, missing.size())));
        sample.addAll(decisions.subList(0, Math.min(10, decisions.size())));
        state.pods().stream().findFirst().ifPresent(p -> sample.add(new PodObserved(clock.millis(), p.pod())));
        state.nodes().values().stream().findFirst().ifPresent(n -> sample.add(new NodeObserved(clock.millis(),
                n.node())));
        sample.add(new LeaderElected(clock.millis(), state.leaderEpoch() + 1, options.replica()));
        sample.forEach(EventCodec::encode);
        return decisions.size();
    }

    /**
     * Stops deciding at once: the decision stream is closed (an open transaction is aborted), the scheduler and its
     * in-flight overlay are dropped. The state keeps following the log.
     */
    public void stepDown() {
        scheduler = null;
        readBack.clear();
        bindFailures.clear();
        unsent.clear();
        toCarryOut.clear();
        evictionsUnsent.clear();
        evictionRetries.clear();
        EventLog.DecisionWriter w = writer;
        writer = null;
        if (w != null) {
            try {
                w.close();
            } catch (RuntimeException e) {
                LOG.debug("closing the decision writer of epoch {}: {}", epoch, e.toString());
            }
        }
    }

    private void commit(List<Decision> decisions) {
        busySince = System.nanoTime();
        try {
            writer.append(decisions);
            answeredAt = System.nanoTime();
        } finally {
            busySince = 0;
        }
        listener.committed(decisions);
    }

    /** True between {@link #becomeLeader} and {@link #stepDown}. */
    public boolean isLeading() {
        return scheduler != null;
    }

    /** One turn: apply what the log has, release failed binds, and run a cycle when there is reason to. */
    public void runOnce() {
        // the first turn after taking the lead cycles at once: the lead was taken at the log's end
        follower.poll(fresh ? Duration.ZERO : options.pollTimeout());
        fresh = false;
        if (!readBack.isEmpty()) {
            scheduler.acknowledge(readBack);
            readBack.clear();
        }
        if (!toCarryOut.isEmpty()) {
            toCarryOut.forEach(this::carryOut);
            toCarryOut.clear();
        }
        retryEvictions();
        if (!unsent.isEmpty() && mayCommit.getAsBoolean()) {
            int again = 0;
            for (Binder.Withdrawn w; (w = unsent.poll()) != null; ) {
                PodState p = follower.state().pod(w.podUid());
                if (p != null && p.role() == PodState.Role.PLACED && !p.isBound() && p.node().equals(w.node())) {
                    bind(w.podUid(), w.node());
                    again++;
                }
            }
            LOG.info("re-issued {} binds not sent while the lease was not known valid", again);
        }
        List<Decision> releases = new ArrayList<>();
        List<Binder.Failed> failed = new ArrayList<>();
        for (Binder.Failed f; (f = bindFailures.poll()) != null; ) {
            PodState p = follower.state().pod(f.podUid());
            if (p != null && p.role() == PodState.Role.PLACED && !p.isBound() && p.node().equals(f.node())) {
                releases.add(new Released(clock.millis(), epoch, f.podUid(), f.node(), "bind failed: " + f.reason()));
                failed.add(f);
            }
        }
        if (!releases.isEmpty()) {
            if (!mayCommit.getAsBoolean()) {
                // released once the lease is known valid again (a leader that holds keeps its loop)
                bindFailures.addAll(failed);
                return;
            }
            LOG.info("releasing {} allocations whose bind failed (first: {})", releases.size(),
                    ((Released) releases.get(0)).reason());
            commit(releases);
            dirty = true;
        }
        long now = clock.millis();
        if (dirty || now - lastCycle >= options.maxInterval().toMillis()) {
            cycle(now);
        }
    }

    private void cycle(long now) {
        dirty = false;
        lastCycle = now;
        long started = System.nanoTime();
        CycleResult r = scheduler.cycle(now);
        cycles++;
        List<Decision> decisions = hooks.beforeCommit(follower.state(), r.decisions());
        if (decisions.isEmpty()) {
            listener.cycled(System.nanoTime() - started, 0, false);
            return;
        }
        if (!mayCommit.getAsBoolean()) {
            LOG.warn("dropping the {} decisions of a cycle uncommitted: the lease is not known valid",
                    decisions.size());
            // never to be read back: no longer in flight, their pods are decided again (a leader that holds for a
            // late renewal keeps its scheduler)
            scheduler.acknowledge(r.decisions());
            dirty = true;
            listener.cycled(System.nanoTime() - started, decisions.size(), false);
            return;
        }
        // Committed before anything reaches the cluster: a decision not in the log is never acted on.
        commit(decisions);
        listener.cycled(System.nanoTime() - started, decisions.size(), true);
        TakeOver t = takeOver;
        if (t != null && t.epoch() == epoch && t.firstCommitAtMillis() == 0) {
            takeOver = t = t.committed(System.currentTimeMillis(), decisions.size());
            LOG.info("first cycle of epoch {} committed {} decision(s) {} ms after the lead was taken ({} ms after "
                    + "taking it began)", epoch, decisions.size(), t.firstCommitAtMillis() - t.leadingAtMillis(),
                    t.firstCommitAtMillis() - t.startedAtMillis());
        }
        ClusterState state = follower.state();
        hooks.afterCommit(epoch, decisions, state);
        for (Decision d : decisions) {
            switch (d) {
                case Allocated a -> {
                    allocations++;
                    bind(a.podUid(), a.nodeName());
                }
                case Unschedulable u -> {
                    PodState p = state.pod(u.podUid());
                    if (p != null && u.reasonKey().startsWith(Scheduler.REJECTED_KEY)) {
                        waiting.rejected(p.pod().namespace(), p.pod().name(), p.uid(), u.message());
                    } else if (p != null) {
                        waiting.waiting(p.pod().namespace(), p.pod().name(), p.uid(), u.message());
                    }
                }
                case GangReleased g when g.next() != GangReleased.Next.WAIT -> reportGang(state, g, decisions);
                default -> {
                }
            }
        }
        // A capped cycle left work: the next turn cycles again without waiting for events.
        dirty = r.capped();
    }

    /**
     * An app no longer scheduled as a gang says so on its pods: unreadable task groups and Soft timeouts (the app
     * now runs as a normal app) as well as failures (Hard timeout, larger than its queue).
     */
    private void reportGang(ClusterState state, GangReleased g, List<Decision> cycle) {
        AppState app = state.app(g.appId());
        if (app == null) {
            return;
        }
        String reason = g.next() == GangReleased.Next.FAILED ? "GangFailed"
                : app.gang().spec().problem().isEmpty() ? "GangTimedOut" : "InvalidTaskGroups";
        LOG.info("app {}: {} ({})", g.appId(), g.reason(), reason);
        // Its pending pods, and those the same cycle placed (the follower may already show them placed).
        Set<String> uids = new LinkedHashSet<>();
        app.pendingAsks().forEach(p -> uids.add(p.uid()));
        for (Decision d : cycle) {
            if (d instanceof Allocated a) {
                PodState p = state.pod(a.podUid());
                if (p != null && p.pod().appId().equals(g.appId())) {
                    uids.add(a.podUid());
                }
            }
        }
        for (String uid : uids) {
            PodState p = state.pod(uid);
            if (p != null) {
                waiting.gang(p.pod().namespace(), p.pod().name(), uid, reason, g.reason());
            }
        }
    }

    private void bind(String uid, String node) {
        PodState p = follower.state().pod(uid);
        if (p == null) {
            return;
        }
        waiting.forget(uid);
        binds.incrementAndGet();
        TakeOver t = takeOver;
        if (t != null && t.epoch() == epoch && t.firstBindAtMillis() == 0) {
            takeOver = t.bound(System.currentTimeMillis());
        }
        binder.bind(p.pod().namespace(), p.pod().name(), uid, node, epoch).thenAccept(o -> {
            switch (o) {
                case Binder.Failed f -> bindFailures.add(f);
                case Binder.Withdrawn w when scheduler != null -> unsent.add(w);
                default -> {
                }
            }
        });
    }

    // ------------------------------------------------------------------ preemption

    /**
     * Deletes the victims of a preemption the state took, tells the preemptor, and says it in one line: the line to
     * find at 3 a.m. when someone asks why their pod was killed.
     */
    private void carryOut(PreemptionRequested p) {
        ClusterState state = follower.state();
        preemptionsCarriedOut++;
        StringJoiner names = new StringJoiner(", ");
        for (String uid : p.victims()) {
            PodState v = state.pod(uid);
            names.add(v == null ? uid : v.pod().key());
        }
        boolean quota = p.kind() == PreemptionRequested.Kind.QUOTA;
        PodState preemptor = quota ? null : state.pod(p.preemptorUid());
        String who = preemptor == null ? p.preemptorUid() : preemptor.pod().key();
        if (quota) {
            LOG.info("preemption QUOTA: deleting {} pod(s): {}; {}", p.victims().size(), names, p.reason());
        } else {
            LOG.info("preemption {}: pod {} (queue {}) takes room on node {} from {} pod(s): {}; {}", p.kind(), who,
                    queueOf(state, preemptor), p.nodeName(), p.victims().size(), names, p.reason());
        }
        String by = quota ? PodState.QUOTA : p.preemptorUid();
        for (String uid : p.victims()) {
            PodState v = state.pod(uid);
            if (v != null && isVictimStillHere(v)) {
                evict(v, victimMessage(state, by, p.reason()));
            }
        }
        if (preemptor != null) {
            evictor.preempting(ref(preemptor), "preempting " + p.victims().size() + " pod(s) on node " + p.nodeName()
                    + " (" + p.kind().name().toLowerCase(Locale.ROOT) + "): " + names
                    + "; the room they free is held for this pod while they leave. " + p.reason());
        }
    }

    /** A victim the state still counts on its node: its deletion is (still) to be carried out. */
    private static boolean isVictimStillHere(PodState p) {
        return p.isPreempted() && p.role() == PodState.Role.PLACED;
    }

    /** What a victim's {@code Preempted} Event says: by whom (pod and queue) and where, or its queue's lowered max. */
    private static String victimMessage(ClusterState state, String by, String reason) {
        if (PodState.QUOTA.equals(by)) {
            return "Preempted: " + (reason.isEmpty() ? "its queue is above its lowered max" : reason);
        }
        PodState preemptor = state.pod(by);
        String who = preemptor == null ? "pod " + by + " (gone since)"
                : "pod " + preemptor.pod().key() + " (queue " + queueOf(state, preemptor) + ")"
                + (preemptor.holdsRoom() ? " on node " + preemptor.holdNode() : "");
        return "Preempted by " + who + (reason.isEmpty() ? "" : ": " + reason);
    }

    private static String queueOf(ClusterState state, PodState p) {
        AppState app = p == null ? null : state.app(p.pod().appId());
        return app == null ? "?" : app.queue();
    }

    private static Evictor.PodRef ref(PodState p) {
        return new Evictor.PodRef(p.pod().namespace(), p.pod().name(), p.uid());
    }

    private void evict(PodState v, String message) {
        evictions.incrementAndGet();
        evictor.evict(ref(v), v.node(), message).thenAccept(o -> {
            switch (o) {
                case Evictor.Failed f -> evictionRetries.add(new EvictionRetry(f.podUid(),
                        clock.millis() + EVICTION_RETRY.toMillis(), message));
                case Evictor.Withdrawn w when scheduler != null -> evictionsUnsent.add(new EvictionRetry(w.podUid(), 0,
                        message));
                default -> {
                }
            }
        });
    }

    /**
     * Victims not deleted yet go again: those withdrawn while the lease was not known valid at once (when it is again),
     * those that failed after {@link #EVICTION_RETRY}; until then the preemptor waits, its room held.
     */
    private void retryEvictions() {
        if (evictionsUnsent.isEmpty() && evictionRetries.isEmpty() || !mayCommit.getAsBoolean()) {
            return;
        }
        ClusterState state = follower.state();
        for (EvictionRetry r; (r = evictionsUnsent.poll()) != null; ) {
            PodState v = state.pod(r.uid());
            if (v != null && isVictimStillHere(v)) {
                evict(v, r.message());
            }
        }
        long now = clock.millis();
        List<EvictionRetry> later = new ArrayList<>();
        for (EvictionRetry r; (r = evictionRetries.poll()) != null; ) {
            PodState v = state.pod(r.uid());
            if (v == null || !isVictimStillHere(v)) {
                continue;
            }
            if (now < r.notBefore()) {
                later.add(r);
            } else {
                LOG.info("deleting preempted pod {} on node {} again: the last try failed", v.pod().key(), v.node());
                evict(v, r.message());
            }
        }
        evictionRetries.addAll(later);
    }

    /** Preemptions this leader carried out (applied and their deletions sent) since it started. */
    public long preemptionsCarriedOut() {
        return preemptionsCarriedOut;
    }

    /** Victim deletions asked of the evictor so far (re-issues included). */
    public long evictionsRequested() {
        return evictions.get();
    }

    public long epoch() {
        return epoch;
    }

    public long cycles() {
        return cycles;
    }

    public long allocations() {
        return allocations;
    }

    /** Binds asked of the binder so far. */
    public long bindsRequested() {
        return binds.get();
    }
}
