package io.fairway.sandbox.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The patch formats of the API: JSON merge patch (RFC 7386), a strategic merge patch that knows the merge keys of
 * the lists of the served kinds and the {@code $patch}/{@code $setElementOrder}/{@code $retainKeys}/
 * {@code $deleteFromPrimitiveList} directives kubectl sends, and JSON patch (RFC 6902).
 */
final class Patches {
    private Patches() {}

    /** List fields merged element by element, by this key, under a strategic merge patch (as the Go struct tags say). */
    private static final Map<String, String> MERGE_KEYS = Map.ofEntries(
            Map.entry("containers", "name"),
            Map.entry("initContainers", "name"),
            Map.entry("ephemeralContainers", "name"),
            Map.entry("env", "name"),
            Map.entry("ports", "containerPort"),
            Map.entry("volumes", "name"),
            Map.entry("volumeMounts", "mountPath"),
            Map.entry("volumeDevices", "devicePath"),
            Map.entry("imagePullSecrets", "name"),
            Map.entry("conditions", "type"),
            Map.entry("ownerReferences", "uid"),
            Map.entry("hostAliases", "ip"),
            Map.entry("podIPs", "ip"),
            Map.entry("addresses", "type"),
            Map.entry("taints", "key"),
            Map.entry("resourceClaims", "name"),
            Map.entry("topologySpreadConstraints", "topologyKey"));

    /** Primitive lists whose strategy is "merge" (set union). */
    private static final Set<String> MERGED_PRIMITIVE_LISTS = Set.of("finalizers");

    // ---- RFC 7386 -------------------------------------------------------------------------------------------

    static JsonNode mergePatch(JsonNode target, JsonNode patch) {
        if (!(patch instanceof ObjectNode p)) {
            return patch.deepCopy();
        }
        ObjectNode t = target instanceof ObjectNode o ? o : Json.object();
        for (Iterator<Map.Entry<String, JsonNode>> it = p.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode v = e.getValue();
            if (v.isNull()) {
                t.remove(e.getKey());
            } else if (v.isObject()) {
                t.set(e.getKey(), mergePatch(t.get(e.getKey()), v));
            } else {
                t.set(e.getKey(), v.deepCopy());
            }
        }
        return t;
    }

    // ---- strategic merge ------------------------------------------------------------------------------------

    static JsonNode strategicMerge(JsonNode target, JsonNode patch) {
        if (!(patch instanceof ObjectNode p)) {
            return patch.deepCopy();
        }
        ObjectNode t = target instanceof ObjectNode o ? o : Json.object();
        JsonNode directive = p.get("$patch");
        if (directive != null) {
            switch (directive.asText()) {
                case "replace" -> {
                    ObjectNode copy = p.deepCopy();
                    copy.remove("$patch");
                    return stripDirectives(copy);
                }
                case "delete" -> {
                    return null;
                }
                default -> { /* "merge" is the default */ }
            }
        }
        List<String> retain = null;
        for (Iterator<Map.Entry<String, JsonNode>> it = p.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = e.getKey();
            JsonNode v = e.getValue();
            if (key.equals("$patch") || key.startsWith("$setElementOrder/")) {
                continue;
            }
            if (key.equals("$retainKeys")) {
                retain = new ArrayList<>();
                for (JsonNode k : v) {
                    retain.add(k.asText());
                }
                continue;
            }
            if (key.startsWith("$deleteFromPrimitiveList/")) {
                String field = key.substring("$deleteFromPrimitiveList/".length());
                if (t.get(field) instanceof ArrayNode arr) {
                    for (JsonNode del : v) {
                        for (int i = arr.size() - 1; i >= 0; i--) {
                            if (arr.get(i).equals(del)) {
                                arr.remove(i);
                            }
                        }
                    }
                }
                continue;
            }
            if (v.isNull()) {
                t.remove(key);
            } else if (v.isObject()) {
                JsonNode merged = strategicMerge(t.get(key), v);
                if (merged == null) {
                    t.remove(key);
                } else {
                    t.set(key, merged);
                }
            } else if (v.isArray()) {
                t.set(key, mergeList(key, t.get(key), (ArrayNode) v));
            } else {
                t.set(key, v.deepCopy());
            }
        }
        if (retain != null) {
            t.retain(retain);
        }
        return t;
    }

