package io.fairway.ui;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fairway.core.state.AppState;
import io.fairway.core.state.ClusterState;
import io.fairway.core.state.NodeState;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The admin web server of one replica: the read-only REST API under {@code /api/v1} over the replica's live state.
 * Every answer is JSON, errors included ({@code {"error": "..."}}).
 */
public final class AdminServer implements AutoCloseable {
    private static final String JSON = "application/json";

    private final Vertx vertx;
    private final boolean ownsVertx;
    private final StateReader reader;
    private final Supplier<Leadership> leadership;
    private final ObjectMapper mapper = new ObjectMapper();
    private HttpServer server;

    /**
     * @param state      the replica's live state, read from the HTTP thread
     * @param leadership what this replica is now
     */
    public AdminServer(Supplier<ClusterState> state, Supplier<Leadership> leadership) {
        this(Vertx.vertx(), true, state, leadership);
    }

    public AdminServer(Vertx vertx, Supplier<ClusterState> state, Supplier<Leadership> leadership) {
        this(vertx, false, state, leadership);
    }

    private AdminServer(Vertx vertx, boolean ownsVertx, Supplier<ClusterState> state, Supplier<Leadership> leadership) {
        this.vertx = vertx;
        this.ownsVertx = ownsVertx;
        this.reader = new StateReader(state);
        this.leadership = leadership;
    }

    /** Starts listening on every interface; see {@link #start(String, int)}. */
    public int start(int port) {
        return start("0.0.0.0", port);
    }

    /** Starts listening on {@code port} (0 for any free one) and returns the port bound. */
    public int start(String host, int port) {
        server = vertx.createHttpServer().requestHandler(router()).listen(port, host).await();
        return server.actualPort();
    }

    public int port() {
        return server.actualPort();
    }

    /** The API as a request handler, for a server that serves other paths too (a replica's health port). */
    public io.vertx.core.Handler<io.vertx.core.http.HttpServerRequest> handler() {
        return router();
    }

    Router router() {
        Router r = Router.router(vertx);
        get(r, "/api/v1/summary", ctx -> reader.read(s -> Summary.of(s, leadership.get())));
        get(r, "/api/v1/queues", ctx -> reader.read(s -> QueueView.of(s.queues().root())));
        get(r, "/api/v1/apps", this::apps);
        get(r, "/api/v1/apps/:id", this::app);
        get(r, "/api/v1/nodes", this::nodes);
        r.route("/api/*").handler(ctx -> fail(ctx, 404, "no API endpoint " + ctx.request().method() + " "
                + ctx.request().path()));
        // A handler that throws is answered in JSON too.
        r.errorHandler(500, ctx -> fail(ctx, 500, "internal error on " + ctx.request().path() + ": "
                + (ctx.failure() == null ? "unknown" : ctx.failure().toString())));
        return r;
    }

    private Page<AppView> apps(RoutingContext ctx) {
        HttpServerRequest q = ctx.request();
        AppFilter filter = AppFilter.parse(q.getParam("queue"), q.getParam("state"), q.getParam("user"),
                q.getParam("q"));
        Paging paging = Paging.parse(q.getParam("offset"), q.getParam("limit"));
        return reader.read(s -> {
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
                throw ApiException.notFound("no application " + id);
            }
            return AppDetail.of(s, a);
        });
    }

    private Page<NodeView> nodes(RoutingContext ctx) {
        Paging paging = Paging.parse(ctx.request().getParam("offset"), ctx.request().getParam("limit"));
        return reader.read(s -> {
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
        // The API reads only (for now): any other method on a known path is told so, not "not found".
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
        if (ownsVertx) {
            vertx.close().await();
        }
    }
}
