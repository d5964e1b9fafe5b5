package io.fairway.sandbox.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.http.HttpServerRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * What one mutating request did, for its {@link HistoryEntry}: its body and the store changes committed while it was
 * served. A request is served synchronously on one event loop, so the store's commit listener finds the request's
 * capture in a thread-local while {@link #run} runs; the entry is made when the answer is sent.
 */
final class MutationCapture {
    private static final ThreadLocal<MutationCapture> CURRENT = new ThreadLocal<>();
    private static final Set<String> MUTATING = Set.of("create", "update", "patch", "delete", "deletecollection");

    private final HttpServerRequest request;
    private final String verb;
    private final ApiHandler.Target target;
    private final String agent;
    private final List<Change> changes = new ArrayList<>(2);
    private byte[] body = new byte[0];
    private boolean yaml;
    private boolean injected;
    private boolean answered;

    MutationCapture(HttpServerRequest request, String verb, ApiHandler.Target target, String agent) {
        this.request = request;
        this.verb = verb;
        this.target = target;
        this.agent = agent;
    }

    /** Whether requests of this verb on this resource go into the history: writes, but not to leases or events. */
    static boolean recorded(String verb, ResourceType t) {
        return MUTATING.contains(verb) && !t.plural().equals("leases") && !t.plural().equals("events");
    }

    /** The store's commit listener: runs on the thread that commits, under the store's lock. */
    static void committed(Change c) {
        MutationCapture m = CURRENT.get();
        if (m != null) {
            m.changes.add(c);
        }
    }

    /** The capture of the request being served on this thread, or null. */
    static MutationCapture current() {
        return CURRENT.get();
    }

    HttpServerRequest request() {
        return request;
    }

    void body(byte[] body, boolean yaml) {
        this.body = body;
        this.yaml = yaml;
    }

    /** The answer about to be sent is an injected fault: the request was not served. */
    void injected() {
        this.injected = true;
    }

    /** Runs {@code r} (serving the request) with this capture current on this thread. */
    void run(Runnable r) {
        MutationCapture outer = CURRENT.get();
        CURRENT.set(this);
        try {
            r.run();
        } finally {
            CURRENT.set(outer);
        }
    }

    /** The entry for the answer {@code code}; null if this request was already answered (it is recorded once). */
    HistoryEntry answer(int code, Store store) {
        if (answered) {
            return null;
        }
        answered = true;
        ResourceType t = target.type();
        boolean binding = t == ResourceTypes.BINDINGS || "binding".equals(target.subresource());
        ResourceType st = binding ? ResourceTypes.PODS : t.converted() ? ResourceTypes.EVENTS : t;
        String ns = t.namespaced() && target.namespace() != null ? target.namespace() : "";
        String name = target.name();
        if (t == ResourceTypes.BINDINGS) {
            name = bodyText("metadata", "name");
        }
        Change mine = null;
        for (Change c : changes) {
            Stored s = c.cur();
            if (s.type != st) {
                continue;
            }
            if (name == null ? verb.equals("create") && c.type() == Change.Type.ADDED && mine == null
                    : s.namespace.equals(ns) && s.name.equals(name)) {
                mine = c;
            }
        }
        if (mine != null) {
            name = mine.cur().name;
        } else if (name == null && verb.equals("create")) {
            name = bodyText("metadata", "name");
        }
        Long rv = mine != null ? Long.valueOf(mine.rv())
                : verb.equals("deletecollection") && !changes.isEmpty() ? Long.valueOf(changes.get(changes.size() - 1).rv()) : null;
        boolean removed = mine != null && mine.type() == Change.Type.DELETED;

        String uid = null;
        String node = null;
        String phase = null;
        JsonNode object = null;
        ObjectNode result = mine == null ? null : mine.cur().tree();
        if (st == ResourceTypes.PODS) {
            if (mine != null) {
                uid = mine.cur().uid;
                phase = Json.text(result, "status", "phase");
            } else if (name != null && (binding || !verb.equals("create"))) {
                // nothing changed: the pod as it is (a refused create names a pod that is not its own)
                Stored current = store.get(ResourceTypes.PODS, ns, name);
                uid = current == null ? null : current.uid;
            }
            if (binding) {
                String given = bodyText("metadata", "uid");
                if (!Json.isBlank(given)) {
                    uid = given;
                }
                node = bodyText("target", "name");
            }
        }
        if (mine != null && !removed) {
            boolean created = verb.equals("create") && (st == ResourceTypes.PODS && target.subresource() == null
                    || st == ResourceTypes.NODES);
            boolean configMap = st == ResourceTypes.CONFIGMAPS && !verb.startsWith("delete");
            if (created || configMap) {
                object = result;
            }
        }
        return new HistoryEntry(System.currentTimeMillis(), verb, t.plural(), target.subresource() == null ? "" : target.subresource(),
                ns, name == null ? "" : name, agent, code, injected, uid, node, rv, removed, phase, object);
    }

    private String bodyText(String... path) {
        if (body.length == 0) {
            return null;
        }
        try {
            return Json.text(Json.parse(body, yaml), path);
        } catch (ApiException e) {
            return null;
        }
    }
}