    private static JsonNode mergeList(String field, JsonNode target, ArrayNode patch) {
        for (JsonNode el : patch) {
            if (el.isObject() && "replace".equals(Json.text(el, "$patch"))) {
                ArrayNode out = Json.NODES.arrayNode();
                for (JsonNode e2 : patch) {
                    if (!(e2.isObject() && e2.has("$patch"))) {
                        out.add(stripDirectives(e2.deepCopy()));
                    }
                }
                return out;
            }
        }
        String mergeKey = MERGE_KEYS.get(field);
        if (!(target instanceof ArrayNode t)) {
            ArrayNode out = Json.NODES.arrayNode();
            for (JsonNode el : patch) {
                if (!(el.isObject() && "delete".equals(Json.text(el, "$patch")))) {
                    out.add(stripDirectives(el.deepCopy()));
                }
            }
            return out;
        }
        if (MERGED_PRIMITIVE_LISTS.contains(field)) {
            ArrayNode out = t.deepCopy();
            for (JsonNode el : patch) {
                boolean present = false;
                for (JsonNode have : out) {
                    present |= have.equals(el);
                }
                if (!present) {
                    out.add(el.deepCopy());
                }
            }
            return out;
        }
        if (mergeKey == null || !allObjectsWithKey(patch, mergeKey)) {
            return stripDirectives(patch.deepCopy());
        }
        ArrayNode out = t.deepCopy();
        for (JsonNode el : patch) {
            JsonNode key = el.get(mergeKey);
            int found = -1;
            for (int i = 0; i < out.size(); i++) {
                if (key.equals(out.get(i).get(mergeKey))) {
                    found = i;
                    break;
                }
            }
            boolean delete = "delete".equals(Json.text(el, "$patch"));
            if (found >= 0 && delete) {
                out.remove(found);
            } else if (found >= 0) {
                JsonNode merged = strategicMerge(out.get(found), el);
                if (merged == null) {
                    out.remove(found);
                } else {
                    out.set(found, merged);
                }
            } else if (!delete) {
                out.add(stripDirectives(el.deepCopy()));
            }
        }
        return out;
    }

    private static boolean allObjectsWithKey(ArrayNode list, String key) {
        for (JsonNode el : list) {
            if (!el.isObject() || !el.has(key)) {
                return false;
            }
        }
        return true;
    }

