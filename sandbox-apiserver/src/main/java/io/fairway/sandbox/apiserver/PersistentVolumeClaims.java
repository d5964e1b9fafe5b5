package io.fairway.sandbox.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Set;

/**
 * What kube-apiserver does to a PersistentVolumeClaim: the access modes and the storage request are required,
 * {@code volumeMode} defaults to Filesystem, a new claim is Pending, and its spec is immutable after creation but
 * for {@code resources.requests} (expansion), {@code volumeAttributesClassName} and the {@code volumeName} the binder sets.
 * No volume is provisioned or bound: the claim stays Pending unless a client writes its status.
 */
final class PersistentVolumeClaims {
    private PersistentVolumeClaims() {}

    static void create(ResourceType t, String name, ObjectNode pvc) {
        ObjectNode spec = Json.child(pvc, "spec");
        validate(t, name, spec);
        if (!spec.has("volumeMode")) {
            spec.put("volumeMode", "Filesystem");
        }
        ObjectNode status = Json.object();
        status.put("phase", "Pending");
        pvc.set("status", status);
    }

    static void update(ResourceType t, String name, ObjectNode old, ObjectNode next) {
        ObjectNode spec = Json.child(next, "spec");
        validate(t, name, spec);
        if (!spec.has("volumeMode")) {
            spec.put("volumeMode", "Filesystem");
        }
        ObjectNode a = old.path("spec") instanceof ObjectNode o ? o.deepCopy() : Json.object();
        ObjectNode b = spec.deepCopy();
        for (ObjectNode s : List.of(a, b)) {
            if (s.get("resources") instanceof ObjectNode r) {
                r.remove("requests");
            }
            s.remove("volumeAttributesClassName");
        }
        if (Json.isBlank(Json.text(a, "volumeName"))) {
            a.remove("volumeName");
            b.remove("volumeName");
        }
        if (!a.equals(b)) {
            throw ApiException.invalid(t, name, new ApiException.Cause("FieldValueForbidden", "spec",
                    "Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName "
                            + "for bound claims (delete and re-create the claim to change the rest)"));
        }
    }

    private static void validate(ResourceType t, String name, ObjectNode spec) {
        JsonNode modes = spec.get("accessModes");
        if (modes == null || !modes.isArray() || modes.isEmpty()) {
            throw ApiException.invalid(t, name, new ApiException.Cause("FieldValueRequired", "spec.accessModes",
                    "Required value: at least 1 access mode is required"));
        }
        for (int i = 0; i < modes.size(); i++) {
            String m = modes.get(i).asText();
            if (!Set.of("ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod").contains(m)) {
                throw ApiException.invalid(t, name, new ApiException.Cause("FieldValueNotSupported", "spec.accessModes",
                        "Unsupported value: \"" + m + "\": supported values: \"ReadOnlyMany\", \"ReadWriteMany\", "
                                + "\"ReadWriteOnce\", \"ReadWriteOncePod\""));
            }
        }
        if (Json.isBlank(Json.text(spec, "resources", "requests", "storage"))) {
            throw ApiException.invalid(t, name, new ApiException.Cause("FieldValueRequired", "spec.resources[storage]",
                    "Required value"));
        }
    }
}
