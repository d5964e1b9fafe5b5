package io.fairway.server;

import io.fairway.ha.HealthServer;
import io.fairway.ha.Replica;
import io.fairway.log.EventLog;
import io.fairway.ui.AdminServer;
import io.fairway.ui.ConsoleSources;
import io.fairway.ui.ConsoleFeed;
import io.fairway.ui.Leadership;
import io.fairway.ui.access.AccessControl;

/**
 * A replica's console on its health port: the replica's {@link HealthServer} answers the probes and {@code /metrics},
 * and every other path is the console's: its pages, its API under {@code /api/} and YuniKorn's read API under
 * {@code /ws/} ({@link AdminServer}). The console reads a {@link ConsoleFeed} that the replica was started with, as a
 * publisher; this is what keeps {@code scheduler-ha} free of the console.
 */
public final class ConsoleServer {
    private ConsoleServer() {
    }

    /** Listens on {@code host:port} (0 for a free port), with an open, read-only console reading {@code feed}. */
    public static HealthServer start(Replica replica, ConsoleFeed feed, EventLog log, String host, int port) {
        return start(replica, feed, log, host, port, ConsoleOptions.open());
    }

    /**
     * Listens on {@code host:port} (0 for a free port); the console under {@code /api/} as {@code console} says,
     * reading {@code feed} (which the replica was started with, as a publisher).
     */
    public static HealthServer start(Replica replica, ConsoleFeed feed, EventLog log, String host, int port,
                                     ConsoleOptions console) {
        // The console's API, over this replica's state: every replica serves it, a follower from its replicated
        // state (marked read-only by its role in the summary).
        return HealthServer.start(replica, log, host, port, console.tls(),
                vertx -> new AdminServer(vertx,
                        ConsoleSources.of(() -> replica.follower().state(), () -> leadership(replica))
                        .withAccess(console.access())
                        .withTail(feed.tail())
                        .withReadView(feed.readView())
                        .withLog(log)
                        .withStories(ref -> replica.follower().store().storiesOf(ref))
                        .withConfigWriter(console.configWriter())
                        .withReplicas(console.replicas())
                        .withYuniKornCorsOrigins(console.yunikornCorsOrigins()))
                        .handler(),
                // a snapshot is the whole state: whoever may read the console may fetch it, nobody else
                authorization -> console.access().get().read(authorization) instanceof AccessControl.Denied d
                        ? new HealthServer.SnapshotAccess.Refusal(d.status(), "snapshots: " + d.message()) : null);
    }

    /** What {@code replica} is now, as the console shows it: its role, and its epoch while it leads. */
    public static Leadership leadership(Replica replica) {
        Replica.Role r = replica.role();
        return new Leadership(replica.name(), r.name(), r == Replica.Role.LEADER ? replica.loop().epoch() : 0);
    }
}
