package io.fairway.ha;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fairway.k8s.Binder;
import io.fairway.k8s.BinderOptions;
import io.fairway.k8s.ClusterWatcher;
import io.fairway.k8s.Evictor;
import io.fairway.k8s.LogAppender;
import io.fairway.k8s.WaitingReporter;
import io.fairway.k8s.WatcherOptions;
import io.fairway.log.EventDecodeException;
import io.fairway.log.EventLog;
import io.fairway.log.FencedException;
import io.fairway.log.LogTruncatedException;
import io.fairway.store.FollowerOptions;
import io.fairway.store.StateFollower;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running scheduler replica. Every replica recovers its state, follows the log into its store and keeps its
 * informers warm; the one that holds the lease also appends observations, decides and binds.
 *
 * <p>One thread does the replica's work. As a follower it applies the log. When the election says it leads, it
 * opens the observation gate, takes the lead ({@link LeaderLoop#becomeLeader}: a new epoch that fences older writers,
 * {@code LeaderElected} read back, what the informers saw meanwhile appended, committed binds re-issued) and
 * schedules. It steps down at once, withdrawing binds not yet sent, when the lease is lost or not renewed in time,
 * when a newer leader fences it, or when the log fails it; it then gives up the lease and follows again.
 */
public final class Replica implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Replica.class);
    /** After the log failed this replica as leader: how long it waits before competing again. */
    private static final Duration BACK_OFF = Duration.ofSeconds(2);

    /**
     * The state's position in the log and its hash, taken together, with a few counts of it.
     *
     * @param gangs              gang apps by status (reserved, waiting, normal, failed, invalid)
     * @param fpgaReprograms     allocations so far that reprogram an FPGA region
     * @param preemptions        preemptions applied so far
     * @param victimsTerminating preempted pods still on their nodes (being deleted, or their deletion still to come)
     */
    public record StateMark(long offset, String hash, java.util.SortedMap<String, Integer> gangs, long fpgaReprograms,
                            long preemptions, int victimsTerminating) {
    }

    /** What a replica does now. */
    public enum Role { FOLLOWER, LEADER, STOPPED }

    /** Events the console's tail keeps in memory; older ones are read from the log. */
    public static final int TAIL_EVENTS = 2_000;
    private final io.fairway.ui.EventTail tail;
    /** How stale the console's lists may be; they are copied on the replica's thread at most this often. */
    public static final Duration READ_VIEW_EVERY = Duration.ofMillis(500);
    private final io.fairway.ui.ReadViewPublisher readView = new io.fairway.ui.ReadViewPublisher(READ_VIEW_EVERY);

    private final String name;
    private final LogAppender appender;
    private final ObservationGate gate;
    private final ClusterWatcher watcher;
    private final StateFollower follower;
    private final Binder binder;
    private final Evictor evictor;
    private final WaitingReporter waiting;
    private final LeaderLoop loop;
    private final LeaderElection election;
    private final Duration pollTimeout;
    private final Thread thread;
    private final java.util.concurrent.ScheduledExecutorService watchdog;
    private final EventLog log;
    private final ReplicaMetrics metrics;
    /** The log's end as the log probe last read it, -1 before it did: a scrape must not call the brokers. */
    private volatile long logEnd = -1;
    /** When the probe last had an answer from the log (nanoTime), 0 before it had one. */
    private volatile long probeAnsweredAt;
    /** When the probe's oldest call not yet answered started (nanoTime), 0 while it has its answer. */
    private volatile long probeAskingSince;
    private volatile long logGiveUps;
    private volatile Role role = Role.FOLLOWER;
    private volatile boolean stopping;
    /** Set by {@link #crash()}: the replica's thread ends without stepping down, as a killed process would. */
    private volatile boolean crashed;
    private volatile Throwable failure;
    private volatile long leaderships;
    private volatile long stepDowns;
    private volatile String lastStepDown = "";
    private final java.util.concurrent.ConcurrentLinkedQueue<java.util.concurrent.CompletableFuture<StateMark>> marks =
            new java.util.concurrent.ConcurrentLinkedQueue<>();

    private Replica(EventLog log, String name, LogAppender appender, ObservationGate gate, ClusterWatcher watcher,
                    StateFollower follower, Binder binder, Evictor evictor, WaitingReporter waiting, LeaderLoop loop,
                    LeaderElection election, Duration pollTimeout, ReplicaMetrics metrics, io.fairway.ui.EventTail tail) {
        this.metrics = metrics;
        this.tail = tail;
        this.evictor = evictor;
        this.log = log;
        this.name = name;
        this.appender = appender;
        this.gate = gate;
        this.watcher = watcher;
        this.follower = follower;
        this.binder = binder;
        this.waiting = waiting;
        this.loop = loop;
        this.election = election;
        this.pollTimeout = pollTimeout;
        follower.subscribe(readView);
        this.thread = Thread.ofPlatform().name("fairway-replica-" + name).unstarted(this::run);
        this.watchdog = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "fairway-watchdog-" + name);
            t.setDaemon(true);
            return t;
        });
    }

    /** As {@link #start(KubernetesClient, EventLog, Path, String, WatcherOptions, BinderOptions, LeaderLoop.Options,
     *  ElectionOptions, Clock)} with the default lease ({@code fairway/fairway-leader}, 2 s). */
    public static Replica start(KubernetesClient client, EventLog log, Path dataDir, String replica,
                                WatcherOptions watcherOptions, BinderOptions binderOptions,
                                LeaderLoop.Options loopOptions, Clock clock) {
        return start(client, log, dataDir, replica, watcherOptions, binderOptions, loopOptions,
                ElectionOptions.defaults(), clock);
    }

    /**
     * Recovers the state from {@code dataDir} and the log, starts the informers, and competes for the lease.
     * Returns at once as a follower; it leads once it wins.
     *
     * @param client the API server (the sandbox's or a real cluster's)
     * @param replica this replica's name: the lease holder identity and the {@code LeaderElected} replica
     */
    public static Replica start(KubernetesClient client, EventLog log, Path dataDir, String replica,
                                WatcherOptions watcherOptions, BinderOptions binderOptions,
                                LeaderLoop.Options loopOptions, ElectionOptions electionOptions, Clock clock) {
        LeaderElection election = new LeaderElection(client, electionOptions, replica);
        ReplicaMetrics metrics = new ReplicaMetrics(replica);
        ChaosHooks hooks = ChaosHooks.current();
        Binder binder = new Binder(client, binderOptions,
                hooks.bindWithoutLease() ? () -> true : election::leaseValid, metrics::bindAnswered);
        // deletions go as binds do: the same parallelism and retries, and only while the lease is known valid
        Evictor evictor = new Evictor(client, binderOptions, clock, election::leaseValid);
        WaitingReporter waiting = new WaitingReporter(client, clock, 8);
        io.fairway.ui.EventTail tail = new io.fairway.ui.EventTail(TAIL_EVENTS);
        FollowerOptions fo = FollowerOptions.defaults().withSchedulerName(watcherOptions.schedulerName())
                .withMaxPersistDelay(Duration.ofMillis(200))
                .withPublisher(tail);
        StateFollower follower = StateFollower.recover(dataDir, log, fo);
        LogAppender appender = new LogAppender(log);
        ObservationGate gate = new ObservationGate(hooks == ChaosHooks.NONE ? appender
                : o -> appender.observed(hooks.observed(o)));
        ClusterWatcher watcher = new ClusterWatcher(client, gate, watcherOptions, clock);
        LeaderLoop loop = new LeaderLoop(log, follower, binder, evictor, waiting, clock, loopOptions,
                state -> Reconciliation.missing(state,
                        watcher.observeAll((uid, version) -> Reconciliation.held(state, uid, version)), clock.millis())
                        .stream().map(hooks::observed).toList(),
                election::leaseValid, metrics);
        // recovery is done: from here on the loop reads its own decisions back, the gauges and the console's lists
        // are copied between two turns of the replica's thread (in this order)
        follower.subscribe(loop);
        follower.subscribe(metrics);
        try {
            watcher.start();
        } catch (RuntimeException e) {
            watcher.close();
            appender.close();
            follower.close();
            binder.close();
            evictor.close();
            waiting.close();
            metrics.close();
            throw e;
        }
        Replica r = new Replica(log, replica, appender, gate, watcher, follower, binder, evictor, waiting, loop,
                election,
                loopOptions.pollTimeout(), metrics, tail);
        metrics.observe(r);
        r.thread.start();
        election.start();
        long every = electionOptions.retryPeriod().toMillis();
        r.watchdog.scheduleWithFixedDelay(r::watch, every, every, java.util.concurrent.TimeUnit.MILLISECONDS);
        Thread.ofVirtual().name("fairway-log-probe-" + replica).start(r::probeLog);
        return r;
    }

    private void run() {
        try {
            while (!stopping) {
                turn();
                // the queue and app gauges copy the state here, on the thread that changes it, and so do the
                // console's lists, published whole for its HTTP threads
                follower.settled();
                for (java.util.concurrent.CompletableFuture<StateMark> m; (m = marks.poll()) != null; ) {
                    io.fairway.core.state.ClusterState st = follower.state();
                    java.util.TreeMap<String, Integer> gangs = new java.util.TreeMap<>();
                    for (io.fairway.core.state.AppState a : st.apps().values()) {
                        if (a.gang().status() != io.fairway.core.state.Gang.Status.NONE) {
                            gangs.merge(a.gang().status().name().toLowerCase(java.util.Locale.ROOT), 1, Integer::sum);
                        }
                    }
                    int terminating = 0;
                    for (io.fairway.core.state.PodState p : st.pods()) {
                        if (p.isPreempted() && p.role() == io.fairway.core.state.PodState.Role.PLACED) {
                            terminating++;
                        }
                    }
                    m.complete(new StateMark(follower.nextOffset(), st.hash(), gangs, st.fpgaReprograms(),
                            st.preemptions(), terminating));
                }
            }
        } catch (RuntimeException e) {
            failure = e;
            LOG.error("replica {} stopped on an error it cannot recover from; it no longer follows or schedules", name,
                    e);
        } finally {
            if (role == Role.LEADER && !crashed) {
                stepDown(stopping ? "the replica is stopping" : "the replica failed");
            }
            role = Role.STOPPED;
            for (java.util.concurrent.CompletableFuture<StateMark> m; (m = marks.poll()) != null; ) {
                m.completeExceptionally(new IllegalStateException("replica " + name + " has stopped"));
            }
            if (!stopping) {
                // a failed replica must not sit on the lease: a standby takes over at once
                election.close();
            }
        }
    }

    private void turn() {
        if (role == Role.FOLLOWER) {
            if (election.leaseValid()) {
                lead();
            } else {
                follower.poll(pollTimeout);
            }
            return;
        }
        if (!election.leaseValid()) {
            stepDown(election.isLeading()
                    ? "the lease was not renewed within " + election.options().renewDeadline()
                    : "the lease was lost");
            return;
        }
        try {
            loop.runOnce();
        } catch (FencedException e) {
            stepDown("a newer leader fenced this one: " + e.getMessage());
            election.restart();
        } catch (EventDecodeException | LogTruncatedException e) {
            throw e;
        } catch (RuntimeException e) {
            if (!isLogFailure(e)) {
                throw e;
            }
            stepDown("the log failed: " + e.getMessage());
            election.restart(BACK_OFF);
        }
    }

    private static boolean isLogFailure(RuntimeException e) {
        return e instanceof io.fairway.log.kafka.KafkaEventLogException;
    }

    /**
     * Runs beside the replica's thread: a leader blocked on a log that does not answer (a commit, or taking the lead)
     * for longer than its lease gives the lease up and withdraws its binds at once, so that a replica that can reach
     * the log leads instead. The blocked thread steps down when the log answers or its call times out.
     */
    private void watch() {
        try {
            long lease = election.options().leaseDuration().toNanos();
            long waited = LogSilence.nanos(System.nanoTime(),
                    Math.max(probeAnsweredAt, loop.logAnsweredAt()), probeAskingSince, loop.waitingOnLogSince());
            if (waited > lease && election.isLeading()) {
                LOG.error("replica {}: the log has not answered for {} ms, longer than the lease; giving the lease up",
                        name, waited / 1_000_000);
                logGiveUps++;
                withdrawBinds();
                evictor.withdrawPending();
                election.restart(BACK_OFF);
            }
        } catch (RuntimeException e) {
            LOG.warn("replica {}: watchdog: {}", name, e.toString());
        }
    }

    /**
     * Asks the log for its end every retry period: a leader that has nothing to commit would otherwise not notice
     * that it cannot reach the log, and would sit on the lease.
     */
    private void probeLog() {
        long every = election.options().retryPeriod().toMillis();
        while (!stopping) {
            if (probeAskingSince == 0) {
                probeAskingSince = System.nanoTime();
            }
            try {
                logEnd = log.endOffset();
                probeAnsweredAt = System.nanoTime();
                probeAskingSince = 0;
            } catch (RuntimeException e) {
                LOG.debug("replica {}: the log did not answer: {}", name, e.toString());
            }
            try {
                Thread.sleep(every);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** The log's end offset as last probed (every lease retry period), -1 before the first answer. */
    public long logEnd() {
        return logEnd;
    }

    /** This replica's metrics, for {@code /metrics}. */
    public ReplicaMetrics metrics() {
        return metrics;
    }

    /** Times this replica gave the lease up because the log did not answer. */
    public long logGiveUps() {
        return logGiveUps;
    }

    private void lead() {
        gate.open();
        try {
            loop.becomeLeader();
        } catch (FencedException e) {
            stepDown("fenced while taking the lead: " + e.getMessage());
            election.restart();
            return;
        } catch (RuntimeException e) {
            if (!isLogFailure(e) && !(e instanceof IllegalStateException)) {
                gate.close();
                throw e;
            }
            stepDown("could not take the lead: " + e.getMessage());
            election.restart(BACK_OFF);
            return;
        }
        role = Role.LEADER;
        leaderships++;
    }

    private void stepDown(String why) {
        withdrawBinds();
        evictor.withdrawPending();
        gate.close();
        loop.stepDown();
        if (role == Role.LEADER) {
            stepDowns++;
            lastStepDown = why;
            if (stopping) {
                // close(): a deliberate stop, nothing for an operator to look into
                LOG.info("replica {} stops leading (epoch {}): {}", name, loop.epoch(), why);
            } else {
                LOG.warn("replica {} stops leading (epoch {}): {}; it follows the log again", name, loop.epoch(), why);
            }
        }
        role = Role.FOLLOWER;
    }

    public String name() {
        return name;
    }

    /**
     * The state's offset and hash, taken by the replica's own thread between two turns (so never in the middle of a
     * change): for comparing replicas with each other and with a replay of the log.
     */
    public java.util.concurrent.CompletableFuture<StateMark> stateMark() {
        java.util.concurrent.CompletableFuture<StateMark> m = new java.util.concurrent.CompletableFuture<>();
        if (role == Role.STOPPED) {
            m.completeExceptionally(new IllegalStateException("replica " + name + " has stopped"));
        } else {
            marks.add(m);
        }
        return m;
    }

    public Role role() {
        return role;
    }

    /** What this replica is now, as the console shows it: its role, and its epoch while it leads. */
    public io.fairway.ui.Leadership leadership() {
        Role r = role;
        return new io.fairway.ui.Leadership(name, r.name(), r == Role.LEADER ? loop.epoch() : 0);
    }

    /** The console's lists (summary, queues, apps, nodes), copied by this replica's thread. */
    public io.fairway.ui.ReadViewPublisher readView() {
        return readView;
    }

    /** The newest events this replica applied, for the console's log tail and live stream. */
    public io.fairway.ui.EventTail tail() {
        return tail;
    }

    public LeaderLoop loop() {
        return loop;
    }

    public StateFollower follower() {
        return follower;
    }

    public LogAppender appender() {
        return appender;
    }

    /**
     * Drops the binds not yet sent: a replica that stops leading must not bind. (The chaos harness's planted bug
     * "bind without checking the lease" skips this too, as that bug would.)
     */
    private void withdrawBinds() {
        if (!ChaosHooks.current().bindWithoutLease()) {
            binder.withdrawPending();
        }
    }

    public Binder binder() {
        return binder;
    }

    public Evictor evictor() {
        return evictor;
    }

    public LeaderElection election() {
        return election;
    }

    /** Times this replica took the lead. */
    public long leaderships() {
        return leaderships;
    }

    /** Times it stepped down, and why the last time ("" if never). */
    public long stepDowns() {
        return stepDowns;
    }

    public String lastStepDown() {
        return lastStepDown;
    }

    /** Why the replica stopped on its own, or null while it runs. */
    public Throwable failure() {
        return failure;
    }

    /**
     * Stops as if the process died (SIGKILL): no step-down, no log line of its own, no lease release, no abort of its
     * decision stream; binds and deletions not yet sent are dropped. A standby takes over only when the lease runs out,
     * and its new epoch fences this one's writer. The replica dies between two turns of its thread (a turn under way
     * finishes: its commit, if any, is all or nothing anyway). Its informers and store are closed, as the kernel would
     * close its sockets and files. For the sandbox's fail-over demonstration ({@code --kill-leader-every}) and tests.
     */
    public void crash() {
        crashed = true;
        stopping = true;
        watchdog.shutdownNow();
        withdrawBinds();
        evictor.withdrawPending();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // what the last turn queued dies with the process too
        withdrawBinds();
        evictor.withdrawPending();
        // stops renewing; the lease is left to run out (abandon never releases it, and clears "leading" before the
        // elector's callback, so nothing is logged)
        election.abandon();
        closeParts();
    }

    /**
     * Stops: the replica steps down (binds not yet sent are withdrawn), then releases the lease so that a standby
     * takes over at once, then stops its informers and closes its store.
     */
    @Override
    public void close() {
        watchdog.shutdownNow();
        stopping = true;
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        election.close();
        closeParts();
    }

    private void closeParts() {
        watcher.close();
        appender.close();
        binder.close();
        evictor.close();
        waiting.close();
        // the follower is the replica thread's; it has stopped, so closing it here is safe
        follower.close();
        metrics.close();
    }
}
