package io.fairway.ui.yunikorn;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fairway.core.state.AppState;
import io.fairway.core.state.ClusterState;
import io.fairway.core.state.QueueState;
import io.fairway.ui.ApiException;
import io.fairway.ui.StateReader;
import io.vertx.core.Handler;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * YuniKorn's read-only REST endpoints under {@code /ws/v1}, with YuniKorn's paths, JSON field names and error body,
 * so that YuniKorn's web UI and users' scripts keep working against Fairway. Fairway schedules one partition, the
 * config's default one; any other partition name is not found, as in YuniKorn.
 */
public final class YuniKornRoutes {
    private static final String JSON = "application/json; charset=UTF-8";
    private static final String YAML = "application/x-yaml; charset=UTF-8";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final StateReader reader;

    private YuniKornRoutes(StateReader reader) {
        this.reader = reader;
    }

    /**
     * Adds the endpoints to {@code r}; call before any catch-all route.
     *
     * @param authorize the console's read check, which every request under {@code /ws/} passes first: YuniKorn's API
     *                  is no way around the console's access control
     */
    public static void mount(Router r, StateReader reader, Handler<RoutingContext> authorize) {
        YuniKornRoutes y = new YuniKornRoutes(reader);
        r.route("/ws/*").handler(authorize);
        String p = "/ws/v1/partition/:partition";
        y.get(r, "/ws/v1/partitions", ctx -> y.reader.read(PartitionInfo::of));
        y.get(r, p + "/queues", ctx -> y.read(ctx, (s, part) -> QueueInfo.of(s, s.queues().root(), part)));
        y.get(r, p + "/nodes", ctx -> y.read(ctx, NodeInfo::all));
        y.get(r, p + "/applications/:state", y::partitionApps);
        y.get(r, p + "/queue/:queue/applications", ctx -> y.queueApps(ctx, AppStates.ACTIVE));
        y.get(r, p + "/queue/:queue/applications/:state", ctx -> y.queueApps(ctx, ctx.pathParam("state")));
        y.get(r, p + "/application/:application", y::app);
        y.get(r, p + "/queue/:queue/application/:application", y::app);
        y.get(r, "/ws/v1/scheduler/healthcheck", ctx -> y.reader.read(HealthInfo::of));
        r.get("/ws/v1/config").handler(y::config);
        r.route("/ws/v1/config").handler(YuniKornRoutes::readOnly);
        r.route("/ws/*").handler(ctx -> fail(ctx, new YuniKornException(404, "Not found", "no YuniKorn endpoint "
                + ctx.request().method() + " " + ctx.request().path() + "; Fairway serves YuniKorn's read endpoints "
                + "under /ws/v1 (see docs/yunikorn-api.md)")));
    }

    private interface PartitionView {
        Object of(ClusterState s, String partition);
    }

    /** A view of the partition named in the path, 404 when it is not the one Fairway schedules. */
    private Object read(RoutingContext ctx, PartitionView view) {
        String asked = ctx.pathParam("partition");
        return reader.read(s -> view.of(s, partition(s, asked)));
    }

    private static String partition(ClusterState s, String asked) {
        String ours = s.config().defaultPartition().name();
        if (!ours.equals(asked)) {
            throw YuniKornException.notFound("Partition not found", "no partition '" + asked
                    + "'; Fairway schedules one partition, '" + ours + "'");
        }
        return ours;
    }

    private static QueueState queue(ClusterState s, String name) {
        QueueState q = s.queues().get(name);
        if (q == null) {
            throw YuniKornException.notFound("Queue not found", "no queue '" + name
                    + "'; give the full path from the root, e.g. root." + name);
        }
        return q;
    }

    private Object partitionApps(RoutingContext ctx) {
        String list = AppStates.parseList(ctx.pathParam("state"));
        String status = list.equals(AppStates.ACTIVE) ? AppStates.parseStatus(ctx.request().getParam("status")) : "";
        return read(ctx, (s, part) -> infos(s, s.apps().values(), list, status, part));
    }

