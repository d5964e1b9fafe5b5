package io.fairway.sandbox.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * One committed version of an object. Immutable: kept as its serialised JSON (served as is, fanned out as is)
 * plus what selectors, garbage collection and deletion look at; the object tree is re-parsed when an update
 * needs it, so tens of thousands of objects and a long watch history stay small in memory.
 */
final class Stored {
    final ResourceType type;
    final String namespace;
    final String name;
    final String uid;
    final long rv;
    final byte[] json;
    final JsonNode labels;
    private final String[] fields;
    final List<String> owners;
    final boolean hasFinalizers;
    final boolean deleting;

    private Stored(ResourceType type, String namespace, String name, String uid, long rv, byte[] json, JsonNode labels,
                   String[] fields, List<String> owners, boolean hasFinalizers, boolean deleting) {
        this.type = type;
        this.namespace = namespace;
        this.name = name;
        this.uid = uid;
        this.rv = rv;
        this.json = json;
        this.labels = labels;
        this.fields = fields;
        this.owners = owners;
        this.hasFinalizers = hasFinalizers;
        this.deleting = deleting;
    }

    /** Commits {@code tree} at {@code rv}: writes the resourceVersion into it and serialises it once. */
    static Stored of(ResourceType type, ObjectNode tree, long rv) {
        ObjectNode meta = Json.metadata(tree);
        meta.put("resourceVersion", Long.toString(rv));
        byte[] json = Json.bytes(tree);
        JsonNode labels = meta.get("labels");
        List<String> labelsOfType = type.fieldList();
        String[] fields = new String[labelsOfType.size()];
        for (int i = 0; i < fields.length; i++) {
            fields[i] = Selectors.fieldValue(tree, type, labelsOfType.get(i));
        }
        List<String> owners = List.of();
        JsonNode refs = meta.get("ownerReferences");
        if (refs != null && refs.isArray() && !refs.isEmpty()) {
            owners = new ArrayList<>(refs.size());
            for (JsonNode r : refs) {
                String u = Json.text(r, "uid");
                if (u != null) {
                    owners.add(u);
                }
            }
        }
        JsonNode fin = meta.get("finalizers");
        return new Stored(type, type.namespaced() ? Json.text(meta, "namespace") : "", Json.text(meta, "name"),
                Json.text(meta, "uid"), rv, json, labels == null ? null : labels.deepCopy(), fields, owners,
                fin != null && fin.isArray() && !fin.isEmpty(), meta.hasNonNull("deletionTimestamp"));
    }

    /** A fresh, mutable copy of the object. */
    ObjectNode tree() {
        try {
            return (ObjectNode) Json.MAPPER.readTree(json);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    String key() {
        return namespace + "/" + name;
    }

    String field(String f) {
        List<String> names = type.fieldList();
        for (int i = 0; i < fields.length; i++) {
            if (names.get(i).equals(f)) {
                return fields[i];
            }
        }
        return switch (f) {
            case "metadata.name" -> name;
            case "metadata.namespace" -> namespace;
            default -> "";
        };
    }
}