    private static JsonNode stripDirectives(JsonNode n) {
        if (n instanceof ObjectNode o) {
            o.remove("$patch");
            o.remove("$retainKeys");
            List<String> drop = new ArrayList<>();
            for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
                String k = it.next();
                if (k.startsWith("$")) {
                    drop.add(k);
                }
            }
            o.remove(drop);
            for (JsonNode child : o) {
                stripDirectives(child);
            }
        } else if (n instanceof ArrayNode a) {
            for (JsonNode child : a) {
                stripDirectives(child);
            }
        }
        return n;
    }

    // ---- RFC 6902 -------------------------------------------------------------------------------------------

    static JsonNode jsonPatch(JsonNode target, JsonNode patch) {
        if (!(patch instanceof ArrayNode ops)) {
            throw ApiException.badRequest("json patch must be a list of operations");
        }
        JsonNode doc = target;
        for (JsonNode op : ops) {
            String kind = Json.text(op, "op");
            String path = Json.text(op, "path");
            if (kind == null || path == null) {
                throw ApiException.badRequest("json patch operation needs 'op' and 'path': " + op);
            }
            switch (kind) {
                case "add" -> doc = add(doc, path, value(op));
                case "remove" -> doc = remove(doc, path);
                case "replace" -> {
                    get(doc, path);
                    doc = add(remove(doc, path), path, value(op));
                }
                case "move" -> {
                    String from = from(op);
                    JsonNode v = get(doc, from);
                    doc = add(remove(doc, from), path, v);
                }
                case "copy" -> doc = add(doc, path, get(doc, from(op)).deepCopy());
                case "test" -> {
                    JsonNode actual = get(doc, path);
                    if (!actual.equals(value(op))) {
                        throw new ApiException(422, "Invalid", "the server rejected our request due to an error in our request"
                                + " (testing value " + path + " failed)", null, null, null, List.of());
                    }
                }
                default -> throw ApiException.badRequest("unknown json patch operation '" + kind + "'");
            }
        }
        return doc;
    }

    private static JsonNode value(JsonNode op) {
        if (!op.has("value")) {
            throw ApiException.badRequest("json patch operation needs a 'value': " + op);
        }
        return op.get("value").deepCopy();
    }

    private static String from(JsonNode op) {
        String from = Json.text(op, "from");
        if (from == null) {
            throw ApiException.badRequest("json patch operation needs 'from': " + op);
        }
        return from;
    }

    private static List<String> pointer(String path) {
        if (path.isEmpty()) {
            return List.of();
        }
        if (!path.startsWith("/")) {
            throw ApiException.badRequest("invalid json pointer '" + path + "'");
        }
        List<String> out = new ArrayList<>();
        for (String token : path.substring(1).split("/", -1)) {
            out.add(token.replace("~1", "/").replace("~0", "~"));
        }
        return out;
    }

    private static JsonNode get(JsonNode doc, String path) {
        JsonNode n = doc;
        for (String token : pointer(path)) {
            n = child(n, token);
            if (n == null) {
                throw missing(path);
            }
        }
        return n;
    }

    private static JsonNode child(JsonNode n, String token) {
        if (n instanceof ObjectNode o) {
            return o.get(token);
        }
        if (n instanceof ArrayNode a) {
            int i = index(token, a.size() - 1);
            return a.get(i);
        }
        return null;
    }

    private static JsonNode add(JsonNode doc, String path, JsonNode value) {
        List<String> tokens = pointer(path);
        if (tokens.isEmpty()) {
            return value;
        }
        JsonNode parent = get(doc, parentOf(path));
        String last = tokens.get(tokens.size() - 1);
        if (parent instanceof ObjectNode o) {
            o.set(last, value);
        } else if (parent instanceof ArrayNode a) {
            if (last.equals("-")) {
                a.add(value);
            } else {
                a.insert(index(last, a.size()), value);
            }
        } else {
            throw missing(path);
        }
        return doc;
    }

    private static JsonNode remove(JsonNode doc, String path) {
        List<String> tokens = pointer(path);
        if (tokens.isEmpty()) {
            return Json.NODES.nullNode();
        }
        JsonNode parent = get(doc, parentOf(path));
        String last = tokens.get(tokens.size() - 1);
        if (parent instanceof ObjectNode o) {
            if (!o.has(last)) {
                throw missing(path);
            }
            o.remove(last);
        } else if (parent instanceof ArrayNode a) {
            a.remove(index(last, a.size() - 1));
        } else {
            throw missing(path);
        }
        return doc;
    }

    private static String parentOf(String path) {
        return path.substring(0, path.lastIndexOf('/'));
    }

    private static int index(String token, int max) {
        try {
            int i = Integer.parseInt(token);
            if (i < 0 || i > max) {
                throw ApiException.badRequest("json patch index out of range: " + token);
            }
            return i;
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("invalid json patch array index: " + token);
        }
    }

    private static ApiException missing(String path) {
        return new ApiException(422, "Invalid", "the server rejected our request due to an error in our request"
                + " (json patch path " + path + " does not exist)", null, null, null, List.of());
    }
}