    /** A queue's own apps, as YuniKorn keeps them in the queue: the active ones. */
    private Object queueApps(RoutingContext ctx, String state) {
        String name = ctx.pathParam("queue");
        return read(ctx, (s, part) -> {
            QueueState q = queue(s, name);
            if (!state.toLowerCase(Locale.ROOT).equals(AppStates.ACTIVE)) {
                throw YuniKornException.badRequest("Only following application states are allowed: active",
                        "no application state '" + state + "' for a queue's apps; a queue holds active apps only");
            }
            return infos(s, q.apps().values(), AppStates.ACTIVE, AppStates.parseStatus(ctx.request().getParam(
                    "status")), part);
        });
    }

    private static List<ApplicationInfo> infos(ClusterState s, Iterable<AppState> apps, String list, String status,
                                               String partition) {
        List<ApplicationInfo> out = new ArrayList<>();
        for (AppState a : apps) {
            String state = AppStates.name(a.status());
            if (AppStates.list(a.status()).equals(list)
                    && (status.isEmpty() || state.toLowerCase(Locale.ROOT).equals(status))) {
                out.add(ApplicationInfo.of(s, a, partition));
            }
        }
        return out;
    }

    /**
     * One app, by id, also when it completed or was rejected (YuniKorn answers only active apps here; Fairway keeps
     * the others while their pods exist). With a queue in the path the app must be in that queue.
     */
    private Object app(RoutingContext ctx) {
        String id = ctx.pathParam("application");
        String queue = ctx.pathParam("queue");
        return read(ctx, (s, part) -> {
            if (queue != null) {
                queue(s, queue);
            }
            AppState a = s.app(id);
            if (a == null || queue != null && !a.queue().equals(queue)) {
                throw YuniKornException.notFound("Application not found", "no application '" + id + "'"
                        + (queue == null ? "" : " in queue '" + queue + "'") + (a == null ? ""
                        : "; it is in queue '" + a.queue() + "'"));
            }
            return ApplicationInfo.of(s, a, part);
        });
    }

    /** YuniKorn answers JSON when asked for it and YAML otherwise. */
    private void config(RoutingContext ctx) {
        String accept = ctx.request().getHeader("Accept");
        if (accept != null && accept.contains("application/json")) {
            answer(ctx, c -> reader.read(ConfigInfo::json));
            return;
        }
        String yaml;
        try {
            yaml = reader.read(ConfigInfo::yaml);
        } catch (RuntimeException e) {
            fail(ctx, failure(e, ctx));
            return;
        }
        ctx.response().setStatusCode(200).putHeader("Content-Type", YAML).end(yaml);
    }

    private void get(Router r, String path, Function<RoutingContext, Object> view) {
        r.get(path).handler(ctx -> answer(ctx, view));
        r.route(path).handler(YuniKornRoutes::readOnly);
    }

    private static void readOnly(RoutingContext ctx) {
        ctx.response().putHeader("Allow", "GET");
        fail(ctx, new YuniKornException(405, "Method not allowed", "method " + ctx.request().method()
                + " not allowed on " + ctx.request().path() + "; it answers GET"));
    }

    private static void answer(RoutingContext ctx, Function<RoutingContext, Object> view) {
        Object body;
        try {
            body = view.apply(ctx);
        } catch (RuntimeException e) {
            fail(ctx, failure(e, ctx));
            return;
        }
        send(ctx, 200, body);
    }

    private static YuniKornException failure(RuntimeException e, RoutingContext ctx) {
        if (e instanceof YuniKornException y) {
            return y;
        }
        if (e instanceof ApiException a) {
            return new YuniKornException(a.status(), a.getMessage(), a.getMessage());
        }
        String what = "internal error on " + ctx.request().path() + ": " + e;
        return new YuniKornException(500, what, what);
    }

    private static void fail(RoutingContext ctx, YuniKornException e) {
        send(ctx, e.status(), e.body());
    }

    private static void send(RoutingContext ctx, int status, Object body) {
        String text;
        try {
            text = MAPPER.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            status = 500;
            text = "{\"status_code\":500,\"message\":\"could not write the answer as JSON\","
                    + "\"description\":\"could not write the answer as JSON\"}";
        }
        ctx.response().setStatusCode(status).putHeader("Content-Type", JSON).end(text);
    }
}
