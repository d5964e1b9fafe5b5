package io.fairway.ha;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fairway.core.state.AppState;
import io.fairway.core.state.ClusterState;
import io.fairway.core.state.Gang;
import io.fairway.core.state.PodState;
import io.fairway.k8s.Binder;
import io.fairway.k8s.ClusterWatcher;
import io.fairway.k8s.Evictor;
import io.fairway.k8s.LogAppender;
import io.fairway.log.EventDecodeException;
import io.fairway.log.EventLog;
import io.fairway.log.FencedException;
import io.fairway.log.LogTruncatedException;
import io.fairway.log.kafka.KafkaEventLogException;
import io.fairway.store.Snapshots;
import io.fairway.store.StateFollower;
import java.time.Duration;
import java.util.Locale;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running scheduler replica. Every replica recovers its state, follows the log into its store and keeps its
 * informers warm; the one that holds the lease also appends observations, decides and binds.
 *
 * <p>One thread does the replica's work. As a follower it applies the log. When the election says it leads, it
 * opens the observation gate, takes the lead ({@link LeaderLoop#becomeLeader}: a new epoch that fences older writers,
 * {@code LeaderElected} read back, what the informers saw meanwhile appended, committed binds re-issued) and
 * schedules. While a renewal of its lease is late (past the renew deadline) it holds its decisions and binds but keeps
 * the lead: a slow moment of this process or of the API server is not a reason to change leaders. It steps down at
 * once, withdrawing binds not yet sent, when the elector finds the lease lost (held by another, or not renewed for a
 * whole lease duration), when a newer leader fences it, or when the log fails it; it then follows again.
 */
public final class Replica implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Replica.class);
    /** After the log failed this replica as leader: how long it waits before competing again. */
    private static final Duration BACK_OFF = Duration.ofSeconds(2);
    /**
     * A leader that stopped and released its lease waits this long before it closes its informers and its store: the
     * next leader takes over meanwhile, and closing them (a RocksDB flush, the informers' caches let go, the JVM's exit)
     * would compete with it for the CPU where replicas share a machine.
     */
    static final Duration HAND_OVER_GRACE = Duration.ofMillis(800);
    /** The shortest silence of the log that makes a leader give its lease up ({@link #logSilenceLimit}). */
    static final Duration LOG_SILENCE_FLOOR = Duration.ofSeconds(2);
    /** A standby rehearses taking the lead this often, after its first few rehearsals a second apart. */
    static final Duration REHEARSE_EVERY = Duration.ofSeconds(10);
    /** Rehearsals a second apart after a standby starts: its code is then warm (the fail-over bench waits for them). */
    public static final int WARM_UP_REHEARSALS = 5;
    /** How often the log probe asks the log for its end, at most. */
    private static final Duration PROBE_EVERY = Duration.ofMillis(250);

    /**
     * The state's position in the log and its hash, taken together, with a few counts of it.
     *
     * @param gangs              gang apps by status (reserved, waiting, normal, failed, invalid)
     * @param fpgaReprograms     allocations so far that reprogram an FPGA region
     * @param preemptions        preemptions applied so far
     * @param victimsTerminating preempted pods still on their nodes (being deleted, or their deletion still to come)
     */
    public record StateMark(long offset, String hash, SortedMap<String, Integer> gangs, long fpgaReprograms,
                            long preemptions, int victimsTerminating) {
    }

    /** What a replica does now. */
    public enum Role { FOLLOWER, LEADER, STOPPED }

    private final String name;
    private final LogAppender appender;
    private final ObservationGate gate;
    private final StateFollower follower;
    private final Binder binder;
    private final Evictor evictor;
    private final LeaderLoop loop;
    private final LeaderElection election;
    private final Duration pollTimeout;
    private final Thread thread;
    private final ScheduledExecutorService watchdog;
    private final EventLog log;
    private final ReplicaMetrics metrics;
    /** Every part but the election, closed in reverse order of opening. */
    private final ReplicaParts parts;
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
    /** True while this leader holds its decisions for a late renewal; how many times it did. */
    private boolean holding;
    private long heldSince;
    /** When a leader that stopped released its lease (nanoTime), 0 before. */
    private volatile long releasedAt;
    /** When a standby rehearses taking the lead next (nanoTime), and how often it did. */
    private long nextRehearsal = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
    private volatile long rehearsals;
    private volatile long holds;
    private volatile long stepDowns;
    private volatile String lastStepDown = "";
    private final ConcurrentLinkedQueue<CompletableFuture<StateMark>> marks =
            new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<CompletableFuture<Snapshots.Snapshot>> snapshotAsks =
            new ConcurrentLinkedQueue<>();

    private Replica(EventLog log, ReplicaOptions options, ReplicaParts parts) {
        this.log = log;
        this.name = options.name();
        this.pollTimeout = options.loop().pollTimeout();
        this.parts = parts;
        this.metrics = parts.metrics();
        this.evictor = parts.evictor();
        this.appender = parts.appender();
        this.gate = parts.gate();
        this.follower = parts.follower();
        this.binder = parts.binder();
        this.loop = parts.loop();
        this.election = parts.election();
        this.thread = Thread.ofPlatform().name("fairway-replica-" + name).unstarted(this::run);
        this.watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "fairway-watchdog-" + name);
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Recovers the state from the options' data directory and the log and starts the informers; once their first
     * lists are done it competes for the lease. Returns as a follower as soon as the state is recovered; it leads once
     * it wins. Informers that cannot list fail the replica ({@link #failure()}). When a part fails to open (the store, the
     * informers…), those opened before it are closed, newest first, and the failure is thrown.
     *
     * @param client the API server (the sandbox's or a real cluster's)
     */
    public static Replica start(KubernetesClient client, EventLog log, ReplicaOptions options) {
        GcPauses.get(); // counts the collections from here on, for /statez
        Closer closer = new Closer();
        ReplicaParts parts = ReplicaParts.open(client, log, options, closer);
        Replica r;
        try {
            r = new Replica(log, options, parts);
            parts.metrics().observe(r);
            r.thread.start();
        } catch (RuntimeException | Error e) {
            closer.closeAfter(e);
            throw e;
        }
        // A standby follows the log and is ready before the informers' first lists are done (at 100,000 pods they take
        // seconds); it competes for the lease once they are, since leading compares what they hold with the state.
        parts.listed().whenComplete((w, t) -> {
            if (t == null) {
                if (!r.stopping) {
                    r.election.start();
                }
            } else if (r.stopping) {
                // closed while the informers listed: their failure is the close's doing
                LOG.debug("replica {}: the informers' first lists ended with the replica's stop: {}", r.name,
                        t.toString());
            } else {
                Throwable cause = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
                LOG.error("replica {} cannot watch the cluster, so it will never lead: {}", r.name, cause.toString());
                r.failure = cause;
                r.stopping = true;
            }
        });
        long every = options.election().retryPeriod().toMillis();
        r.watchdog.scheduleWithFixedDelay(r::watch, every, every, TimeUnit.MILLISECONDS);
        Thread.ofVirtual().name("fairway-log-probe-" + options.name()).start(r::probeLog);
        return r;
    }

    private void run() {
        prepareWriter();
        try {
            while (!stopping) {
                turn();
                // the queue and app gauges copy the state here, on the thread that changes it, and so do the
                // console's lists, published whole for its HTTP threads
                follower.settled();
                for (CompletableFuture<StateMark> m; (m = marks.poll()) != null; ) {
                    ClusterState st = follower.state();
                    TreeMap<String, Integer> gangs = new TreeMap<>();
                    for (AppState a : st.apps().values()) {
                        if (a.gang().status() != Gang.Status.NONE) {
                            gangs.merge(a.gang().status().name().toLowerCase(Locale.ROOT), 1, Integer::sum);
                        }
                    }
                    int terminating = 0;
                    for (PodState p : st.pods()) {
                        if (p.isPreempted() && p.role() == PodState.Role.PLACED) {
                            terminating++;
                        }
                    }
                    m.complete(new StateMark(follower.nextOffset(), st.hash(), gangs, st.fpgaReprograms(),
                            st.preemptions(), terminating));
                }
                for (CompletableFuture<Snapshots.Snapshot> a; (a = snapshotAsks.poll()) != null; ) {
                    try {
                        a.complete(follower.snapshot());
                    } catch (RuntimeException e) {
                        a.completeExceptionally(e);
                    }
                }
            }
        } catch (RuntimeException e) {
            failure = e;
            LOG.error("replica {} stopped on an error it cannot recover from; it no longer follows or schedules", name,
                    e);
        } finally {
            if (role == Role.LEADER && !crashed) {
                // nothing more is bound, deleted or observed; then the lease goes, so that a standby takes over while
                // this one closes its decision writer and the rest
                withdrawBinds();
                evictor.withdrawPending();
                gate.close();
                election.close();
                releasedAt = System.nanoTime();
                stepDown(stopping ? "the replica is stopping" : "the replica failed");
            }
            role = Role.STOPPED;
            for (CompletableFuture<StateMark> m; (m = marks.poll()) != null; ) {
                m.completeExceptionally(new IllegalStateException("replica " + name + " has stopped"));
            }
            for (CompletableFuture<Snapshots.Snapshot> a; (a = snapshotAsks.poll()) != null; ) {
                a.completeExceptionally(new IllegalStateException("replica " + name + " has stopped"));
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
            } else if (follower.poll(pollTimeout) == 0 && System.nanoTime() - nextRehearsal > 0) {
                rehearse();
            }
            return;
        }
        if (!election.isLeading()) {
            stepDown("the lease was lost");
            return;
        }
        if (!election.leaseValid()) {
            // A renewal is late (this process or the API server was slow): decide, bind and observe nothing until it
            // comes, as a follower would, but keep the lead; the elector gives it up if the lease turns out to be
            // someone else's.
            if (!holding) {
                holding = true;
                heldSince = System.nanoTime();
                holds++;
                gate.close();
                LOG.info("replica {} holds its decisions: its last lease renewal is older than the renew deadline {}",
                        name, election.options().renewDeadline());
            }
            follower.poll(pollTimeout);
            return;
        }
        try {
            if (holding) {
                resume();
            }
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

    /**
     * How long a leader may go without an answer from the log before it gives the lease up: the lease duration, but
     * never less than {@link #LOG_SILENCE_FLOOR}. A short lease is for taking over from a dead leader quickly; a log
     * that is slow for a moment on a busy machine must not cost a leader change.
     */
    static Duration logSilenceLimit(ElectionOptions o) {
        return o.leaseDuration().compareTo(LOG_SILENCE_FLOOR) > 0 ? o.leaseDuration() : LOG_SILENCE_FLOOR;
    }

    /**
     * A standby rehearses taking the lead when it is caught up ({@link LeaderLoop#rehearse}): a second after it
     * started, then every second for its first {@link #WARM_UP_REHEARSALS} while another replica leads (a replica
     * restarted after a crash may be the next to take over, and its code is cold), then every
     * {@link #REHEARSE_EVERY}. A lease won during a rehearsal waits for its end (the rehearsal skips its cycle when it
     * sees the lease won), which is why it is not more often.
     */
    private void rehearse() {
        long t0 = System.nanoTime();
        try {
            int decisions = loop.rehearse(election::isLeading);
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            if (rehearsals == 0) {
                LOG.info("replica {} rehearsed taking the lead (reconciliation and a cycle of {} decisions, thrown "
                        + "away) in {} ms", name, decisions, ms);
            } else {
                LOG.debug("replica {} rehearsed taking the lead in {} ms ({} decisions)", name, ms, decisions);
            }
        } catch (RuntimeException e) {
            LOG.debug("replica {}: rehearsing a take-over: {}", name, e.toString());
        }
        rehearsals++;
        boolean another = !election.leader().isEmpty() && !election.leader().equals(name);
        nextRehearsal = System.nanoTime() + (rehearsals < WARM_UP_REHEARSALS && another
                ? TimeUnit.SECONDS.toNanos(1) : REHEARSE_EVERY.toNanos());
    }

    /**
     * The lease was renewed after a hold: the observations the informers made meanwhile were dropped, as a follower
     * drops them, so what the state lacks is appended (and read back) before the loop decides again.
     */
    private void resume() {
        gate.open();
        holding = false;
        int appended = loop.reconcileAgain();
        LOG.info("replica {} leads on after holding its decisions for {} ms (epoch {}); appended {} observations the "
                + "state lacked", name, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - heldSince), loop.epoch(),
                appended);
    }

    private static boolean isLogFailure(RuntimeException e) {
        return e instanceof KafkaEventLogException;
    }

    /**
     * Runs beside the replica's thread: a leader blocked on a log that does not answer (a commit, or taking the lead)
     * for longer than its lease gives the lease up and withdraws its binds at once, so that a replica that can reach
     * the log leads instead. The blocked thread steps down when the log answers or its call times out.
     */
    private void watch() {
        try {
            long limit = logSilenceLimit(election.options()).toNanos();
            long waited = LogSilence.nanos(System.nanoTime(),
                    Math.max(probeAnsweredAt, loop.logAnsweredAt()), probeAskingSince, loop.waitingOnLogSince());
            if (waited > limit && election.isLeading()) {
                LOG.error("replica {}: the log has not answered for {} ms, longer than {} ms; giving the lease up",
                        name, waited / 1_000_000, limit / 1_000_000);
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
        long every = Math.max(election.options().retryPeriod().toMillis(), PROBE_EVERY.toMillis());
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

    /** The log's end offset as last probed (every 250 ms or lease retry period), -1 before the first answer. */
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
        holding = false;
        if (!stopping) {
            prepareWriter();
        }
    }

    /**
     * Has the log get the next decision writer ready (its producer built and connected, not initialised: that would
     * fence the leader), off this thread: the brokers may be slow to answer, and following must not wait.
     */
    private void prepareWriter() {
        Thread.ofVirtual().name("fairway-prepare-writer-" + name).start(() -> {
            try {
                log.prepareDecisionWriter();
            } catch (RuntimeException e) {
                LOG.debug("replica {}: preparing the decision writer: {}", name, e.toString());
            }
        });
    }

    public String name() {
        return name;
    }

    /**
     * The state's offset and hash, taken by the replica's own thread between two turns (so never in the middle of a
     * change): for comparing replicas with each other and with a replay of the log.
     */
    public CompletableFuture<StateMark> stateMark() {
        CompletableFuture<StateMark> m = new CompletableFuture<>();
        if (role == Role.STOPPED) {
            m.completeExceptionally(new IllegalStateException("replica " + name + " has stopped"));
        } else {
            marks.add(m);
        }
        return m;
    }

    /**
     * A snapshot taken now by the replica's own thread between two turns, for a peer that asks for one when this
     * replica has none yet.
     */
    public CompletableFuture<Snapshots.Snapshot> snapshotNow() {
        CompletableFuture<Snapshots.Snapshot> a = new CompletableFuture<>();
        if (role == Role.STOPPED) {
            a.completeExceptionally(new IllegalStateException("replica " + name + " has stopped"));
        } else {
            snapshotAsks.add(a);
        }
        return a;
    }

    public Role role() {
        return role;
    }

    public LeaderLoop loop() {
        return loop;
    }

    public StateFollower follower() {
        return follower;
    }

    /** The informers: their caches, and how long their first lists took at start. */
    public ClusterWatcher watcher() {
        return parts.watcher();
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

    /** Times this replica rehearsed taking the lead as a standby ({@link LeaderLoop#rehearse}). */
    public long rehearsals() {
        return rehearsals;
    }

    /** Times this leader held its decisions because a lease renewal was late (it kept the lead each time). */
    public long holds() {
        return holds;
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
        long t0 = System.nanoTime();
        boolean led = role == Role.LEADER;
        watchdog.shutdownNow();
        stopping = true;
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        election.close();
        long released = releasedAt;
        if (led && released != 0) {
            LOG.info("replica {} handed the lead over: lease released {} ms after the stop began, decision writer "
                    + "closed {} ms later", name, TimeUnit.NANOSECONDS.toMillis(released - t0),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - released));
            long left = released + HAND_OVER_GRACE.toNanos() - System.nanoTime();
            if (left > 0) {
                try {
                    TimeUnit.NANOSECONDS.sleep(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        closeParts();
    }

    private void closeParts() {
        // the follower is the replica thread's; it has stopped, so closing it here is safe
        parts.close();
    }
}
