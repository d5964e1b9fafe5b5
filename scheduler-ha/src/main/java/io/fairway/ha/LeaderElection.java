package io.fairway.ha;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This replica's part in the election on a coordination.k8s.io/v1 {@code Lease}, as kube-scheduler's (client-go's)
 * elector runs it, on a thread of its own that does nothing else.
 *
 * <p><b>Renewing.</b> The leader writes the Lease every {@code retryPeriod} (a compare-and-swap on its
 * resourceVersion, no read first), from one platform thread and through a client of its own (its own connection, its
 * own timeouts, no retries hidden inside it), so that a renewal never waits behind the informers, the binds or any
 * other work of the replica. {@link #leaseValid()} is true while the last successful renewal <em>started</em> less
 * than {@code renewDeadline} ago: the leader loop and the binder ask it before every commit and every bind, so a
 * replica paused past that (a long GC, SIGSTOP, a stalled VM) does nothing when it resumes. A late renewal is not a
 * lost lease: after a stall the elector tries to renew at once, and if the swap succeeds nobody wrote the Lease
 * meanwhile, so this replica still leads (same epoch) and goes on. It stops leading only when the Lease names another
 * holder (its swap fails and a fresh read shows it) or is gone; while the API server does not answer it cannot know,
 * and it holds its decisions until it does.
 *
 * <p><b>Taking over.</b> A standby watches the Lease and notes, on its own monotonic clock, when it last saw it
 * change; it tries to acquire once it has seen no change for {@code leaseDuration} (client-go's rule: no comparison
 * of clocks between machines), or at once when the Lease is released (no holder). Before it writes it reads the Lease
 * again; the write is a swap on the version it read, so of two contenders one wins. A poll every few retry periods
 * covers a watch that is down.
 *
 * <p>{@link #close()} releases the Lease (an empty holder) so that a standby takes over at once; {@link #abandon()}
 * leaves it to run out, as a crash does.
 */
public final class LeaderElection implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LeaderElection.class);
    /** A standby reads the Lease this many retry periods apart while its watch is up (every period while it is not). */
    private static final int POLLS_PER_WATCHED_PERIOD = 4;
    /** Problems of the same kind are logged again at most this often. */
    private static final long LOG_AGAIN_NANOS = TimeUnit.SECONDS.toNanos(30);

    /**
     * What the elector measured, for the benchmarks and the metrics.
     *
     * @param renewals           successful renewals while leading
     * @param renewFailures      renewal attempts that failed (an error or a timeout; not a lost lease)
     * @param lateRenewals       renewals that came after {@code renewDeadline}: the leader held its decisions meanwhile
     * @param maxRenewGapMillis  the longest time between two successful renewals (their starts) in one term
     * @param maxRenewMillis     the longest successful renewal request
     * @param acquiredAtMillis   wall-clock time this replica last acquired the Lease (0: never)
     * @param waitedMillis       how long, at that acquisition, the Lease had been seen unchanged (0 when it was
     *                           free or released)
     * @param watching           the watch on the Lease is up
     */
    public record Stats(long renewals, long renewFailures, long lateRenewals, long maxRenewGapMillis,
                        long maxRenewMillis, long acquiredAtMillis, long waitedMillis, boolean watching) {
    }

    private final KubernetesClient client;
    private final ElectionOptions options;
    private final String identity;
    /** Serialises every write of the Lease and every change of leading (the elector thread, stop, restart). */
    private final Object io = new Object();
    private final Object wakeLock = new Object();
    private boolean woken;
    /** The newest Lease the watch delivered, not yet taken in by the elector thread. */
    private final AtomicReference<Lease> watched = new AtomicReference<>();
    private volatile boolean leading;
    private volatile String leader = "";
    /** nanoTime at the start of the last successful acquisition or renewal. */
    private volatile long renewedAt = System.nanoTime() - TimeUnit.DAYS.toNanos(1);
    private volatile boolean closed;
    private volatile boolean watching;
    /** Not before this (nanoTime) does the elector compete again after {@link #restart(Duration)}. */
    private volatile long competeFrom;
    private Thread thread;
    private KubernetesClient leaseClient;
    private volatile Watch watch;
    /** Set by the watch when the Lease was deleted, or the watch closed: read it at once. */
    private volatile boolean pollNow;
    private long nextWatchAttempt;
    /** The Lease as this replica last wrote it (leading), to renew by swapping on its version. */
    private Lease ours;
    /** The Lease as last seen (read or watched), and when it was first seen in that version (nanoTime). */
    private Lease observed;
    private long observedAt;
    private long lastPoll;
    private long renewFailingSince;
    private String lastProblem = "";
    private long lastProblemAt;
    // statistics
    private volatile long renewals;
    private volatile long renewFailures;
    private volatile long lateRenewals;
    private volatile long maxRenewGap;
    private volatile long maxRenew;
    private volatile long acquiredAtMillis;
    private volatile long waitedMillis;
    private volatile Runnable onChange = () -> { };

    public LeaderElection(KubernetesClient client, ElectionOptions options, String identity) {
        this.client = Objects.requireNonNull(client, "client");
        this.options = Objects.requireNonNull(options, "options");
        this.identity = Objects.requireNonNull(identity, "identity");
    }

    /** Called (on the elector's thread) whenever this replica starts or stops leading: it must be quick. */
    public LeaderElection onChange(Runnable r) {
        this.onChange = Objects.requireNonNull(r, "onChange");
        return this;
    }

    /** Starts competing for the lease (returns at once; leading starts when the lease is won). */
    public synchronized LeaderElection start() {
        if (closed || thread != null) {
            return this;
        }
        leaseClient = leaseClient(client, options);
        thread = Thread.ofPlatform().name("fairway-lease-" + identity).daemon().priority(Thread.MAX_PRIORITY)
                .unstarted(this::run);
        thread.start();
        return this;
    }

    /**
     * A client for the Lease alone: its own connection, so that a renewal never queues behind the informers' or the
     * binder's requests; no retries inside the client (the elector retries on its own clock); a request timeout of a
     * lease duration (at least a second): a request that is slow because the API server is busy is better waited for
     * than abandoned and sent again on a new connection, and one that is stuck on a dead connection is given up
     * before a standby could take over.
     */
    static KubernetesClient leaseClient(KubernetesClient client, ElectionOptions options) {
        int timeout = (int) Math.max(1_000, options.leaseDuration().toMillis());
        return new KubernetesClientBuilder().withConfig(new ConfigBuilder(client.getConfiguration())
                .withRequestTimeout(timeout)
                .withConnectionTimeout(timeout)
                .withRequestRetryBackoffLimit(0)
                .withWatchReconnectInterval((int) Math.max(100, options.retryPeriod().toMillis()))
                .build()).build();
    }

    private void run() {
        openWatch();
        while (!closed) {
            long waitNanos;
            try {
                synchronized (io) {
                    if (closed) {
                        break;
                    }
                    long now = System.nanoTime();
                    if (leading) {
                        waitNanos = renewTurn(now);
                    } else if (now - competeFrom < 0) {
                        takeWatched(now);
                        waitNanos = competeFrom - now;
                    } else {
                        waitNanos = candidateTurn(now);
                    }
                }
            } catch (RuntimeException e) {
                problem("the election on lease " + describe() + " failed a turn: " + e);
                waitNanos = options.retryPeriod().toNanos();
            }
            if (watch == null && !closed && System.nanoTime() - nextWatchAttempt > 0) {
                openWatch();
            }
            sleep(waitNanos);
        }
    }

    // ------------------------------------------------------------------ leading

    /** One turn of the leader: renews when due. Returns how long to wait before the next turn (nanos). */
    private long renewTurn(long now) {
        long retry = options.retryPeriod().toNanos();
        Lease seen = watched.getAndSet(null);
        boolean challenged = seen != null && !identity.equals(holder(seen));
        long due = renewedAt + retry;
        if (!challenged && renewFailingSince == 0 && now - due < 0) {
            return due - now;
        }
        long start = System.nanoTime();
        ZonedDateTime wall = ZonedDateTime.now(ZoneOffset.UTC);
        Lease next = new LeaseBuilder(ours).editSpec().withRenewTime(wall).endSpec().build();
        try {
            Lease written = leaseClient.leases().inNamespace(options.namespace()).resource(next).update();
            long end = System.nanoTime();
            renewed(start, end);
            ours = written;
            observe(written, end);
            return Math.max(0, start + retry - System.nanoTime());
        } catch (RuntimeException e) {
            if (isConflict(e)) {
                // written meanwhile: by this replica (a renewal that timed out but went through) or by another
                Lease fresh;
                try {
                    fresh = getOrThrow();
                } catch (RuntimeException readFailed) {
                    problem("reading the lease " + describe() + " after a conflict failed: " + readFailed);
                    return Math.min(retry, Math.max(0, options.renewDeadline().toNanos() / 8));
                }
                long at = System.nanoTime();
                observe(fresh, at);
                if (fresh != null && identity.equals(holder(fresh))) {
                    ours = fresh;
                    return 0;
                }
                lose(fresh == null ? "the lease was deleted" : "the lease is held by " + holder(fresh));
                return 0;
            }
            renewFailures++;
            if (renewFailingSince == 0) {
                renewFailingSince = start;
            }
            // Not a lost lease: nobody is known to hold it. This replica holds its decisions (the renew deadline has
            // passed or will) and tries again; a standby that took the lease meanwhile makes the next swap fail.
            problem("renewing the lease " + describe() + " failed: " + e);
            return Math.min(retry, Math.max(0, options.renewDeadline().toNanos() / 8));
        }
    }

    private void renewed(long start, long end) {
        long gap = start - renewedAt;
        if (gap > maxRenewGap) {
            maxRenewGap = gap;
        }
        if (gap > options.renewDeadline().toNanos()) {
            lateRenewals++;
            LOG.warn("{} renewed the lease {} {} ms after its previous renewal, past the renew deadline of {} ms; it "
                            + "held its decisions meanwhile and leads on", identity, describe(),
                    TimeUnit.NANOSECONDS.toMillis(gap), options.renewDeadline().toMillis());
        }
        if (end - start > maxRenew) {
            maxRenew = end - start;
        }
        renewals++;
        renewedAt = start;
        if (renewFailingSince != 0) {
            LOG.info("{} renews the lease {} again", identity, describe());
            renewFailingSince = 0;
        }
    }

    /** Stops leading: the lease is someone else's, or gone. Holds {@link #io}. */
    private void lose(String why) {
        boolean was = leading;
        stopLeading();
        if (was) {
            LOG.warn("{} no longer holds the lease {}: {}", identity, describe(), why);
            onChange.run();
        }
    }

    /** Forgets this replica's hold on the lease: not leading, nothing to renew, not the leader as last seen. */
    private void stopLeading() {
        leading = false;
        ours = null;
        renewFailingSince = 0;
        if (identity.equals(leader)) {
            leader = "";
        }
    }

    // ------------------------------------------------------------------ competing

    /**
     * One turn of a standby: acquires when the lease is free (released), names this replica, or has been seen
     * unchanged for a lease duration. The write is a swap on the version seen, watched or read: if the lease changed
     * meanwhile it fails, and the lease is read again.
     */
    private long candidateTurn(long now) {
        long retry = options.retryPeriod().toNanos();
        long lease = options.leaseDuration().toNanos();
        takeWatched(now);
        long pollEvery = watching ? POLLS_PER_WATCHED_PERIOD * retry : retry;
        boolean look = pollNow;
        pollNow = false;
        if (observed == null || look || now - lastPoll >= pollEvery) {
            Lease fresh;
            try {
                fresh = getOrThrow();
            } catch (RuntimeException e) {
                problem("reading the lease " + describe() + " failed: " + e);
                lastPoll = System.nanoTime();
                return retry;
            }
            long at = System.nanoTime();
            lastPoll = at;
            if (fresh == null) {
                return create();
            }
            observe(fresh, at);
            now = at;
        }
        if (open(observed) || now - observedAt >= lease) {
            return acquire(observed, now);
        }
        return Math.max(0, Math.min(observedAt + lease - now, lastPoll + pollEvery - now));
    }

    private long create() {
        long start = System.nanoTime();
        ZonedDateTime wall = ZonedDateTime.now(ZoneOffset.UTC);
        Lease l = new LeaseBuilder().withNewMetadata().withNamespace(options.namespace()).withName(options.name())
                .endMetadata().withNewSpec().withHolderIdentity(identity).withLeaseDurationSeconds(leaseSeconds())
                .withAcquireTime(wall).withRenewTime(wall).withLeaseTransitions(0).endSpec().build();
        try {
            Lease written = leaseClient.leases().inNamespace(options.namespace()).resource(l).create();
            won(written, start, 0);
            return 0;
        } catch (RuntimeException e) {
            if (!isConflict(e)) {
                problem("creating the lease " + describe() + " failed: " + e);
                return options.retryPeriod().toNanos();
            }
            return 0; // created by another meanwhile: read it next turn
        }
    }

    private long acquire(Lease current, long now) {
        boolean mine = identity.equals(holder(current));
        long waited = free(current) || mine ? 0 : now - observedAt;
        long start = System.nanoTime();
        ZonedDateTime wall = ZonedDateTime.now(ZoneOffset.UTC);
        int transitions = current.getSpec() == null || current.getSpec().getLeaseTransitions() == null ? 0
                : current.getSpec().getLeaseTransitions();
        Lease next = new LeaseBuilder(current).editOrNewSpec()
                .withHolderIdentity(identity)
                .withLeaseDurationSeconds(leaseSeconds())
                .withAcquireTime(mine && current.getSpec().getAcquireTime() != null
                        ? current.getSpec().getAcquireTime() : wall)
                .withRenewTime(wall)
                .withLeaseTransitions(mine ? transitions : transitions + 1)
                .endSpec().build();
        try {
            Lease written = leaseClient.leases().inNamespace(options.namespace()).resource(next).update();
            won(written, start, waited);
            return 0;
        } catch (RuntimeException e) {
            if (!isConflict(e)) {
                problem("acquiring the lease " + describe() + " failed: " + e);
                return options.retryPeriod().toNanos();
            }
            // another replica wrote it first: read it again next turn
            pollNow = true;
            return 0;
        }
    }

    private void won(Lease written, long start, long waited) {
        long end = System.nanoTime();
        ours = written;
        observe(written, end);
        renewedAt = start;
        renewFailingSince = 0;
        acquiredAtMillis = System.currentTimeMillis();
        waitedMillis = TimeUnit.NANOSECONDS.toMillis(waited);
        leading = true;
        leader = identity;
        LOG.info("{} won the lease {}{}", identity, describe(), waited == 0 ? ""
                : " (unchanged for " + TimeUnit.NANOSECONDS.toMillis(waited) + " ms)");
        onChange.run();
    }

    /** Takes in what the watch delivered. */
    private void takeWatched(long now) {
        Lease seen = watched.getAndSet(null);
        if (seen != null) {
            observe(seen, now);
        }
    }

    /** Notes {@code l} as seen at {@code at}: a new version restarts the clock of the standby's patience. */
    private void observe(Lease l, long at) {
        if (l == null) {
            observed = null;
            return;
        }
        String version = l.getMetadata() == null ? null : l.getMetadata().getResourceVersion();
        String before = observed == null || observed.getMetadata() == null ? null
                : observed.getMetadata().getResourceVersion();
        if (observed == null || !Objects.equals(version, before)) {
            observed = l;
            observedAt = at;
        }
        leader = holder(l);
    }

    private Lease getOrThrow() {
        return leaseClient.leases().inNamespace(options.namespace()).withName(options.name()).get();
    }

    private void openWatch() {
        nextWatchAttempt = System.nanoTime() + Math.max(TimeUnit.SECONDS.toNanos(1), options.leaseDuration().toNanos());
        try {
            watch = leaseClient.leases().inNamespace(options.namespace()).withName(options.name())
                    .watch(new Watcher<>() {
                        @Override
                        public void eventReceived(Action action, Lease lease) {
                            if (action == Action.ADDED || action == Action.MODIFIED) {
                                watched.set(lease);
                            } else {
                                pollNow = true;
                            }
                            watching = true;
                            wake();
                        }

                        @Override
                        public void onClose(WatcherException cause) {
                            watching = false;
                            watch = null;
                            pollNow = true;
                            if (!closed) {
                                LOG.debug("the watch on lease {} closed: {}; polling", describe(), String.valueOf(cause));
                            }
                            wake();
                        }
                    });
            watching = true;
        } catch (RuntimeException e) {
            watching = false;
            watch = null;
            problem("cannot watch the lease " + describe() + " (" + e.getMessage() + "); reading it every "
                    + options.retryPeriod().toMillis() + " ms instead");
        }
    }

    // ------------------------------------------------------------------ what the replica asks

    /** The elector says this replica leads (it may be holding its decisions: see {@link #leaseValid()}). */
    public boolean isLeading() {
        return leading;
    }

    /** This replica leads and renewed its lease less than {@code renewDeadline} ago: it may decide and bind. */
    public boolean leaseValid() {
        return leading && System.nanoTime() - renewedAt < options.renewDeadline().toNanos();
    }

    /** Who holds the lease as last seen ("" when unknown or released). */
    public String leader() {
        return leader;
    }

    public String identity() {
        return identity;
    }

    public ElectionOptions options() {
        return options;
    }

    public Stats stats() {
        return new Stats(renewals, renewFailures, lateRenewals, TimeUnit.NANOSECONDS.toMillis(maxRenewGap),
                TimeUnit.NANOSECONDS.toMillis(maxRenew), acquiredAtMillis, waitedMillis, watching);
    }

    /**
     * Gives the lease up (if held) and competes again: for a leader that cannot lead well (fenced, or the log
     * unreachable), so that another replica may take over. Returns once the lease is released.
     */
    public void restart() {
        restart(Duration.ZERO);
    }

    /** As {@link #restart()}, competing again only after {@code delay}: time for a healthier replica to take over. */
    public void restart(Duration delay) {
        synchronized (io) {
            competeFrom = System.nanoTime() + delay.toNanos();
            if (leading) {
                release();
            }
        }
        wake();
    }

    /** Writes the lease free (no holder) if this replica holds it, and stops leading. Holds {@link #io}. */
    private void release() {
        Lease mine = ours;
        boolean was = leading;
        stopLeading();
        if (was) {
            onChange.run();
        }
        if (mine == null || leaseClient == null) {
            return;
        }
        ZonedDateTime wall = ZonedDateTime.now(ZoneOffset.UTC);
        Lease free = new LeaseBuilder(mine).editSpec().withHolderIdentity(null).withLeaseDurationSeconds(1)
                .withAcquireTime(wall).withRenewTime(wall).endSpec().build();
        try {
            leaseClient.leases().inNamespace(options.namespace()).resource(free).update();
            LOG.info("{} released the lease {}", identity, describe());
        } catch (RuntimeException e) {
            if (isConflict(e)) {
                return; // written by another since: not ours to release
            }
            LOG.warn("could not release the lease {}: {}; a standby takes over when it runs out", describe(),
                    e.toString());
        }
    }

    /**
     * Stops competing without releasing the lease, as a crashed replica would: a standby takes over only when the
     * lease runs out. For the sandbox's fail-over demonstration and tests.
     */
    public void abandon() {
        stop(false);
    }

    /** Stops competing and releases the lease if held, so that a standby takes over without waiting for it to run out. */
    @Override
    public void close() {
        stop(true);
    }

    private void stop(boolean release) {
        Thread t;
        synchronized (this) {
            closed = true;
            t = thread;
        }
        wake();
        if (t != null && t != Thread.currentThread()) {
            try {
                // a request in flight ends within the lease client's timeout
                t.join(Math.max(1_000, options.renewDeadline().toMillis() * 2));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (io) {
            if (release) {
                release();
            } else {
                // as a crash: nothing written, nothing said
                leading = false;
                ours = null;
            }
        }
        Watch w = watch;
        watch = null;
        if (w != null) {
            try {
                w.close();
            } catch (RuntimeException e) {
                LOG.debug("closing the watch on lease {}: {}", describe(), e.toString());
            }
        }
        KubernetesClient c;
        synchronized (this) {
            c = leaseClient;
            leaseClient = null;
        }
        if (c != null) {
            c.close();
        }
    }

    // ------------------------------------------------------------------ helpers

    private void wake() {
        synchronized (wakeLock) {
            woken = true;
            wakeLock.notifyAll();
        }
    }

    private void sleep(long nanos) {
        if (nanos <= 0) {
            return;
        }
        long until = System.nanoTime() + nanos;
        synchronized (wakeLock) {
            try {
                while (!woken && !closed) {
                    long left = until - System.nanoTime();
                    if (left <= 0) {
                        break;
                    }
                    TimeUnit.NANOSECONDS.timedWait(wakeLock, left);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            woken = false;
        }
    }

    private void problem(String what) {
        long now = System.nanoTime();
        String kind = what.length() > 40 ? what.substring(0, 40) : what;
        if (!kind.equals(lastProblem) || now - lastProblemAt > LOG_AGAIN_NANOS) {
            LOG.warn("{}", what);
            lastProblem = kind;
            lastProblemAt = now;
        } else {
            LOG.debug("{}", what);
        }
    }

    private int leaseSeconds() {
        return (int) Math.max(1, (options.leaseDuration().toMillis() + 999) / 1000);
    }

    private static String holder(Lease l) {
        return l == null || l.getSpec() == null || l.getSpec().getHolderIdentity() == null ? ""
                : l.getSpec().getHolderIdentity();
    }

    private static boolean free(Lease l) {
        return holder(l).isEmpty();
    }

    /** Free, or naming this replica (a replica restarted under its name takes its lease back at once). */
    private boolean open(Lease l) {
        return free(l) || identity.equals(holder(l));
    }

    private static boolean isConflict(RuntimeException e) {
        return e instanceof KubernetesClientException k && k.getCode() == 409;
    }

    private String describe() {
        return options.namespace() + "/" + options.name();
    }
}
