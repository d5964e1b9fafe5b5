package io.fairway.sandbox.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Queue;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Routes the Kubernetes REST paths to the store and writes the answers (objects, lists, Tables, Status errors, watches). */
final class ApiHandler implements Handler<HttpServerRequest> {
    private static final Logger LOG = LoggerFactory.getLogger(ApiHandler.class);
    private static final String JSON = "application/json";

    private final Vertx vertx;
    private final Store store;
    private final Admission admission;
    private final ApiServerOptions options;
    private volatile Discovery discovery;
    private volatile Queue<ApiRequest> requests;
    /** Where mutating requests are recorded; null (the default) records nothing and costs nothing. */
    private final RequestHistory history;
    /** The faults injected; null (the default) when the fault endpoints are off. */
    private final FaultInjector faults;
    private final ChaosEndpoints chaos;

    ApiHandler(Vertx vertx, Store store, Admission admission, ApiServerOptions options, RequestHistory history, FaultInjector faults) {
        this.vertx = vertx;
        this.store = store;
        this.admission = admission;
        this.options = options;
        this.history = history;
        this.faults = faults;
        this.chaos = faults == null ? null : new ChaosEndpoints(faults, store);
    }

    /** Starts (a fresh queue) or stops (null) recording the requests served. */
    void recordInto(Queue<ApiRequest> into) {
        this.requests = into;
    }

    Queue<ApiRequest> recorded() {
        return requests;
    }

    void discovery(Discovery d) {
        this.discovery = d;
    }

    /** A parsed resource path. */
    record Target(ResourceType type, String namespace, String name, String subresource, boolean watchPath) {}

    @Override
    public void handle(HttpServerRequest req) {
        if (LOG.isDebugEnabled()) {
            LOG.debug("{} {} {}", req.version(), req.method(), req.uri());
        }
        guarded(req, () -> route(req));
    }

    /** Runs {@code r}, answering what it throws as a Status. */
    private void guarded(HttpServerRequest req, Runnable r) {
        try {
            r.run();
        } catch (ApiException e) {
            sendStatus(req, e);
        } catch (RuntimeException e) {
            LOG.warn("unexpected error serving {} {}", req.method(), req.uri(), e);
            sendStatus(req, new ApiException(500, "InternalError", "Internal error occurred: " + e, null, null, null, List.of()));
        }
    }

