package io.fairway.sandbox;

import io.fairway.ha.Replica;
import io.fairway.k8s.WatcherOptions;
import io.fairway.log.kafka.KafkaEventLog;
import io.fairway.log.kafka.KafkaEventLogConfig;
import io.fairway.server.ConsoleServer;
import io.fairway.server.QueueConfigMapWriter;
import io.fairway.ui.AdminServer;
import io.fairway.ui.ConsoleSources;
import io.fairway.ui.ApiException;
import io.fairway.ui.ReplicaDirectory;
import io.fairway.ui.access.AccessControl;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The sandbox's console: one address for the whole sandbox, served from whichever replica leads (else the first one
 * up), so that it stays up and shows the fail-over when the demo kills the leader. In {@code fairway run} every
 * replica serves its own console on its health port instead.
 */
public final class SandboxConsole implements ReplicaDirectory, AutoCloseable {
    private final SandboxCluster cluster;
    /** The console's own log client: a replica's is closed when the replica is killed. */
    private final KafkaEventLog log;
    private final AdminServer server;
    private final String url;

    private SandboxConsole(SandboxCluster cluster, AccessControl access, String host, int port) {
        this.cluster = cluster;
        this.log = KafkaEventLog.open(KafkaEventLogConfig.of(cluster.kafkaBootstrap()));
        AdminServer s = null;
        try {
            s = new AdminServer(
                    ConsoleSources.of(() -> serving().follower().state(), () -> ConsoleServer.leadership(serving()))
                    .withAccess(access)
                    .withTail(() -> cluster.feed(serving()).tail())
                    .withReadView(() -> cluster.feed(serving()).readView().get())
                    .withStories(ref -> serving().follower().store().storiesOf(ref))
                    .withLog(log)
                    .withConfigWriter(new QueueConfigMapWriter(cluster.client(), WatcherOptions.DEFAULT_CONFIG_NAMESPACE,
                            WatcherOptions.DEFAULT_CONFIG_NAME, Clock.systemUTC()))
                    .withReplicas(this)
                    .withMetrics(() -> serving().metrics().scrape()));
            this.url = "http://" + (host.equals("0.0.0.0") ? "127.0.0.1" : host) + ":" + s.start(host, port) + "/";
            this.server = s;
        } catch (RuntimeException e) {
            if (s != null) {
                s.close();
            }
            log.close();
            throw e;
        }
    }

    static SandboxConsole start(SandboxCluster cluster, AccessControl access, String host, int port) {
        return new SandboxConsole(cluster, access, host, port);
    }

    /** Where to point a browser. */
    public String url() {
        return url;
    }

    public int port() {
        return server.port();
    }

    /** The leader, else the first replica up; between a kill and a restart of the only one, none (503). */
    private Replica serving() {
        Replica leader = cluster.leader();
        if (leader != null) {
            return leader;
        }
        List<Replica> up = cluster.replicas();
        if (up.isEmpty()) {
            throw new ApiException(503, "no scheduler replica is up in the sandbox right now; a killed one restarts "
                    + "in a few seconds");
        }
        return up.get(0);
    }

    @Override
    public Replicas replicas() {
        long end = log.endOffset();
        List<ReplicaInfo> out = new ArrayList<>();
        Replica serving = serving();
        for (Replica r : cluster.replicas()) {
            long offset = r.follower().nextOffset();
            out.add(new ReplicaInfo(r.name(), r.role().name().toLowerCase(Locale.ROOT), offset,
                    Math.max(0, end - offset), System.currentTimeMillis(), false, r == serving));
        }
        var state = serving.follower().state();
        Replica leader = cluster.leader();
        return new Replicas(leader != null ? leader.name() : state.leader(), state.leaderEpoch(), end, out);
    }

    @Override
    public void close() {
        server.close();
        log.close();
    }
}
