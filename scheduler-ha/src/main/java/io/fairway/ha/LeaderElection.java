package io.fairway.ha;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaderElectionRecord;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.Lock;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This replica's part in the election: fabric8's {@code LeaderElector} on a {@code Lease}, as kube-scheduler elects.
 *
 * <p>fabric8 says when leading starts and stops, but a paused process (a long GC, SIGSTOP, a stalled VM) hears of a
 * lost lease only after it resumes and fails its next renewal. So the time of the last successful renewal is kept
 * here, and {@link #leaseValid()} is false once {@code renewDeadline} has passed since: the leader loop and the
 * binder ask it before every commit and every bind, and a replica resumed after its lease ran out does nothing.
 */
public final class LeaderElection implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LeaderElection.class);

    private final KubernetesClient client;
    private final ElectionOptions options;
    private final String identity;
    private final RenewalTrackingLock lock;
    private volatile boolean leading;
    private volatile String leader = "";
    private volatile long transitions;
    private CompletableFuture<?> running;
    private io.fabric8.kubernetes.client.extended.leaderelection.LeaderElector elector;
    private boolean closed;

    public LeaderElection(KubernetesClient client, ElectionOptions options, String identity) {
        this.client = client;
        this.options = options;
        this.identity = identity;
        this.lock = new RenewalTrackingLock(new LeaseLock(options.namespace(), options.name(), identity));
    }

    /** Starts competing for the lease (returns at once; leading starts when the lease is won). */
    public synchronized LeaderElection start() {
        if (closed || (running != null && !running.isDone())) {
            return this;
        }
        elector = client.leaderElector().withConfig(new LeaderElectionConfigBuilder()
                .withName(options.name())
                .withLock(lock)
                .withLeaseDuration(options.leaseDuration())
                .withRenewDeadline(options.renewDeadline())
                .withRetryPeriod(options.retryPeriod())
                // released explicitly by stop(): abandon() must be able to leave it to run out, as a crash does
                .withReleaseOnCancel(false)
                .withLeaderCallbacks(new LeaderCallbacks(this::started, this::stopped, this::newLeader))
                .build()).build();
        CompletableFuture<?> started = elector.start();
        running = started;
        // fabric8's elector ends once it has lost the lease; a replica that lost it (a pause, a partition) stays a
        // candidate, so the election starts again unless it was stopped on purpose
        started.whenComplete((v, t) -> {
            if (t != null && !(t instanceof CancellationException)) {
                LOG.warn("the election on lease {}/{} ended: {}", options.namespace(), options.name(), t.toString());
            }
            CompletableFuture.delayedExecutor(options.retryPeriod().toMillis(), TimeUnit.MILLISECONDS)
                    .execute(() -> again(started));
        });
        return this;
    }

    private synchronized void again(CompletableFuture<?> ended) {
        if (!closed && running == ended) {
            running = null;
            start();
        }
    }

    private void started() {
        leading = true;
        transitions++;
        LOG.info("{} won the lease {}/{}", identity, options.namespace(), options.name());
    }

    private void stopped() {
        if (leading) {
            LOG.warn("{} no longer holds the lease {}/{}", identity, options.namespace(), options.name());
        }
        leading = false;
        if (identity.equals(leader)) {
            leader = "";
        }
    }

    private void newLeader(String who) {
        leader = who == null ? "" : who;
    }

    /** fabric8 thinks this replica leads (it may not know yet that a pause cost it the lease). */
    public boolean isLeading() {
        return leading;
    }

    /** This replica leads and renewed its lease less than {@code renewDeadline} ago: it may decide and bind. */
    public boolean leaseValid() {
        return leading && System.nanoTime() - lock.renewedAt < options.renewDeadline().toNanos();
    }

    /** Who holds the lease as last seen ("" when unknown). */
    public String leader() {
        return leader;
    }

    public String identity() {
        return identity;
    }

    public ElectionOptions options() {
        return options;
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
        stop();
        if (delay.isZero()) {
            start();
        } else {
            CompletableFuture.delayedExecutor(delay.toMillis(), TimeUnit.MILLISECONDS).execute(this::start);
        }
    }

    private void stop() {
        stop(true);
    }

    private void stop(boolean release) {
        CompletableFuture<?> r;
        io.fabric8.kubernetes.client.extended.leaderelection.LeaderElector e;
        synchronized (this) {
            r = running;
            e = elector;
            running = null;
            elector = null;
        }
        boolean held = leading;
        leading = false;
        if (r != null) {
            r.cancel(true);
            try {
                r.handle((v, t) -> null).get(options.leaseDuration().toMillis(), TimeUnit.MILLISECONDS);
            } catch (Exception ex) {
                LOG.debug("waiting for the election to stop: {}", ex.toString());
            }
        }
        if (release && held && e != null) {
            // a standby may take over at once instead of waiting for the lease to run out
            try {
                e.release();
            } catch (RuntimeException ex) {
                LOG.warn("could not release the lease {}/{}: {}; a standby takes over when it runs out",
                        options.namespace(), options.name(), ex.toString());
            }
        }
    }

    /**
     * Stops competing without releasing the lease, as a crashed replica would: a standby takes over only when the
     * lease runs out. For the sandbox's fail-over demonstration and tests.
     */
    public void abandon() {
        synchronized (this) {
            closed = true;
        }
        stop(false);
    }

    /** Stops competing and releases the lease if held, so that a standby takes over without waiting for it to run out. */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
        }
        stop();
    }

    /** The lease lock, noting when this replica last wrote itself as holder. */
    private static final class RenewalTrackingLock implements Lock {
        private final LeaseLock delegate;
        volatile long renewedAt = System.nanoTime() - TimeUnit.DAYS.toNanos(1);

        RenewalTrackingLock(LeaseLock delegate) {
            this.delegate = delegate;
        }

        @Override
        public LeaderElectionRecord get(KubernetesClient client) {
            return delegate.get(client);
        }

        @Override
        public void create(KubernetesClient client, LeaderElectionRecord record) {
            // taken before the request; the others count from the renewTime written a moment earlier still, and the
            // renew deadline is shorter than the lease by a margin for that moment
            long before = System.nanoTime();
            delegate.create(client, record);
            held(record, before);
        }

        @Override
        public void update(KubernetesClient client, LeaderElectionRecord record) {
            long before = System.nanoTime();
            delegate.update(client, record);
            held(record, before);
        }

        private void held(LeaderElectionRecord record, long before) {
            if (delegate.identity().equals(record.getHolderIdentity())) {
                renewedAt = before;
            }
        }

        @Override
        public String identity() {
            return delegate.identity();
        }

        @Override
        public String describe() {
            return delegate.describe();
        }
    }
}
