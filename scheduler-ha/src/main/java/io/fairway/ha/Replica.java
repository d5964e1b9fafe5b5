package io.fairway.ha;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fairway.k8s.Binder;
import io.fairway.k8s.BinderOptions;
import io.fairway.k8s.ClusterWatcher;
import io.fairway.k8s.LogAppender;
import io.fairway.k8s.WaitingReporter;
import io.fairway.k8s.WatcherOptions;
import io.fairway.log.EventLog;
import io.fairway.log.FencedException;
import io.fairway.store.FollowerOptions;
import io.fairway.store.StateFollower;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running scheduler: the watcher appending observations, the state followed into the store, and (for now, a
 * single replica that always leads) the leader loop on a thread of its own. Election and stand-by come with HA.
 */
public final class Replica implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Replica.class);

    private final LogAppender appender;
    private final ClusterWatcher watcher;
    private final StateFollower follower;
    private final Binder binder;
    private final WaitingReporter waiting;
    private final LeaderLoop loop;
    private final Thread thread;
    private volatile boolean stopping;
    private volatile Throwable failure;

    private Replica(LogAppender appender, ClusterWatcher watcher, StateFollower follower, Binder binder,
                    WaitingReporter waiting, LeaderLoop loop) {
        this.appender = appender;
        this.watcher = watcher;
        this.follower = follower;
        this.binder = binder;
        this.waiting = waiting;
        this.loop = loop;
        this.thread = Thread.ofPlatform().name("fairway-leader").unstarted(this::run);
    }

    /**
     * Recovers the state from {@code dataDir} and the log, starts the watcher, takes the lead and schedules.
     *
     * @param client the API server (the sandbox's or a real cluster's)
     */
    public static Replica start(KubernetesClient client, EventLog log, Path dataDir, String replica,
                                WatcherOptions watcherOptions, BinderOptions binderOptions,
                                LeaderLoop.Options loopOptions, Clock clock) {
        Binder binder = new Binder(client, binderOptions);
        WaitingReporter waiting = new WaitingReporter(client, clock, 8);
        LeaderLoop[] loop = new LeaderLoop[1];
        FollowerOptions fo = FollowerOptions.defaults().withSchedulerName(watcherOptions.schedulerName())
                .withMaxPersistDelay(Duration.ofMillis(200))
                .withOnApplied((e, r) -> {
                    if (loop[0] != null) {
                        loop[0].applied(e, r);
                    }
                });
        StateFollower follower = StateFollower.recover(dataDir, log, fo);
        loop[0] = new LeaderLoop(log, follower, binder, waiting, clock, loopOptions);
        LogAppender appender = new LogAppender(log);
        ClusterWatcher watcher = new ClusterWatcher(client, appender, watcherOptions, clock);
        try {
            watcher.start();
            loop[0].becomeLeader();
        } catch (RuntimeException e) {
            watcher.close();
            appender.close();
            follower.close();
            binder.close();
            waiting.close();
            throw e;
        }
        Replica r = new Replica(appender, watcher, follower, binder, waiting, loop[0]);
        r.thread.start();
        return r;
    }

    private void run() {
        try {
            while (!stopping) {
                loop.runOnce();
            }
        } catch (FencedException e) {
            failure = e;
            LOG.error("this replica was fenced by a newer leader and stops deciding: {}", e.getMessage());
        } catch (RuntimeException e) {
            failure = e;
            LOG.error("the leader loop stopped on an error; this replica no longer schedules", e);
        }
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

    public Binder binder() {
        return binder;
    }

    /** Why the loop stopped on its own, or null while it runs. */
    public Throwable failure() {
        return failure;
    }

    @Override
    public void close() {
        stopping = true;
        watcher.close();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        appender.close();
        binder.close();
        waiting.close();
        // the follower is the loop thread's; it has stopped, so closing it here is safe
        follower.close();
    }
}
