package io.fairway.ha;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fairway.log.EventLog;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerOptions;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code /healthz} (the replica runs) and {@code /readyz} (its state has caught up with the log, and a leader holds a
 * valid lease), for Kubernetes probes. Each answers JSON with the replica's role, leader, epoch and log lag.
 * {@code /statez} adds the state's hash at its offset, to compare replicas with each other and with a replay, gang apps
 * by status, the FPGA reprogramming count, preemptions applied, victims still terminating and the deletions this replica
 * sent. {@code /metrics} is the replica's {@link ReplicaMetrics} in the Prometheus text format. {@code /snapshot} and
 * {@code /snapshot/manifest} hand the newest snapshot to a replica starting without a store ({@link SnapshotServing}). Every other path goes
 * to the handler it was started with: in {@code fairway run}, the console ({@code io.fairway.server.ConsoleServer}).
 */
public final class HealthServer implements AutoCloseable {
    /** A replica this many events or fewer behind the log end counts as caught up. */
    public static final long READY_LAG = 1_000;

    private static final ObjectMapper JSON = new ObjectMapper();
    /** What this server answers itself; every other path goes to {@link OtherPaths} (the console). */
    private static final Set<String> OWN_PATHS = Set.of("/healthz", "/readyz", "/statez", "/metrics",
            SnapshotServing.MANIFEST_PATH, SnapshotServing.ARCHIVE_PATH);

    private final Vertx vertx;
    private final HttpServer server;
    private final Replica replica;
    private final EventLog log;
    private final SnapshotServing snapshots;
    private final SnapshotAccess snapshotAccess;

    private HealthServer(Vertx vertx, HttpServer server, Replica replica, EventLog log, SnapshotAccess access) {
        this.vertx = vertx;
        this.server = server;
        this.replica = replica;
        this.log = log;
        this.snapshots = new SnapshotServing(replica);
        this.snapshotAccess = access;
    }

    /**
     * Who may fetch this replica's snapshots, which hold its whole state: given a request's Authorization header (null
     * when absent), null to serve it, or why not. The console decides it, as it decides its reads.
     */
    @FunctionalInterface
    public interface SnapshotAccess {
        SnapshotAccess OPEN = authorization -> null;

        Refusal check(String authorization);

        record Refusal(int status, String message) {
        }
    }

    /**
     * What answers every path the health server does not answer itself (the console), built on the server's Vert.x.
     * It lives above this module, so that the scheduler does not depend on the console.
     */
    @FunctionalInterface
    public interface OtherPaths {
        Handler<HttpServerRequest> open(Vertx vertx);
    }

    /** Listens on {@code host:port} (0 for a free port), plain HTTP; any other path is not found. */
    public static HealthServer start(Replica replica, EventLog log, String host, int port) {
        return start(replica, log, host, port, null, null);
    }

    /**
     * Listens on {@code host:port} (0 for a free port), with {@code tls} (null: plain HTTP); every path but its own
     * goes to what {@code others} opens (null: not found).
     */
    public static HealthServer start(Replica replica, EventLog log, String host, int port, TlsOptions tls,
                                     OtherPaths others) {
        return start(replica, log, host, port, tls, others, SnapshotAccess.OPEN);
    }

