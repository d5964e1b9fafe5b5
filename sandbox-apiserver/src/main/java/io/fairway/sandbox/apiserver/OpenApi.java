package io.fairway.sandbox.apiserver;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Minimal OpenAPI v3 documents: the PATCH operation of every served kind with its query parameters. kubectl
 * reads them to learn that the server validates fields itself ({@code fieldValidation}), so it sends
 * {@code fieldValidation=Strict} instead of validating against schemas; without schemas in the documents it
 * computes strategic merge patches from its compiled-in types. OpenAPI v2 is not served (kubectl falls back).
 */
final class OpenApi {
    private static final String HASH = "FAIRWAY0000000001";
    private static final byte[] INDEX;
    private static final Map<String, byte[]> DOCS = new HashMap<>();

    static {
        ObjectNode index = Json.object();
        ObjectNode paths = index.putObject("paths");
        for (Map.Entry<String, List<ResourceType>> e : ResourceTypes.byGroupVersion().entrySet()) {
            String gv = e.getKey();
            String rel = gv.equals("v1") ? "api/v1" : "apis/" + gv;
            paths.putObject(rel).put("serverRelativeURL", "/openapi/v3/" + rel + "?hash=" + HASH);
            DOCS.put(rel, Json.bytes(document(e.getValue())));
        }
        INDEX = Json.bytes(index);
    }

    private OpenApi() {}

    private static ObjectNode document(List<ResourceType> types) {
        ObjectNode doc = Json.object();
        doc.put("openapi", "3.0.0");
        doc.putObject("info").put("title", "Kubernetes").put("version", Discovery.GIT_VERSION);
        ObjectNode paths = doc.putObject("paths");
        for (ResourceType t : types) {
            if (!t.stored()) {
                continue;
            }
            String item = t.collectionPath(t.namespaced() ? "{namespace}" : null) + "/{name}";
            paths.set(item, patchPath(t));
            if (t.hasStatus()) {
                paths.set(item + "/status", patchPath(t));
            }
        }
        doc.putObject("components").putObject("schemas");
        return doc;
    }

    private static ObjectNode patchPath(ResourceType t) {
        ObjectNode path = Json.object();
        ObjectNode patch = path.putObject("patch");
        patch.put("operationId", "patch" + t.kind());
        ArrayNode params = patch.putArray("parameters");
        for (String p : new String[] {"dryRun", "fieldManager", "fieldValidation", "force", "pretty"}) {
            ObjectNode param = params.addObject();
            param.put("name", p);
            param.put("in", "query");
            param.putObject("schema").put("type", p.equals("force") ? "boolean" : "string");
        }
        patch.putObject("responses").putObject("200").put("description", "OK");
        patch.put("x-kubernetes-action", "patch");
        patch.putObject("x-kubernetes-group-version-kind").put("group", t.group()).put("version", t.version()).put("kind", t.kind());
        return path;
    }

    static void serve(HttpServerRequest req, String[] seg) {
        if (seg.length == 2 && seg[1].equals("v3")) {
            send(req, INDEX);
            return;
        }
        if (seg.length > 2 && seg[1].equals("v3")) {
            byte[] doc = DOCS.get(String.join("/", List.of(seg).subList(2, seg.length)));
            if (doc != null) {
                send(req, doc);
                return;
            }
        }
        throw ApiHandler.notFoundPath();
    }

    private static void send(HttpServerRequest req, byte[] body) {
        req.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(io.vertx.core.buffer.Buffer.buffer(body));
    }
}
