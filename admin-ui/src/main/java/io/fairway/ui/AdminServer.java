package io.fairway.ui;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fairway.core.state.AppState;
import io.fairway.core.state.ClusterState;
import io.fairway.core.state.NodeState;
import io.fairway.ui.yunikorn.YuniKornRoutes;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.core.http.HttpMethod;
import com.fasterxml.jackson.databind.JsonNode;
import io.fairway.core.config.ConfigException;
import io.fairway.core.config.QueueConfigParser;
import io.fairway.core.config.SchedulerConfig;
import io.fairway.core.events.AdminAction;
import io.fairway.log.PodStory;
import io.fairway.ui.access.AccessControl;
import io.fairway.ui.access.Principal;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The admin web server of one replica: the REST API under {@code /api/v1} over the replica's live state, its log and
 * its stored pod stories, the live stream, and the one write (a new queue config, admin only, recorded in the log).
 * Every answer is JSON, errors included ({@code {"error": "..."}}).
 */
public final class AdminServer implements AutoCloseable {
    private static final String JSON = "application/json";
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(AdminServer.class);
    /** A queue config is a few KB; this leaves room for a very large one. */
    static final int MAX_BODY = 1 << 20;
    /** Threads for the console's blocking reads and writes; a slow log read waits for one, a probe never does. */
    static final int CONSOLE_WORKERS = 4;
    private static final String PRINCIPAL = "fairway.principal";

    private final Vertx vertx;
    private final boolean ownsVertx;
    private final StateReader reader;
    private final Supplier<Leadership> leadership;
    /** Where what is served comes from and who may read and write it, fixed when the server is built. */
    private final ConsoleSources sources;
    private final ObjectMapper mapper = new ObjectMapper();
    private HttpServer server;
    /** The console's own blocking work (log reads, the store, the API server): never the probes' worker threads. */
    private io.vertx.core.WorkerExecutor workers;

    /** A server on a Vert.x of its own, open reads and nothing else (tests, tools). */
    public AdminServer(Supplier<ClusterState> state, Supplier<Leadership> leadership) {
        this(ConsoleSources.of(state, leadership));
    }

    /** A server on a Vert.x of its own, closed with it. */
    public AdminServer(ConsoleSources sources) {
        this(Vertx.vertx(), true, sources);
    }

    /** A server on a Vert.x it shares (a replica's health port); the Vert.x is not closed with it. */
    public AdminServer(Vertx vertx, ConsoleSources sources) {
        this(vertx, false, sources);
    }

    private AdminServer(Vertx vertx, boolean ownsVertx, ConsoleSources sources) {
        this.vertx = vertx;
        this.ownsVertx = ownsVertx;
        this.reader = new StateReader(sources.state());
        this.leadership = sources.leadership();
        this.sources = sources;
    }

    /** Starts listening on every interface; see {@link #start(String, int)}. */
    public int start(int port) {
        return start("0.0.0.0", port);
    }

    /** Starts listening on {@code port} (0 for any free one) and returns the port bound. */
    public int start(String host, int port) {
        try {
            server = vertx.createHttpServer().requestHandler(router()).listen(port, host).await();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            // await() rethrows the bind failure as it is, a checked BindException: callers catch RuntimeException
            throw new UncheckedIOException("cannot listen on " + host + ":" + port + ": " + e.getMessage(),
                    e instanceof IOException io ? io : new IOException(e));
        }
        return server.actualPort();
    }

    public int port() {
        return server.actualPort();
    }

    /** The API as a request handler, for a server that serves other paths too (a replica's health port). */
    public io.vertx.core.Handler<io.vertx.core.http.HttpServerRequest> handler() {
        return router();
    }

    private synchronized io.vertx.core.WorkerExecutor workers() {
        if (workers == null) {
            workers = vertx.createSharedWorkerExecutor("fairway-console", CONSOLE_WORKERS);
        }
        return workers;
    }

    /** From the published view when there is one, else from the live state (which may answer 503). */
    private <T> T viewed(Function<ReadView, T> published, Function<ClusterState, T> live) {
        ReadView v = sources.view().get();
        return v != null ? published.apply(v) : reader.read(live);
    }