    /** As {@link #start(Replica, EventLog, String, int, TlsOptions, OtherPaths)}, serving snapshots as {@code access} says. */
    public static HealthServer start(Replica replica, EventLog log, String host, int port, TlsOptions tls,
                                     OtherPaths others, SnapshotAccess access) {
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(2));
        // set after listen(), read by the event loop: published safely
        AtomicReference<HealthServer> self = new AtomicReference<>();
        try {
            Handler<HttpServerRequest> rest = others == null ? null : others.open(vertx);
            HttpServerOptions options = new HttpServerOptions();
            if (tls != null) {
                tls.apply(options);
            }
            HttpServer server = vertx.createHttpServer(options)
                    .requestHandler(r -> {
                        if (rest == null || OWN_PATHS.contains(r.path())) {
                            HealthServer me = self.get();
                            if (me == null) {
                                // a probe between listen() and the assignment below
                                r.response().setStatusCode(503).putHeader("content-type", "text/plain")
                                        .end("starting\n");
                            } else {
                                me.handle(r);
                            }
                        } else {
                            rest.handle(r);
                        }
                    })
                    .listen(port, host).await();
            HealthServer me = new HealthServer(vertx, server, replica, log, access);
            self.set(me);
            return me;
        } catch (RuntimeException e) {
            vertx.close();
            throw new IllegalStateException("cannot serve health checks on " + host + ":" + port + ": "
                    + e.getMessage() + " (is the port taken? set health.port)", e);
        }
    }

    public int port() {
        return server.actualPort();
    }

    private void handle(HttpServerRequest r) {
        switch (r.path()) {
            case "/healthz" -> {
                Throwable failure = replica.failure();
                Map<String, Object> body = status();
                body.put("status", failure == null && replica.role() != Replica.Role.STOPPED ? "ok" : "failed");
                if (failure != null) {
                    body.put("error", String.valueOf(failure.getMessage()));
                }
                reply(r, failure == null && replica.role() != Replica.Role.STOPPED ? 200 : 503, body);
            }
            case "/readyz" -> vertx.executeBlocking(() -> {
                // the log end is a call to the brokers: not on the event loop
                Map<String, Object> body = status();
                long end = log.endOffset();
                long lag = Math.max(0, end - replica.follower().nextOffset());
                body.put("logEnd", end);
                body.put("lag", lag);
                boolean ready = replica.failure() == null && replica.role() != Replica.Role.STOPPED && lag <= READY_LAG
                        && (replica.role() != Replica.Role.LEADER || replica.election().leaseValid());
                body.put("ready", ready);
                return body;
            }).onComplete(ar -> {
                if (ar.succeeded()) {
                    reply(r, Boolean.TRUE.equals(ar.result().get("ready")) ? 200 : 503, ar.result());
                } else {
                    Map<String, Object> body = status();
                    body.put("ready", false);
                    body.put("error", "the log cannot be reached: " + ar.cause().getMessage());
                    reply(r, 503, body);
                }
            });
            case "/statez" -> replica.stateMark().orTimeout(10, TimeUnit.SECONDS)
                    .whenComplete((m, t) -> {
                        Map<String, Object> body = status();
                        if (t != null) {
                            body.put("error", String.valueOf(t.getMessage()));
                            reply(r, 503, body);
                        } else {
                            body.put("offset", m.offset());
                            body.put("stateHash", m.hash());
                            body.put("gangs", m.gangs());
                            body.put("fpgaReprograms", m.fpgaReprograms());
                            body.put("preemptions", m.preemptions());
                            body.put("victimsTerminating", m.victimsTerminating());
                            body.put("evictions", Map.of("deleted", replica.evictor().deletedCount(),
                                    "failed", replica.evictor().failedCount()));
                            body.put("election", election());
                            // 0 while the informers' first lists run: the replica is ready, but competes for the
                            // lease only once they are done
                            body.put("informersListedSeconds", replica.watcher().startSeconds());
                            LeaderLoop.TakeOver to = replica.loop().takeOver();
                            if (to != null) {
                                body.put("takeOver", to);
                            }
                            reply(r, 200, body);
                        }
                    });
            // off the event loop, and unordered so that a /readyz waiting on the brokers does not hold it up
            case "/metrics" -> vertx.executeBlocking(() -> replica.metrics().scrape(), false).onComplete(ar -> {
                if (ar.succeeded()) {
                    r.response().setStatusCode(200).putHeader("content-type", ReplicaMetrics.CONTENT_TYPE)
                            .end(ar.result());
                } else {
                    r.response().setStatusCode(500).putHeader("content-type", "text/plain")
                            .end("cannot gather the metrics of replica " + replica.name() + ": " + ar.cause() + "\n");
                }
            });
            case SnapshotServing.MANIFEST_PATH, SnapshotServing.ARCHIVE_PATH -> {
                SnapshotAccess.Refusal no = snapshotAccess.check(r.getHeader("Authorization"));
                if (no == null) {
                    snapshots.handle(r);
                } else {
                    r.response().setStatusCode(no.status()).putHeader("content-type", "text/plain")
                            .end(no.message() + "\n");
                }
            }
            default -> r.response().setStatusCode(404).putHeader("content-type", "text/plain")
                    .end("not found: " + r.path() + " (try /healthz, /readyz, /statez, /metrics or /snapshot/manifest)\n");
        }
    }

    /** The lease as this replica sees it, how its renewals went, how often it led, held and stepped down. */
    private Map<String, Object> election() {
        LeaderElection.Stats st = replica.election().stats();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("leaderships", replica.leaderships());
        m.put("stepDowns", replica.stepDowns());
        m.put("lastStepDown", replica.lastStepDown());
        m.put("holds", replica.holds());
        m.put("rehearsals", replica.rehearsals());
        m.put("logGiveUps", replica.logGiveUps());
        m.put("renewals", st.renewals());
        m.put("renewFailures", st.renewFailures());
        m.put("lateRenewals", st.lateRenewals());
        m.put("maxRenewGapMs", st.maxRenewGapMillis());
        m.put("maxRenewMs", st.maxRenewMillis());
        m.put("acquiredAtMs", st.acquiredAtMillis());
        m.put("waitedMs", st.waitedMillis());
        m.put("watching", st.watching());
        GcPauses gc = GcPauses.get();
        m.put("gcPauses", gc.count());
        m.put("gcPauseMaxMs", gc.maxMillis());
        m.put("gcPauseTotalMs", gc.totalMillis());
        return m;
    }

    private Map<String, Object> status() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("replica", replica.name());
        m.put("role", replica.role().name().toLowerCase(Locale.ROOT));
        m.put("leader", replica.election().leader());
        m.put("epoch", replica.follower().state().leaderEpoch());
        m.put("offset", replica.follower().nextOffset());
        return m;
    }

    private static void reply(HttpServerRequest r, int status, Map<String, Object> body) {
        try {
            r.response().setStatusCode(status).putHeader("content-type", "application/json")
                    .end(JSON.writeValueAsString(body) + "\n");
        } catch (JsonProcessingException e) {
            r.response().setStatusCode(500).end();
        }
    }

    @Override
    public void close() {
        server.close().await();
        vertx.close().await();
    }
}