    private void route(HttpServerRequest req) {
        String path = req.path();
        while (path.length() > 1 && path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        String[] seg = path.length() <= 1 ? new String[0] : path.substring(1).split("/");
        if (seg.length == 0) {
            send(req, 200, Json.bytes(rootPaths()));
            return;
        }
        switch (seg[0]) {
            case "version" -> send(req, 200, discovery.version());
            case "healthz", "livez", "readyz" -> req.response().putHeader(HttpHeaders.CONTENT_TYPE, "text/plain").end("ok");
            case "openapi" -> OpenApi.serve(req, seg);
            case "chaos" -> {
                if (chaos == null) {
                    throw notFoundPath();
                }
                chaos.handle(req, seg);
            }
            case "api" -> {
                if (seg.length == 1) {
                    send(req, 200, discovery.api());
                } else if (!seg[1].equals("v1")) {
                    throw notFoundPath();
                } else if (seg.length == 2) {
                    send(req, 200, discovery.resources("v1"));
                } else {
                    resource(req, "", "v1", seg, 2);
                }
            }
            case "apis" -> {
                if (seg.length == 1) {
                    send(req, 200, discovery.apis());
                } else if (seg.length == 2) {
                    byte[] g = discovery.group(seg[1]);
                    if (g == null) {
                        throw notFoundPath();
                    }
                    send(req, 200, g);
                } else if (seg.length == 3) {
                    byte[] r = discovery.resources(seg[1] + "/" + seg[2]);
                    if (r == null) {
                        throw notFoundPath();
                    }
                    send(req, 200, r);
                } else {
                    resource(req, seg[1], seg[2], seg, 3);
                }
            }
            default -> throw notFoundPath();
        }
    }

    private static ObjectNode rootPaths() {
        ObjectNode o = Json.object();
        ArrayNode paths = o.putArray("paths");
        for (String p : new String[] {"/api", "/api/v1", "/apis", "/apis/coordination.k8s.io", "/apis/coordination.k8s.io/v1",
                "/apis/events.k8s.io", "/apis/events.k8s.io/v1", "/apis/scheduling.k8s.io", "/apis/scheduling.k8s.io/v1",
                "/healthz", "/livez", "/openapi/v2", "/openapi/v3", "/readyz", "/version"}) {
            paths.add(p);
        }
        return o;
    }

    static ApiException notFoundPath() {
        return ApiException.notFound("the server could not find the requested resource");
    }

    // ---- resource routing -----------------------------------------------------------------------------------

    private void resource(HttpServerRequest req, String group, String version, String[] seg, int from) {
        if (!ResourceTypes.knownGroupVersion(group, version)) {
            throw notFoundPath();
        }
        List<String> rest = new ArrayList<>(List.of(seg).subList(from, seg.length));
        boolean watchPath = false;
        if (!rest.isEmpty() && rest.get(0).equals("watch")) {
            watchPath = true;
            rest.remove(0);
        }
        if (rest.isEmpty()) {
            throw notFoundPath();
        }
        String ns = null;
        String plural;
        String name = null;
        String sub = null;
        boolean namespaceSub = group.isEmpty() && rest.size() == 3 && (rest.get(2).equals("status") || rest.get(2).equals("finalize"));
        if (rest.get(0).equals("namespaces") && rest.size() >= 3 && !namespaceSub) {
            ns = rest.get(1);
            plural = rest.get(2);
            if (rest.size() > 3) {
                name = rest.get(3);
            }
            if (rest.size() > 4) {
                sub = rest.get(4);
            }
            if (rest.size() > 5) {
                throw notFoundPath();
            }
        } else {
            plural = rest.get(0);
            if (rest.size() > 1) {
                name = rest.get(1);
            }
            if (rest.size() > 2) {
                sub = rest.get(2);
            }
            if (rest.size() > 3) {
                throw notFoundPath();
            }
        }
        ResourceType t = ResourceTypes.find(group, version, plural);
        if (t == null || (ns != null && !t.namespaced()) || (t.namespaced() && ns == null && name != null)) {
            throw notFoundPath();
        }
        if (sub != null && !t.subresources().contains(sub)) {
            throw notFoundPath();
        }
        Target target = new Target(t, ns, name, sub, watchPath);
        HttpMethod m = req.method();
        Queue<ApiRequest> record = requests;
        if (record == null && history == null && faults == null) {
            serve(req, target, null, FaultInjector.Fault.NONE);
            return;
        }
        String verb = verb(m, target, req.params());
        String agent = Objects.requireNonNullElse(req.getHeader("User-Agent"), "");
        if (record != null) {
            record.add(new ApiRequest(verb, group, plural, sub == null ? "" : sub, ns == null ? "" : ns, name == null ? "" : name,
                    agent, System.nanoTime()));
        }
        MutationCapture capture = history != null && MutationCapture.recorded(verb, t) ? new MutationCapture(req, verb, target, agent) : null;
        FaultInjector.Fault fault = faults == null ? FaultInjector.Fault.NONE : faults.decide(agent, resumesWatch(verb, req.params()));
        if (fault.latencyMs() > 0) {
            // a timer, not a sleep: the event loop serves others meanwhile; the body waits, paused, until then
            req.pause();
            vertx.setTimer(fault.latencyMs(), id -> {
                guarded(req, () -> serve(req, target, capture, fault));
                req.resume();
            });
        } else {
            serve(req, target, capture, fault);
        }
    }

    /** Serves a resource request, or answers it with the injected fault; {@code capture} (if any) records a write. */
    private void serve(HttpServerRequest req, Target target, MutationCapture capture, FaultInjector.Fault fault) {
        HttpMethod m = req.method();
        boolean refused = fault.kind() != FaultInjector.Kind.NONE && fault.kind() != FaultInjector.Kind.GONE;
        if (m == HttpMethod.GET) {
            if (refused) {
                answerFault(req, fault);
            } else {
                get(req, target, fault.kind() == FaultInjector.Kind.GONE);
            }
        } else if (m == HttpMethod.POST || m == HttpMethod.PUT || m == HttpMethod.PATCH || m == HttpMethod.DELETE) {
            req.body().onComplete(ar -> {
                byte[] body = ar.succeeded() && ar.result() != null ? ar.result().getBytes() : new byte[0];
                Runnable work = () -> guarded(req, () -> {
                    if (refused) {
                        if (capture != null) {
                            capture.injected();
                        }
                        answerFault(req, fault);
                        return;
                    }
                    if (ar.failed()) {
                        throw ApiException.badRequest("could not read the request body: " + ar.cause());
                    }
                    write(req, target, body);
                });
                if (capture == null) {
                    work.run();
                } else {
                    capture.body(body, isYaml(req));
                    capture.run(work);
                }
            });
        } else {
            throw ApiException.methodNotAllowed("the server does not allow this method on the requested resource");
        }
    }

    /** An injected error or throttle, worded as kube-apiserver words its own. */
    private void answerFault(HttpServerRequest req, FaultInjector.Fault fault) {
        ObjectNode status = switch (fault.kind()) {
            case ERROR_500 -> ApiException.status(500, "InternalError",
                    "Internal error occurred: injected fault (chaos errorShare)", null, null, null, List.of());
            case ERROR_503 -> ApiException.status(503, "ServiceUnavailable",
                    "the server is currently unable to handle the request (injected fault: chaos errorShare)", null, null, null, List.of());
            case THROTTLE -> {
                ObjectNode s = ApiException.status(429, "TooManyRequests",
                        "the server has received too many requests and has asked us to try again later (injected fault: chaos throttleShare)",
                        null, null, null, List.of());
                s.putObject("details").put("retryAfterSeconds", fault.retryAfterSeconds());
                req.response().putHeader("Retry-After", Integer.toString(fault.retryAfterSeconds()));
                yield s;
            }
            default -> throw new IllegalStateException("not an answer: " + fault);
        };
        send(req, status.get("code").asInt(), Json.bytes(status));
    }

    /** A watch from a resourceVersion (not "" or "0", which ask for the current state, nor a watch-list). */
    private static boolean resumesWatch(String verb, MultiMap params) {
        String rv = params.get("resourceVersion");
        return verb.equals("watch") && rv != null && !rv.isEmpty() && !rv.equals("0") && !isTrue(params.get("sendInitialEvents"));
    }

    private static String verb(HttpMethod m, Target target, MultiMap params) {
        if (m == HttpMethod.GET) {
            if (target.watchPath() || isTrue(params.get("watch"))) {
                return "watch";
            }
            return target.name() == null ? "list" : "get";
        }
        if (m == HttpMethod.POST) {
            return "create";
        }
        if (m == HttpMethod.PUT) {
            return "update";
        }
        if (m == HttpMethod.PATCH) {
            return "patch";
        }
        if (m == HttpMethod.DELETE) {
            return target.name() == null ? "deletecollection" : "delete";
        }
        return m.name().toLowerCase(Locale.ROOT);
    }

    /** {@code gone}: an injected fault answers a watch that resumes from a resourceVersion with 410 Gone. */
    private void get(HttpServerRequest req, Target target, boolean gone) {
        ResourceType t = target.type();
        MultiMap params = req.params();
        if (!t.stored()) {
            throw ApiException.methodNotAllowed("the server does not allow this method on the requested resource");
        }
        boolean watch = target.watchPath() || isTrue(params.get("watch"));
        if ("binding".equals(target.subresource()) || "eviction".equals(target.subresource())) {
            throw ApiException.methodNotAllowed("the server does not allow this method on the requested resource (pods/"
                    + target.subresource() + " is only created: POST)");
        }
        if (target.name() != null && !watch) {
            Stored s = store.require(t, nsOrEmpty(target), target.name());
            if (wantsTable(req)) {
                send(req, 200, Json.bytes(Tables.table(t, List.of(external(t, s)), -1, null, params.get("includeObject"), true)));
            } else {
                send(req, 200, render(t, s));
            }
            return;
        }
        Predicate<Stored> filter = Selectors.predicate(params.get("labelSelector"), params.get("fieldSelector"), t);
        if (target.name() != null) {
            String name = target.name();
            Predicate<Stored> byName = s -> s.name.equals(name);
            filter = filter == null ? byName : filter.and(byName);
        }
        if (watch) {
            watch(req, target, filter, params, gone);
        } else {
            list(req, target, filter, params);
        }
    }

    private void list(HttpServerRequest req, Target target, Predicate<Stored> filter, MultiMap params) {
        ResourceType t = target.type();
        long limit = parseLong(params.get("limit"), 0, "limit");
        Store.Page page = store.list(t, target.namespace(), filter, limit, params.get("continue"));
        if (wantsTable(req)) {
            List<ObjectNode> objs = new ArrayList<>(page.items().size());
            for (Stored s : page.items()) {
                objs.add(external(t, s));
            }
            send(req, 200, Json.bytes(Tables.table(t, objs, page.rv(), page.continueToken(), params.get("includeObject"), true)));
            return;
        }
        int size = 128;
        for (Stored s : page.items()) {
            size += s.json.length + 1;
        }
        Buffer b = Buffer.buffer(size);
        b.appendString("{\"kind\":\"" + t.listKind() + "\",\"apiVersion\":\"" + t.apiVersion() + "\",\"metadata\":{\"resourceVersion\":\""
                + page.rv() + "\"");
        if (page.continueToken() != null) {
            b.appendString(",\"continue\":\"" + page.continueToken() + "\"");
        }
        if (page.remainingItemCount() >= 0) {
            b.appendString(",\"remainingItemCount\":" + page.remainingItemCount());
        }
        b.appendString("},\"items\":[");
        boolean first = true;
        for (Stored s : page.items()) {
            if (!first) {
                b.appendByte((byte) ',');
            }
            first = false;
            b.appendBytes(render(t, s));
        }
        b.appendString("]}");
        send(req, 200, b);
    }

    private void watch(HttpServerRequest req, Target target, Predicate<Stored> filter, MultiMap params, boolean gone) {
        ResourceType t = target.type();
        String rvParam = params.get("resourceVersion");
        Store.WatchStart start;
        if (isTrue(params.get("sendInitialEvents"))) {
            start = new Store.WatchStart(true, true, 0);
        } else if (rvParam == null || rvParam.isEmpty() || rvParam.equals("0")) {
            start = new Store.WatchStart(true, false, 0);
        } else {
            start = new Store.WatchStart(false, false, parseLong(rvParam, 0, "resourceVersion"));
        }
        boolean bookmarks = isTrue(params.get("allowWatchBookmarks"));
        long timeoutMs = params.get("timeoutSeconds") == null ? options.watchTimeout().toMillis()
                : Math.min(options.watchTimeout().toMillis(), Math.max(1, parseLong(params.get("timeoutSeconds"), 0, "timeoutSeconds")) * 1000);
        Function<Stored, byte[]> renderer = null;
        if (wantsTable(req)) {
            String include = params.get("includeObject");
            renderer = s -> Json.bytes(Tables.table(t, List.of(external(t, s)), -1, null, include, true));
        } else if (t.converted()) {
            renderer = s -> render(t, s);
        }
        Function<Stored, byte[]> r = renderer;
        Context ctx = Vertx.currentContext();
        String ns = t.namespaced() ? target.namespace() : null;
        if (req.canUpgradeToWebSocket()) {
            LOG.debug("watch over WebSocket: {}", req.uri());
            req.toWebSocket().onSuccess(ws -> {
                Watcher w = new Watcher(t, ns, filter, bookmarks, r, ctx, Watcher.webSocketSink(ws), options.maxWatchBacklog());
                ws.closeHandler(v -> w.close());
                ws.exceptionHandler(e -> w.close());
                ws.handler(b -> { });
                startWatch(w, start, timeoutMs, gone);
            }).onFailure(e -> LOG.debug("websocket upgrade failed", e));
            return;
        }
        HttpServerResponse resp = req.response();
        resp.setChunked(true);
        resp.putHeader(HttpHeaders.CONTENT_TYPE, JSON);
        resp.putHeader("Cache-Control", "no-cache, private");
        resp.writeHead();
        Watcher w = new Watcher(t, ns, filter, bookmarks, r, ctx, Watcher.httpSink(resp), options.maxWatchBacklog());
        resp.closeHandler(v -> w.close());
        resp.exceptionHandler(e -> w.close());
        startWatch(w, start, timeoutMs, gone);
    }

    private void startWatch(Watcher w, Store.WatchStart start, long timeoutMs, boolean gone) {
        if (gone) {
            // as the store answers a resourceVersion older than its history: one ERROR event, then the end
            w.fail(Json.bytes(ApiException.expired("too old resource version: " + start.afterRv()
                    + " (injected fault: chaos goneOnRewatch)").status()));
            return;
        }
        long timer = vertx.setTimer(timeoutMs, id -> w.end());
        store.watch(w, start);
        Runnable unregister = () -> {
            vertx.cancelTimer(timer);
            store.unwatch(w);
        };
        w.onClose(unregister);
        if (w.isClosed()) {
            unregister.run();
        }
    }

    // ---- writes ---------------------------------------------------------------------------------------------

    private void write(HttpServerRequest req, Target target, byte[] body) {
        ResourceType t = target.type();
        HttpMethod m = req.method();
        if (mediaType(req.getHeader(HttpHeaders.CONTENT_TYPE)).equals(ProtobufBodies.MEDIA_TYPE) && body != null
                && body.length > 0) {
            // what kubectl sends as protobuf (namespaces, config maps, secrets, delete options) is read as JSON
            body = ProtobufBodies.toJson(body);
        }
        if (m == HttpMethod.POST) {
            if (t == ResourceTypes.BINDINGS && target.name() == null) {
                ObjectNode b = Json.parseObject(body, isYaml(req));
                String pod = Json.text(b, "metadata", "name");
                if (Json.isBlank(pod)) {
                    throw ApiException.badRequest("the binding must name the pod in metadata.name");
                }
                bind(req, target.namespace(), pod, b);
            } else if (t == ResourceTypes.PODS && "binding".equals(target.subresource())) {
                ObjectNode b = Json.parseObject(body, isYaml(req));
                String named = Json.text(b, "metadata", "name");
                if (!Json.isBlank(named) && !named.equals(target.name())) {
                    throw ApiException.badRequest("the name of the object (" + named + ") does not match the name on the URL (" + target.name() + ")");
                }
                bind(req, target.namespace(), target.name(), b);
            } else if (t == ResourceTypes.PODS && "eviction".equals(target.subresource())) {
                evict(req, target, Json.parseObject(body, isYaml(req)));
            } else if (target.name() == null && t.stored()) {
                create(req, target, Json.parseObject(body, isYaml(req)));
            } else {
                throw ApiException.methodNotAllowed("the server does not allow this method on the requested resource");
            }
            return;
        }
        if (!t.stored()) {
            throw ApiException.methodNotAllowed("the server does not allow this method on the requested resource");
        }
        if (m == HttpMethod.DELETE && target.subresource() != null) {
            throw ApiException.methodNotAllowed("the server does not allow this method on the requested resource ("
                    + t.plural() + "/" + target.subresource() + " is not deleted; delete the " + t.singular() + " itself)");
        }
        if (m == HttpMethod.DELETE) {
            // kubectl delete --dry-run=server says so in the DeleteOptions body; other clients in the query
            boolean dryRun = isDryRun(req) || dryRunIn(body);
            if (target.name() == null) {
                deleteCollection(req, target, body, dryRun);
            } else if (dryRun) {
                send(req, 200, render(t, store.require(t, nsOrEmpty(target), target.name())));
            } else {
                Store.Deleted d = store.delete(t, nsOrEmpty(target), target.name(), deleteOptions(req, body));
                send(req, d.gone() ? 200 : 202, render(t, d.object()));
            }
            return;
        }
        if (target.name() == null || "binding".equals(target.subresource()) || "finalize".equals(target.subresource())
                || "eviction".equals(target.subresource())) {
            throw ApiException.methodNotAllowed("the server does not allow this method on the requested resource");
        }
        if (m == HttpMethod.PUT) {
            update(req, target, Json.parseObject(body, isYaml(req)));
        } else {
            patch(req, target, body);
        }
    }

    private void create(HttpServerRequest req, Target target, ObjectNode obj) {
        ResourceType t = target.type();
        ResourceType st = storageType(t);
        validateFields(req, t, obj);
        if (t.converted()) {
            checkViewKind(t, obj);
            obj = EventConversion.toCore(obj);
        }
        ObjectNode admitted = admission.prepareCreate(st, nsOrEmpty(target), obj);
        if (isDryRun(req)) {
            send(req, 201, render(t, Stored.of(st, admitted, store.resourceVersion())));
            return;
        }
        Stored s = store.create(st, admitted);
        send(req, 201, render(t, s));
    }

    private void update(HttpServerRequest req, Target target, ObjectNode body) {
        ResourceType t = target.type();
        ResourceType st = storageType(t);
        if (t.converted()) {
            checkViewKind(t, body);
        }
        validateFields(req, t, body);
        ObjectNode given = t.converted() ? EventConversion.toCore(body) : body;
        Store.Mutation mutation = (cur, tree) -> {
            String rv = Json.text(given, "metadata", "resourceVersion");
            if (!Json.isBlank(rv) && !rv.equals(Long.toString(cur.rv))) {
                throw ApiException.stale(t, cur.name);
            }
            return admission.prepareUpdate(st, cur, tree, given.deepCopy(), target.subresource());
        };
        send(req, 200, render(t, mutate(req, st, target, mutation)));
    }

    private Stored mutate(HttpServerRequest req, ResourceType st, Target target, Store.Mutation mutation) {
        if (isDryRun(req)) {
            Stored cur = store.require(st, nsOrEmpty(target), target.name());
            return Stored.of(st, mutation.apply(cur, cur.tree()), cur.rv);
        }
        return store.update(st, nsOrEmpty(target), target.name(), mutation);
    }

    private enum PatchType { JSON_PATCH, MERGE, STRATEGIC, APPLY }

    private void patch(HttpServerRequest req, Target target, byte[] body) {
        ResourceType t = target.type();
        ResourceType st = storageType(t);
        String contentType = mediaType(req.getHeader(HttpHeaders.CONTENT_TYPE));
        PatchType type = switch (contentType) {
            case "application/json-patch+json" -> PatchType.JSON_PATCH;
            case "application/merge-patch+json" -> PatchType.MERGE;
            case "application/strategic-merge-patch+json" -> PatchType.STRATEGIC;
            case "application/apply-patch+yaml", "application/apply-patch+json" -> PatchType.APPLY;
            default -> throw ApiException.unsupportedMediaType(contentType);
        };
        JsonNode patch = Json.parse(body, type == PatchType.APPLY);
        if (type != PatchType.JSON_PATCH && !patch.isObject()) {
            throw ApiException.badRequest("the patch must be a JSON object");
        }
        String ns = nsOrEmpty(target);
        if (type == PatchType.APPLY) {
            ObjectNode applied = (ObjectNode) patch;
            if (Json.isBlank(Json.text(applied, "apiVersion")) || Json.isBlank(Json.text(applied, "kind"))) {
                throw ApiException.badRequest("apply patches must set apiVersion and kind");
            }
            String named = Json.text(applied, "metadata", "name");
            if (!Json.isBlank(named) && !named.equals(target.name())) {
                throw ApiException.badRequest("the name of the object (" + named + ") does not match the name on the URL (" + target.name() + ")");
            }
            if (target.subresource() == null && store.get(st, ns, target.name()) == null) {
                ObjectNode obj = applied.deepCopy();
                validateFields(req, t, obj);
                if (t.converted()) {
                    checkViewKind(t, obj);
                    obj = EventConversion.toCore(obj);
                }
                Json.metadata(obj).put("name", target.name());
                ObjectNode admitted = admission.prepareCreate(st, ns, obj);
                if (isDryRun(req)) {
                    send(req, 201, render(t, Stored.of(st, admitted, store.resourceVersion())));
                    return;
                }
                try {
                    send(req, 201, render(t, store.create(st, admitted)));
                    return;
                } catch (ApiException e) {
                    if (!"AlreadyExists".equals(e.reason)) {
                        throw e;
                    }
                    // created meanwhile: apply as an update
                }
            }
        }
        Store.Mutation mutation = (cur, old) -> {
            JsonNode base = t.converted() ? EventConversion.toV1(old.deepCopy()) : old.deepCopy();
            JsonNode patched = switch (type) {
                case JSON_PATCH -> Patches.jsonPatch(base, patch);
                case MERGE -> Patches.mergePatch(base, patch);
                case STRATEGIC, APPLY -> Patches.strategicMerge(base, patch);
            };
            if (!(patched instanceof ObjectNode po)) {
                throw ApiException.invalid(t, cur.name, new ApiException.Cause("FieldValueInvalid", "", "the patched object is not an object"));
            }
            validateFields(req, t, po);
            ObjectNode result = t.converted() ? EventConversion.toCore(po) : po;
            String rv = Json.text(result, "metadata", "resourceVersion");
            if (!Json.isBlank(rv) && !rv.equals(Long.toString(cur.rv))) {
                throw ApiException.stale(t, cur.name);
            }
            return admission.prepareUpdate(st, cur, old, result, target.subresource());
        };
        send(req, 200, render(t, mutate(req, st, target, mutation)));
    }

    private void bind(HttpServerRequest req, String ns, String podName, ObjectNode binding) {
        JsonNode targetNode = binding.get("target");
        String kind = Json.text(targetNode, "kind");
        String node = Json.text(targetNode, "name");
        ResourceType pods = ResourceTypes.PODS;
        if (!Json.isBlank(kind) && !kind.equals("Node")) {
            throw ApiException.invalid(ResourceTypes.BINDINGS, podName, new ApiException.Cause("FieldValueNotSupported", "target.kind",
                    "Unsupported value: \"" + kind + "\": supported values: \"Node\""));
        }
        if (Json.isBlank(node)) {
            throw ApiException.invalid(ResourceTypes.BINDINGS, podName, new ApiException.Cause("FieldValueRequired", "target.name",
                    "Required value"));
        }
        String uid = Json.text(binding, "metadata", "uid");
        JsonNode annotations = Json.at(binding, "metadata", "annotations");
        if (store.get(pods, ns, podName) == null) {
            throw ApiException.notFound(pods, podName);
        }
        store.update(pods, ns, podName, Store.Mutation.editing((cur, pod) -> {
            if (!Json.isBlank(uid) && !uid.equals(cur.uid)) {
                throw ApiException.conflict("pods/binding", podName, "Precondition failed: UID in precondition: " + uid
                        + ", UID in object meta: " + cur.uid);
            }
            if (cur.deleting) {
                throw ApiException.conflict("pods/binding", podName, "pod " + podName + " is being deleted, cannot be assigned to a host");
            }
            String bound = Json.text(pod, "spec", "nodeName");
            if (!Json.isBlank(bound)) {
                throw ApiException.conflict("pods/binding", podName, "pod " + podName + " is already assigned to node \"" + bound + "\"");
            }
            Json.child(pod, "spec").put("nodeName", node);
            if (annotations instanceof ObjectNode a && !a.isEmpty()) {
                Json.child(Json.metadata(pod), "annotations").setAll(a);
            }
            ObjectNode status = Json.child(pod, "status");
            ArrayNode conditions = status.get("conditions") instanceof ArrayNode c ? c : status.putArray("conditions");
            ObjectNode scheduled = null;
            for (JsonNode c : conditions) {
                if ("PodScheduled".equals(Json.text(c, "type")) && c instanceof ObjectNode o) {
                    scheduled = o;
                }
            }
            if (scheduled == null) {
                scheduled = conditions.addObject();
                scheduled.put("type", "PodScheduled");
            }
            scheduled.put("status", "True");
            scheduled.putNull("lastProbeTime");
            scheduled.put("lastTransitionTime", Json.now());
            scheduled.remove(List.of("reason", "message"));
            return pod;
        }));
        send(req, 201, Json.bytes(ApiException.success(201, null, null, null)));
    }

    /** pods/eviction: a graceful delete with the Eviction's delete options (see {@link Evictions}). */
    private void evict(HttpServerRequest req, Target target, ObjectNode eviction) {
        ObjectNode options = Evictions.deleteOptions(target.name(), eviction);
        String ns = target.namespace();
        store.require(ResourceTypes.PODS, ns, target.name());
        byte[] optionBytes = options.isEmpty() ? new byte[0] : Json.bytes(options);
        if (!isDryRun(req) && !dryRunIn(optionBytes)) {
            store.delete(ResourceTypes.PODS, ns, target.name(), deleteOptions(req, optionBytes));
        }
        send(req, 201, Json.bytes(ApiException.success(201, null, null, null)));
    }

    private void deleteCollection(HttpServerRequest req, Target target, byte[] body, boolean dryRun) {
        ResourceType t = target.type();
        MultiMap params = req.params();
        Predicate<Stored> filter = Selectors.predicate(params.get("labelSelector"), params.get("fieldSelector"), t);
        Store.DeleteOptions opts = deleteOptions(req, body);
        Store.Page page = store.list(t, target.namespace(), filter, 0, null);
        Buffer b = Buffer.buffer();
        b.appendString("{\"kind\":\"" + t.listKind() + "\",\"apiVersion\":\"" + t.apiVersion() + "\",\"metadata\":{\"resourceVersion\":\""
                + store.resourceVersion() + "\"},\"items\":[");
        boolean first = true;
        for (Stored s : page.items()) {
            try {
                Stored gone = dryRun ? s : store.delete(t, s.namespace, s.name, opts).object();
                if (!first) {
                    b.appendByte((byte) ',');
                }
                first = false;
                b.appendBytes(render(t, gone));
            } catch (ApiException e) {
                if (e.code != 404) {
                    throw e;
                }
            }
        }
        b.appendString("]}");
        send(req, 200, b);
    }

    private static Store.DeleteOptions deleteOptions(HttpServerRequest req, byte[] body) {
        MultiMap params = req.params();
        Long grace = params.get("gracePeriodSeconds") == null ? null : parseLong(params.get("gracePeriodSeconds"), 0, "gracePeriodSeconds");
        String policy = params.get("propagationPolicy");
        if (isTrue(params.get("orphanDependents"))) {
            policy = "Orphan";
        }
        String uid = null;
        String rv = null;
        if (body.length > 0) {
            ObjectNode o = Json.parseObject(body, false);
            if (o.hasNonNull("gracePeriodSeconds")) {
                grace = o.get("gracePeriodSeconds").asLong();
            }
            if (o.hasNonNull("propagationPolicy")) {
                policy = o.get("propagationPolicy").asText();
            }
            if (o.path("orphanDependents").asBoolean(false)) {
                policy = "Orphan";
            }
            uid = Json.text(o, "preconditions", "uid");
            rv = Json.text(o, "preconditions", "resourceVersion");
        }
        if (policy != null && !policy.equals("Orphan") && !policy.equals("Background") && !policy.equals("Foreground")) {
            throw ApiException.badRequest("propagationPolicy: Unsupported value: \"" + policy + "\"");
        }
        return new Store.DeleteOptions(grace, policy, Json.isBlank(uid) ? null : uid, Json.isBlank(rv) ? null : rv);
    }

    // ---- helpers --------------------------------------------------------------------------------------------

    /**
     * {@code fieldValidation}: unknown fields refused (Strict), or dropped with a Warning header (Warn, the default)
     * or silently (Ignore). A write that retries adds the same warning once.
     */
    private static void validateFields(HttpServerRequest req, ResourceType view, ObjectNode obj) {
        FieldValidation.Mode mode = FieldValidation.mode(req.params().get("fieldValidation"));
        Set<String> warnings = FieldValidation.warnings();
        FieldValidation.check(view, obj, mode, warnings);
        if (warnings.isEmpty()) {
            return;
        }
        MultiMap headers = req.response().headers();
        List<String> present = headers.getAll("Warning");
        for (String w : warnings) {
            String h = FieldValidation.header(w);
            if (!present.contains(h)) {
                headers.add("Warning", h);
            }
        }
    }

    private static ResourceType storageType(ResourceType t) {
        return t.converted() ? ResourceTypes.EVENTS : t;
    }

    private static void checkViewKind(ResourceType t, ObjectNode obj) {
        String apiVersion = Json.text(obj, "apiVersion");
        if (!Json.isBlank(apiVersion) && !apiVersion.equals(t.apiVersion())) {
            throw ApiException.badRequest("the API version in the data (" + apiVersion + ") does not match the expected API version ("
                    + t.apiVersion() + ")");
        }
    }

    /** The object as the requested view serves it. */
    private static byte[] render(ResourceType view, Stored s) {
        return view.converted() ? Json.bytes(EventConversion.toV1(s.tree())) : s.json;
    }

    private static ObjectNode external(ResourceType view, Stored s) {
        return view.converted() ? EventConversion.toV1(s.tree()) : s.tree();
    }

    private static String nsOrEmpty(Target t) {
        return t.type().namespaced() ? t.namespace() : "";
    }

    private static boolean wantsTable(HttpServerRequest req) {
        String accept = req.getHeader(HttpHeaders.ACCEPT);
        return accept != null && accept.contains("as=Table");
    }

    private static boolean isYaml(HttpServerRequest req) {
        String ct = req.getHeader(HttpHeaders.CONTENT_TYPE);
        return ct != null && ct.contains("yaml");
    }

    /** A DeleteOptions body asking for a dry run ({@code "dryRun": ["All"]}). */
    private static boolean dryRunIn(byte[] body) {
        if (body == null || body.length == 0) {
            return false;
        }
        try {
            JsonNode d = Json.parse(body, false).path("dryRun");
            return d.isArray() ? !d.isEmpty() : !d.asText("").isEmpty();
        } catch (ApiException e) {
            return false;
        }
    }

    private static boolean isDryRun(HttpServerRequest req) {
        String d = req.params().get("dryRun");
        return d != null && !d.isEmpty();
    }

    private static String mediaType(String contentType) {
        if (contentType == null) {
            return "";
        }
        int i = contentType.indexOf(';');
        return (i < 0 ? contentType : contentType.substring(0, i)).trim().toLowerCase(Locale.ROOT);
    }

    private static boolean isTrue(String v) {
        return v != null && (v.equals("true") || v.equals("1"));
    }

    private static long parseLong(String v, long dflt, String what) {
        if (v == null || v.isEmpty()) {
            return dflt;
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("invalid " + what + ": " + v);
        }
    }

    private void send(HttpServerRequest req, int code, byte[] body) {
        // stored JSON is never modified: wrap it instead of copying
        send(req, code, io.vertx.core.internal.buffer.BufferInternal.buffer(io.netty.buffer.Unpooled.wrappedBuffer(body)));
    }

    private void send(HttpServerRequest req, int code, Buffer body) {
        if (history != null) {
            // recorded before the answer leaves (even to a client gone meanwhile): no answer is missing from the history
            MutationCapture c = MutationCapture.current();
            if (c != null && c.request() == req) {
                HistoryEntry e = c.answer(code, store);
                if (e != null) {
                    history.append(e);
                }
            }
        }
        HttpServerResponse resp = req.response();
        if (resp.ended() || resp.closed()) {
            return;
        }
        resp.setStatusCode(code);
        resp.putHeader(HttpHeaders.CONTENT_TYPE, JSON);
        resp.end(body);
    }

    private void sendStatus(HttpServerRequest req, ApiException e) {
        HttpServerResponse resp = req.response();
        if (resp.headWritten()) {
            resp.reset();
            return;
        }
        send(req, e.code, Json.bytes(e.status()));
    }
}