    Summary summary() {
        return viewed(v -> v.summary().withReplica(leadership.get()), s -> Summary.of(s, leadership.get()));
    }

    Router router() {
        Router r = Router.router(vertx);
        if (sources.metrics() != null) {
            r.get("/metrics").handler(ctx -> workers().executeBlocking(sources.metrics()::get, false).onComplete(ar -> {
                if (ar.succeeded()) {
                    ctx.response().putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8").end(ar.result());
                } else {
                    ctx.response().setStatusCode(503).putHeader("Content-Type", "text/plain")
                            .end("cannot gather the metrics: " + ar.cause() + "\n");
                }
            }));
        }
        r.route("/api/*").handler(this::authorize);
        get(r, "/api/v1/summary", ctx -> summary());
        get(r, "/api/v1/whoami", this::whoami);
        get(r, "/api/v1/queues", ctx -> viewed(ReadView::queues, s -> QueueView.of(s.queues().root(), s.capacity())));
        get(r, "/api/v1/apps", this::apps);
        get(r, "/api/v1/apps/:id", this::app);
        get(r, "/api/v1/nodes", this::nodes);
        getBlocking(r, "/api/v1/replicas", this::replicas);
        get(r, "/api/v1/leaders", ctx -> Map.of("terms", viewed(ReadView::leaderTerms, s -> s.leaderTerms().reversed())));
        getBlocking(r, "/api/v1/story", this::story);
        getBlocking(r, "/api/v1/log", this::logPage);
        get(r, "/api/v1/config", ctx -> viewed(ReadView::config, ConfigView::of));
        get(r, "/api/v1/config/history", ctx -> viewed(ReadView::configHistory, ConfigView.History::of));
        r.get("/api/v1/stream").handler(ctx -> {
            String authorization = ctx.request().getHeader("Authorization");
            LiveStream.open(ctx, vertx, this::summary, sources.tail(),
                    () -> sources.access().get().read(authorization) instanceof AccessControl.Allowed);
        });
        r.post("/api/v1/config/validate").handler(BodyHandler.create().setBodyLimit(MAX_BODY)).handler(this::validate);
        r.post("/api/v1/config").handler(BodyHandler.create().setBodyLimit(MAX_BODY)).handler(this::applyConfig);
        allowOnly(r, "/api/v1/config/validate", "POST");
        allowOnly(r, "/api/v1/config", "GET, POST");
        if (!sources.yunikornCorsOrigins().isEmpty()) {
            // before the token check: a browser's preflight carries no token
            r.route("/ws/*").handler(io.vertx.ext.web.handler.CorsHandler.create().addOrigins(sources.yunikornCorsOrigins())
                    .allowedMethod(io.vertx.core.http.HttpMethod.GET).allowedHeader("Authorization")
                    .allowedHeader("Content-Type"));
        }
        YuniKornRoutes.mount(r, reader, this::authorize);
        r.route("/api/*").handler(ctx -> fail(ctx, 404, "no API endpoint " + ctx.request().method() + " "
                + ctx.request().path()));
        Console.routes(r);
        // A handler that throws is answered in JSON too; the details go to the log, not to the client.
        r.errorHandler(500, ctx -> {
            LOG.error("console: {} {} failed", ctx.request().method(), ctx.request().path(), ctx.failure());
            fail(ctx, 500, "internal error on " + ctx.request().path() + "; the replica's log has the details");
        });
        r.errorHandler(413, ctx -> fail(ctx, 413, "the body is larger than " + MAX_BODY + " bytes"));
        return r;
    }

