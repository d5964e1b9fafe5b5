package io.fairway.sandbox.apiserver;

import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.BeanDeserializerBase;
import com.fasterxml.jackson.databind.deser.DefaultDeserializationContext;
import com.fasterxml.jackson.databind.deser.SettableBeanProperty;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code ?fieldValidation=Ignore|Warn|Strict} on create, update and patch, as kube-apiserver (1.27+) does: a field the
 * kind's schema does not have is dropped (Ignore), dropped with a {@code Warning: 299 - "unknown field \"spec.foo\""}
 * header (Warn, the default when the parameter is absent), or refused with 400 BadRequest
 * {@code strict decoding error: unknown field "spec.foo"} (Strict). The schemas are fabric8's model classes of the
 * kinds this server stores, read through Jackson's own view of them (the property names it would bind).
 * Duplicate fields in a body are not detected (the last one wins, as with Ignore).
 */
final class FieldValidation {
    enum Mode { IGNORE, WARN, STRICT }

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final DeserializationContext CONTEXT =
            ((DefaultDeserializationContext) MAPPER.getDeserializationContext()).createDummyInstance(MAPPER.getDeserializationConfig());

    private static final Map<ResourceType, Class<?>> SCHEMAS = Map.ofEntries(
            Map.entry(ResourceTypes.NAMESPACES, io.fabric8.kubernetes.api.model.Namespace.class),
            Map.entry(ResourceTypes.PODS, io.fabric8.kubernetes.api.model.Pod.class),
            Map.entry(ResourceTypes.NODES, io.fabric8.kubernetes.api.model.Node.class),
            Map.entry(ResourceTypes.CONFIGMAPS, io.fabric8.kubernetes.api.model.ConfigMap.class),
            Map.entry(ResourceTypes.SECRETS, io.fabric8.kubernetes.api.model.Secret.class),
            Map.entry(ResourceTypes.EVENTS, io.fabric8.kubernetes.api.model.Event.class),
            Map.entry(ResourceTypes.SERVICES, io.fabric8.kubernetes.api.model.Service.class),
            Map.entry(ResourceTypes.SERVICE_ACCOUNTS, io.fabric8.kubernetes.api.model.ServiceAccount.class),
            Map.entry(ResourceTypes.PERSISTENT_VOLUME_CLAIMS, io.fabric8.kubernetes.api.model.PersistentVolumeClaim.class),
            Map.entry(ResourceTypes.LEASES, io.fabric8.kubernetes.api.model.coordination.v1.Lease.class),
            Map.entry(ResourceTypes.PRIORITY_CLASSES, io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClass.class),
            Map.entry(ResourceTypes.EVENTS_V1, io.fabric8.kubernetes.api.model.events.v1.Event.class));

    /** The properties of each model class Jackson binds as a bean; a class absent from the map is a leaf. */
    private static final Map<JavaType, Map<String, JavaType>> BEANS = new ConcurrentHashMap<>();
    private static final Map<String, JavaType> LEAF = Map.of();

    private FieldValidation() {}

    /** The mode a request asks for; absent means Warn, as kube-apiserver since 1.27 (ServerSideFieldValidation GA). */
    static Mode mode(String param) {
        if (param == null || param.isEmpty()) {
            return Mode.WARN;
        }
        return switch (param) {
            case "Ignore" -> Mode.IGNORE;
            case "Warn" -> Mode.WARN;
            case "Strict" -> Mode.STRICT;
            default -> throw ApiException.badRequest("fieldValidation: Unsupported value: \"" + param
                    + "\": supported values: \"Ignore\", \"Strict\", \"Warn\"");
        };
    }

    /**
     * Checks {@code obj} (in the view's form: events.k8s.io/v1 events as such) against the kind's schema: in Strict
     * mode an unknown field is a 400; otherwise the unknown fields are removed from {@code obj} and, in Warn mode,
     * added to {@code warnings} as kube-apiserver words them.
     */
    static void check(ResourceType view, ObjectNode obj, Mode mode, Set<String> warnings) {
        Class<?> schema = SCHEMAS.get(view);
        if (schema == null) {
            return;
        }
        List<String> unknown = new ArrayList<>();
        walk(obj, MAPPER.constructType(schema), "", unknown, mode != Mode.STRICT);
        if (unknown.isEmpty()) {
            return;
        }
        if (mode == Mode.STRICT) {
            StringBuilder m = new StringBuilder(view.kind()).append(" in version \"").append(view.version())
                    .append("\" cannot be handled as a ").append(view.kind()).append(": strict decoding error: ");
            for (int i = 0; i < unknown.size(); i++) {
                m.append(i == 0 ? "" : ", ").append("unknown field \"").append(unknown.get(i)).append('"');
            }
            m.append(" (").append(view.apiVersion()).append(' ').append(view.kind())
                    .append(" has no such field: remove it, or send fieldValidation=Warn or Ignore to have it dropped)");
            throw ApiException.badRequest(m.toString());
        }
        if (mode == Mode.WARN) {
            for (String u : unknown) {
                warnings.add("unknown field \"" + u + "\"");
            }
        }
    }

    /** {@code Warning} header values: {@code 299 - "text"}, the text quoted as Go's strconv.Quote would. */
    static String header(String warning) {
        return "299 - \"" + warning.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static void walk(JsonNode node, JavaType type, String path, List<String> unknown, boolean remove) {
        if (node == null || node.isNull()) {
            return;
        }
        if (type.isCollectionLikeType() || type.isArrayType()) {
            if (node instanceof ArrayNode a) {
                for (int i = 0; i < a.size(); i++) {
                    walk(a.get(i), type.getContentType(), path + "[" + i + "]", unknown, remove);
                }
            }
            return;
        }
        if (type.isMapLikeType()) {
            if (node instanceof ObjectNode o) {
                for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    walk(e.getValue(), type.getContentType(), path + "[" + e.getKey() + "]", unknown, remove);
                }
            }
            return;
        }
        if (!(node instanceof ObjectNode o)) {
            return;
        }
        Map<String, JavaType> properties = properties(type);
        if (properties == LEAF) {
            return;
        }
        List<String> drop = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String p = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
            JavaType t = properties.get(e.getKey());
            if (t == null) {
                unknown.add(p);
                drop.add(e.getKey());
            } else {
                walk(e.getValue(), t, p, unknown, remove);
            }
        }
        if (remove) {
            o.remove(drop);
        }
    }

    private static Map<String, JavaType> properties(JavaType type) {
        Class<?> raw = type.getRawClass();
        if (!raw.getName().startsWith("io.fabric8.")) {
            return LEAF;
        }
        return BEANS.computeIfAbsent(type, t -> {
            try {
                JsonDeserializer<Object> d = CONTEXT.findRootValueDeserializer(t);
                if (!(d instanceof BeanDeserializerBase bean)) {
                    return LEAF; // Quantity, IntOrString, MicroTime...: a deserializer of their own, any shape
                }
                Map<String, JavaType> props = new HashMap<>();
                for (Iterator<SettableBeanProperty> it = bean.properties(); it.hasNext(); ) {
                    SettableBeanProperty p = it.next();
                    props.put(p.getName(), p.getType());
                }
                return props.isEmpty() ? LEAF : Map.copyOf(props);
            } catch (JsonMappingException e) {
                return LEAF;
            }
        });
    }

    /** Convenience for callers: a fresh, ordered set of warnings. */
    static Set<String> warnings() {
        return new LinkedHashSet<>();
    }
}
