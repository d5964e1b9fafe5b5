package io.fairway.sandbox.apiserver;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/** An API error that becomes a {@code Status} object, worded like kube-apiserver's so clients parse it the same. */
final class ApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** One field error of an Invalid status: {@code details.causes[]}. */
    record Cause(String reason, String field, String message) {}

    final int code;
    final String reason;
    final String name;
    final String group;
    final String kind;
    final List<Cause> causes;

    ApiException(int code, String reason, String message, String name, String group, String kind, List<Cause> causes) {
        super(message, null, false, false);
        this.code = code;
        this.reason = reason;
        this.name = name;
        this.group = group;
        this.kind = kind;
        this.causes = causes;
    }

    static ApiException notFound(ResourceType t, String name) {
        return new ApiException(404, "NotFound", t.qualified() + " \"" + name + "\" not found", name, t.group(), t.plural(), List.of());
    }

    static ApiException notFound(String message) {
        return new ApiException(404, "NotFound", message, null, null, null, List.of());
    }

    static ApiException namespaceNotFound(String ns) {
        return new ApiException(404, "NotFound", "namespaces \"" + ns + "\" not found", ns, "", "namespaces", List.of());
    }

    static ApiException alreadyExists(ResourceType t, String name) {
        return new ApiException(409, "AlreadyExists", t.qualified() + " \"" + name + "\" already exists", name, t.group(), t.plural(), List.of());
    }

    static ApiException conflict(ResourceType t, String name, String why) {
        return new ApiException(409, "Conflict", "Operation cannot be fulfilled on " + t.qualified() + " \"" + name + "\": " + why,
                name, t.group(), t.plural(), List.of());
    }

    static ApiException conflict(String qualified, String name, String why) {
        return new ApiException(409, "Conflict", "Operation cannot be fulfilled on " + qualified + " \"" + name + "\": " + why,
                name, "", qualified, List.of());
    }

    static ApiException stale(ResourceType t, String name) {
        return conflict(t, name, "the object has been modified; please apply your changes to the latest version and try again");
    }

    static ApiException invalid(ResourceType t, String name, Cause... causes) {
        StringBuilder m = new StringBuilder(t.kind()).append(" \"").append(name).append("\" is invalid: ");
        for (int i = 0; i < causes.length; i++) {
            if (i > 0) {
                m.append(", ");
            }
            m.append(causes[i].field()).append(": ").append(causes[i].message());
        }
        if (causes.length > 1) {
            m.insert(m.indexOf(" is invalid: ") + " is invalid: ".length(), "[").append(']');
        }
        return new ApiException(422, "Invalid", m.toString(), name, t.group(), t.kind(), List.of(causes));
    }

    static ApiException badRequest(String message) {
        return new ApiException(400, "BadRequest", message, null, null, null, List.of());
    }

    static ApiException forbidden(ResourceType t, String name, String why) {
        return new ApiException(403, "Forbidden", t.qualified() + " \"" + name + "\" is forbidden: " + why, name, t.group(), t.plural(), List.of());
    }

    static ApiException methodNotAllowed(String message) {
        return new ApiException(405, "MethodNotAllowed", message, null, null, null, List.of());
    }

    static ApiException expired(String message) {
        return new ApiException(410, "Expired", message, null, null, null, List.of());
    }

    static ApiException unsupportedMediaType(String type) {
        return new ApiException(415, "UnsupportedMediaType", "the body of the request was in an unknown format - accepted media types include: "
                + "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json ("
                + type + ")", null, null, null, List.of());
    }

    /** A request body this server cannot read (protobuf): 415, naming what it reads. */
    static ApiException unsupportedBody(String type) {
        return new ApiException(415, "UnsupportedMediaType", "the body of the request was in an unknown format - "
                + "accepted media types include: application/json, application/yaml (this local API server does not "
                + "read " + type + "; send JSON, e.g. kubectl create -f FILE or kubectl apply)", null, null, null,
                List.of());
    }

    static ApiException notAcceptable(String message) {
        return new ApiException(406, "NotAcceptable", message, null, null, null, List.of());
    }

    ObjectNode status() {
        return status(code, reason, getMessage(), name, group, kind, causes);
    }

    static ObjectNode status(int code, String reason, String message, String name, String group, String kind, List<Cause> causes) {
        ObjectNode s = Json.object();
        s.put("kind", "Status");
        s.put("apiVersion", "v1");
        s.putObject("metadata");
        s.put("status", "Failure");
        s.put("message", message);
        s.put("reason", reason);
        if (name != null || kind != null || !causes.isEmpty()) {
            ObjectNode d = s.putObject("details");
            if (name != null) {
                d.put("name", name);
            }
            if (group != null && !group.isEmpty()) {
                d.put("group", group);
            }
            if (kind != null) {
                d.put("kind", kind);
            }
            if (!causes.isEmpty()) {
                ArrayNode a = d.putArray("causes");
                for (Cause c : causes) {
                    a.addObject().put("reason", c.reason()).put("message", c.message()).put("field", c.field());
                }
            }
        }
        s.put("code", code);
        return s;
    }

    static ObjectNode success(int code, String name, String group, String kind) {
        ObjectNode s = Json.object();
        s.put("kind", "Status");
        s.put("apiVersion", "v1");
        s.putObject("metadata");
        s.put("status", "Success");
        if (name != null) {
            ObjectNode d = s.putObject("details");
            d.put("name", name);
            if (group != null && !group.isEmpty()) {
                d.put("group", group);
            }
            d.put("kind", kind);
        }
        s.put("code", code);
        return s;
    }
}