    /** Reads need what {@link AccessControl#read} says, the write what {@link AccessControl#write} says. */
    private void authorize(RoutingContext ctx) {
        // The one write, recognized on the path the router matches (normalized, trailing slash ignored), never the raw
        // one: /api/v1//config or /api/v1/config/ reach the same handler. Any other method or path needs only a read
        // (it is answered 404 or 405).
        boolean writes = ctx.request().method() == HttpMethod.POST
                && ctx.normalizedPath().replaceAll("/+$", "").equals("/api/v1/config");
        AccessControl now = sources.access().get();
        AccessControl.Check check = writes ? now.write(ctx.request().getHeader("Authorization"))
                : now.read(ctx.request().getHeader("Authorization"));
        switch (check) {
            case AccessControl.Allowed a -> {
                ctx.put(PRINCIPAL, a.principal());
                ctx.next();
            }
            case AccessControl.Denied d -> {
                if (d.status() == 401) {
                    ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"fairway\"");
                }
                if (ctx.request().path().startsWith("/ws/")) {
                    // YuniKorn's error body, for its UI and scripts
                    Map<String, Object> body = new LinkedHashMap<>();
                    body.put("status_code", d.status());
                    body.put("message", d.status() == 401 ? "Unauthorized" : "Forbidden");
                    body.put("description", d.message());
                    send(ctx, d.status(), body);
                } else {
                    fail(ctx, d.status(), d.message());
                }
            }
        }
    }

    private WhoAmI whoami(RoutingContext ctx) {
        Principal p = ctx.get(PRINCIPAL);
        return new WhoAmI(p.user(), p.role().label(), sources.access().get().readsNeedToken(), p.isAdmin() && sources.configWriter() != null);
    }

    private ReplicaDirectory.Replicas replicas(RoutingContext ctx) {
        if (sources.replicas() != null) {
            return sources.replicas().replicas();
        }
        Leadership me = leadership.get();
        return reader.read(s -> new ReplicaDirectory.Replicas(s.leader(), s.leaderEpoch(), -1,
                List.of(new ReplicaDirectory.ReplicaInfo(me.replica(), me.role().toLowerCase(Locale.ROOT),
                        -1, -1, System.currentTimeMillis(), false, true))));
    }

    private StoryView story(RoutingContext ctx) {
        String ref = ctx.request().getParam("pod");
        if (ref == null || ref.isBlank()) {
            throw ApiException.badRequest("give the pod as ?pod=NAMESPACE/NAME or ?pod=UID");
        }
        if (sources.stories() == null) {
            throw new ApiException(503, "this server keeps no pod stories; ask a replica's console, or run "
                    + "fairway explain " + ref);
        }
        List<PodStory.Saved> found = sources.stories().apply(ref.strip());
        if (found.isEmpty()) {
            throw ApiException.notFound("pod " + ref + " does not appear in this replica's stories: give "
                    + "namespace/name or the uid (stories of pods deleted long ago are forgotten; fairway explain "
                    + "--kafka replays the whole log)");
        }
        return StoryView.of(ref.strip(), found);
    }

    private LogPage logPage(RoutingContext ctx) {
        HttpServerRequest q = ctx.request();
        LogPage.Query query = LogPage.Query.parse(q.getParam("from"), q.getParam("limit"), q.getParam("type"));
        return LogPage.read(query, sources.tail().get(), sources.log());
    }

    private void validate(RoutingContext ctx) {
        if (!csrfSafe(ctx)) {
            return;
        }
        ConfigRequest req = body(ctx);
        SchedulerConfig parsed = req == null ? null : parsed(ctx, req.yaml());
        if (parsed != null) {
            send(ctx, 200, Map.of("valid", true, "queues", parsed.defaultPartition().root().queueCount()));
        }
    }

    /** The config parsed, or null when it was answered with its problems (400). */
    private SchedulerConfig parsed(RoutingContext ctx, String yaml) {
        try {
            return QueueConfigParser.parse(yaml);
        } catch (ConfigException e) {
            sendProblems(ctx, e);
        } catch (RuntimeException e) {
            fail(ctx, 400, "the queue config cannot be read: " + e.getMessage());
        }
        return null;
    }

    private void applyConfig(RoutingContext ctx) {
        if (!csrfSafe(ctx)) {
            return;
        }
        ConfigRequest req = body(ctx);
        if (req == null || parsed(ctx, req.yaml()) == null) {
            return;
        }
        if (sources.configWriter() == null) {
            fail(ctx, 503, "this server cannot write the queue config (it has no Kubernetes client); apply it "
                    + "to the ConfigMap with kubectl");
            return;
        }
        Principal who = ctx.get(PRINCIPAL);
        if (who == null || !who.isAdmin()) {
            // authorize() let a non-admin through to here: refuse rather than write on its word
            fail(ctx, 403, "writes need the admin role");
            return;
        }
        workers().executeBlocking(() -> {
            String version = sources.configWriter().write(req.yaml(), req.baseVersion(), who.user());
            LOG.info("console: {} ({}) applied a queue config, now version {} (edited {})", who.user(),
                    who.role().label(), version, req.baseVersion().isEmpty() ? "-" : req.baseVersion());
            String audit = "";
            if (sources.log() != null) {
                try {
                    sources.log().append(List.of(new AdminAction(System.currentTimeMillis(), who.user(), who.role().label(),
                            AdminAction.CONFIG_APPLY, version, req.baseVersion().isEmpty() ? "replaced the config"
                                    : "replaced version " + req.baseVersion())));
                } catch (RuntimeException e) {
                    LOG.error("console: the queue config version {} was written but its audit record was not: {}",
                            version, e.toString());
                    audit = "; the audit record could not be written to the log: " + e.getMessage();
                }
            }
            return Map.of("version", version, "message", "queue config written as version " + version
                    + "; the replicas apply it when the watcher observes it" + audit);
        }).onComplete(ar -> {
            if (ar.succeeded()) {
                send(ctx, 200, ar.result());
            } else if (ar.cause() instanceof QueueConfigWriter.Conflict c) {
                fail(ctx, 409, c.getMessage());
            } else {
                fail(ctx, 502, "the queue config could not be written: " + ar.cause().getMessage());
            }
        });
    }

    /** The body of a config request; null when it was answered with an error. */
    private ConfigRequest body(RoutingContext ctx) {
        JsonNode node;
        try {
            node = mapper.readTree(ctx.body().asString() == null ? "" : ctx.body().asString());
        } catch (JsonProcessingException e) {
            fail(ctx, 400, "the body is not JSON: " + e.getOriginalMessage() + "; send {\"yaml\": \"...\"}");
            return null;
        }
        if (node == null || !node.isObject() || !node.path("yaml").isTextual() || node.path("yaml").asText().isBlank()) {
            fail(ctx, 400, "the body needs a field yaml with the queue config text: {\"yaml\": \"partitions: ...\"}");
            return null;
        }
        return new ConfigRequest(node.path("yaml").asText(), node.path("baseVersion").asText(""));
    }

    private record ConfigRequest(String yaml, String baseVersion) {
    }

    /**
     * Writes are refused unless they are JSON and not cross-site: a form on another site can neither send JSON nor set
     * the Authorization header without a CORS preflight, which this server never grants.
     */
    private boolean csrfSafe(RoutingContext ctx) {
        String type = ctx.request().getHeader("Content-Type");
        if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("application/json")) {
            fail(ctx, 415, "send the request as Content-Type: application/json, not " + (type == null ? "nothing" : type));
            return false;
        }
        String site = ctx.request().getHeader("Sec-Fetch-Site");
        String origin = ctx.request().getHeader("Origin");
        if ("cross-site".equalsIgnoreCase(site)) {
            fail(ctx, 403, "cross-site write refused (Sec-Fetch-Site: cross-site)");
            return false;
        }
        if (origin != null && !origin.equals("null")) {
            String host = ctx.request().authority() == null ? null : ctx.request().authority().toString();
            String originHost = origin.replaceFirst("^[a-zA-Z][a-zA-Z0-9+.-]*://", "");
            if (host == null || !originHost.equalsIgnoreCase(host)) {
                fail(ctx, 403, "cross-site write refused: Origin " + origin + " is not this console (" + host + ")");
                return false;
            }
        }
        return true;
    }

    private void sendProblems(RoutingContext ctx, ConfigException e) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", "the queue config is invalid; nothing was changed: " + e.getMessage());
        body.put("problems", e.problems().stream().map(Object::toString).toList());
        send(ctx, 400, body);
    }

    private void allowOnly(Router r, String path, String allowed) {
        r.route(path).handler(ctx -> {
            ctx.response().putHeader("Allow", allowed);
            fail(ctx, 405, "method " + ctx.request().method() + " not allowed on " + ctx.request().path()
                    + "; it answers " + allowed);
        });
    }

    private Page<AppView> apps(RoutingContext ctx) {
        HttpServerRequest q = ctx.request();
        AppFilter filter = AppFilter.parse(q.getParam("queue"), q.getParam("state"), q.getParam("user"),
                q.getParam("q"));
        Paging paging = Paging.parse(q.getParam("offset"), q.getParam("limit"));
        return viewed(v -> paging.of(v.apps().stream().filter(a -> filter.matches(a)).toList()), s -> {
            // Filter over the cheap live objects, copy only the page.
            List<AppState> matching = new ArrayList<>();
            for (AppState a : s.apps().values()) {
                if (filter.matches(a)) {
                    matching.add(a);
                }
            }
            Page<AppState> page = paging.of(matching);
            return new Page<>(page.total(), page.offset(), page.limit(), page.items().stream().map(AppView::of).toList());
        });
    }

    private AppDetail app(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        return reader.read(s -> {
            AppState a = s.app(id);
            if (a == null) {
                ReadView v = sources.view().get();
                AppDetail finished = v == null ? null : v.finishedApps().get(id);
                if (finished != null) {
                    return finished;
                }
                throw ApiException.notFound("no application " + id + " (finished apps are kept for "
                        + "console.finishedAppRetention; fairway explain tells any pod's story from the log)");
            }
            return AppDetail.of(s, a);
        });
    }

    private Page<NodeView> nodes(RoutingContext ctx) {
        Paging paging = Paging.parse(ctx.request().getParam("offset"), ctx.request().getParam("limit"));
        return viewed(v -> paging.of(v.nodes()), s -> {
            Page<NodeState> page = paging.of(new ArrayList<>(s.nodes().values()));
            return new Page<>(page.total(), page.offset(), page.limit(), page.items().stream().map(NodeView::of).toList());
        });
    }

    private void get(Router r, String path, Function<RoutingContext, Object> view) {
        r.get(path).handler(ctx -> {
            Object body;
            try {
                body = view.apply(ctx);
            } catch (ApiException e) {
                fail(ctx, e.status(), e.getMessage());
                return;
            }
            send(ctx, 200, body);
        });
        readOnly(r, path);
    }

    /** A read that may block (the log, the store, the API server): on a worker thread, off the event loop. */
    private void getBlocking(Router r, String path, Function<RoutingContext, Object> view) {
        r.get(path).handler(ctx -> workers().executeBlocking(() -> view.apply(ctx), false).onComplete(ar -> {
            if (ar.succeeded()) {
                send(ctx, 200, ar.result());
            } else if (ar.cause() instanceof ApiException e) {
                fail(ctx, e.status(), e.getMessage());
            } else {
                LOG.warn("console: {} failed: {}", ctx.request().path(), ar.cause().toString());
                fail(ctx, 503, ctx.request().path() + " could not be answered: " + ar.cause().getMessage());
            }
        }));
        readOnly(r, path);
    }

    private void readOnly(Router r, String path) {
        if (path.equals("/api/v1/config")) {
            return;
        }
        // Any other method on a known read path is told so, not "not found".
        r.route(path).handler(ctx -> {
            ctx.response().putHeader("Allow", "GET");
            fail(ctx, 405, "method " + ctx.request().method() + " not allowed on " + ctx.request().path()
                    + "; it answers GET");
        });
    }

    private void fail(RoutingContext ctx, int status, String message) {
        send(ctx, status, new ApiError(message));
    }

    private void send(RoutingContext ctx, int status, Object body) {
        String text;
        try {
            text = mapper.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            status = 500;
            text = "{\"error\":\"could not write the answer as JSON\"}";
        }
        ctx.response().setStatusCode(status).putHeader("Content-Type", JSON).end(text);
    }

    @Override
    public void close() {
        if (server != null) {
            server.close().await();
        }
        synchronized (this) {
            if (workers != null) {
                workers.close();
            }
        }
        if (ownsVertx) {
            vertx.close().await();
        }
    }
}
