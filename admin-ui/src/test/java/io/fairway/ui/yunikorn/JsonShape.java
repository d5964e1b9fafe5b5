package io.fairway.ui.yunikorn;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Compares the shape of an answer with a documented example: the same field names, recursively, and the same JSON
 * types (object, array, string, number, boolean). An example array stands for its elements by all of them merged (the
 * union of their fields), and every element of the answer is held to it. Objects keyed by data rather than by schema
 * (resource maps, tags, labels, properties) are named in {@code maps}, by field name or {@code parent.name}; only their
 * value types are compared. A {@code null} in the example matches an object or null (Go's nil pointer).
 */
final class JsonShape {
    private final Set<String> maps;
    private final Set<String> extras;
    private final Set<String> optional;
    private final Set<String> differences = new TreeSet<>();

    /**
     * @param maps   data-keyed objects, by field name or {@code parent.name}
     * @param extras fields the answer may have beyond the example: fields of YuniKorn's dao structs that the
     *               documented example does not show
     */
    private JsonShape(Set<String> maps, Set<String> extras, Set<String> optional) {
        this.maps = maps;
        this.extras = extras;
        this.optional = optional;
    }

    /** Every difference, as {@code path: what}; empty when the shapes agree. */
    static Set<String> differences(JsonNode documented, JsonNode answer, Set<String> maps, Set<String> extras) {
        return differences(documented, answer, maps, extras, Set.of());
    }

    /**
     * @param optional documented fields the answer may leave out: those YuniKorn's structs mark {@code omitempty},
     *                 for an answer that, like YuniKorn's, leaves empty ones out
     */
    static Set<String> differences(JsonNode documented, JsonNode answer, Set<String> maps, Set<String> extras,
                                   Set<String> optional) {
        JsonShape s = new JsonShape(maps, extras, optional);
        s.walk("$", "", documented, answer);
        return s.differences;
    }

    private void walk(String path, String parent, JsonNode doc, JsonNode ours) {
        String name = path.substring(path.lastIndexOf('.') + 1).replace("[]", "");
        if (doc.isNull()) {
            if (!ours.isNull() && !ours.isObject()) {
                differences.add(path + ": documented null, answered " + type(ours));
            }
            return;
        }
        if (!type(doc).equals(type(ours))) {
            differences.add(path + ": documented " + type(doc) + ", answered " + type(ours));
            return;
        }
        if (doc.isArray()) {
            JsonNode element = merged((ArrayNode) doc);
            if (element != null) {
                for (JsonNode e : ours) {
                    walk(path + "[]", name, element, e);
                }
            }
        } else if (doc.isObject() && (maps.contains(name) || maps.contains(parent + "." + name))) {
            JsonNode value = doc.elements().hasNext() ? doc.elements().next() : null;
            for (Iterator<Map.Entry<String, JsonNode>> it = ours.fields(); value != null && it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!type(value).equals(type(e.getValue()))) {
                    differences.add(path + "." + e.getKey() + ": documented map of " + type(value) + ", answered "
                            + type(e.getValue()));
                }
            }
        } else if (doc.isObject()) {
            doc.fieldNames().forEachRemaining(f -> {
                if (!ours.has(f)) {
                    if (optional.contains(f)) {
                        return;
                    }
                    differences.add(path + "." + f + ": documented, missing from the answer");
                } else {
                    walk(path + "." + f, name, doc.get(f), ours.get(f));
                }
            });
            ours.fieldNames().forEachRemaining(f -> {
                if (!doc.has(f) && !extras.contains(f)) {
                    differences.add(path + "." + f + ": answered, neither documented nor a known dao field");
                }
            });
        }
    }

    /** The elements of an example array as one: every field any of them has, nested objects and arrays merged. */
    private static JsonNode merged(ArrayNode array) {
        JsonNode out = null;
        for (JsonNode e : array) {
            out = merge(out, e);
        }
        return out;
    }

    private static JsonNode merge(JsonNode a, JsonNode b) {
        if (a == null || a.isNull()) {
            return b;
        }
        if (b == null || b.isNull()) {
            return a;
        }
        if (a.isObject() && b.isObject()) {
            ObjectNode out = ((ObjectNode) a).deepCopy();
            b.fields().forEachRemaining(e -> out.set(e.getKey(), merge(out.get(e.getKey()), e.getValue())));
            return out;
        }
        if (a.isArray() && b.isArray()) {
            ArrayNode out = JsonNodeFactory.instance.arrayNode();
            out.addAll((ArrayNode) a);
            out.addAll((ArrayNode) b);
            return out;
        }
        return a;
    }

    private static String type(JsonNode n) {
        return switch (n.getNodeType()) {
            case OBJECT, POJO -> "object";
            case ARRAY -> "array";
            case STRING, BINARY -> "string";
            case NUMBER -> "number";
            case BOOLEAN -> "boolean";
            case NULL, MISSING -> "null";
        };
    }
}
