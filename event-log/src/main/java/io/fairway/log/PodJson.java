package io.fairway.log;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fairway.core.objects.NodeAffinity;
import io.fairway.core.objects.Pod;
import io.fairway.core.objects.PodPhase;
import io.fairway.core.resources.ResourceNames;
import io.fairway.core.resources.Resources;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A pod to and from JSON field by field, the replay's hot path: the same JSON as the codec's mapper writes and reads,
 * a few times faster than going through its bean (de)serializers.
 *
 * <p>Reading takes only the shape this class and the mapper write: every field present, of its usual JSON type, no
 * field unknown to it, and the rarely set ones (affinity terms, tolerations, scheduling hints) empty. Anything else
 * makes {@link #readPod} throw {@link NotTheUsualShape}, and the caller decodes the whole record the general way
 * instead, so that every record still decodes exactly as the mapper decodes it.
 */
public final class PodJson {
    /** The record is not of the shape the fast path reads; decode it the general way. Carries no stack trace. */
    public static final class NotTheUsualShape extends RuntimeException {
        private NotTheUsualShape() {
            super("not the usual shape", null, false, false);
        }
    }

    static final NotTheUsualShape NOT_USUAL = new NotTheUsualShape();

    private static final PodPhase[] PHASES = PodPhase.values();

    private PodJson() {
    }

    /** Writes {@code p} as the mapper does; {@code mapper} writes the rarely set nested values. */
    public static void writePod(JsonGenerator g, Pod p, ObjectMapper mapper) throws IOException {
        g.writeStartObject();
        g.writeStringField("uid", p.uid());
        g.writeStringField("namespace", p.namespace());
        g.writeStringField("name", p.name());
        g.writeStringField("appId", p.appId());
        g.writeStringField("queue", p.queue());
        g.writeStringField("user", p.user());
        g.writeFieldName("groups");
        g.writeStartArray();
        for (String s : p.groups()) {
            g.writeString(s);
        }
        g.writeEndArray();
        g.writeFieldName("requests");
        writeResources(g, p.requests());
        g.writeNumberField("priority", p.priority());
        g.writeFieldName("nodeSelector");
        writeStringMap(g, p.nodeSelector());
        g.writeFieldName("affinity");
        if (p.affinity().terms().isEmpty()) {
            g.writeStartObject();
            g.writeFieldName("terms");
            g.writeStartArray();
            g.writeEndArray();
            g.writeEndObject();
        } else {
            mapper.writeValue(g, p.affinity());
        }
        g.writeFieldName("tolerations");
        if (p.tolerations().isEmpty()) {
            g.writeStartArray();
            g.writeEndArray();
        } else {
            mapper.writerFor(mapper.getTypeFactory().constructCollectionType(List.class,
                    io.fairway.core.objects.Toleration.class)).writeValue(g, p.tolerations());
        }
        g.writeStringField("schedulerName", p.schedulerName());
        g.writeStringField("nodeName", p.nodeName());
        g.writeStringField("phase", p.phase().name());
        g.writeNumberField("creationTime", p.creationTime());
        g.writeStringField("resourceVersion", p.resourceVersion());
        if (!p.hints().isNone()) {
            g.writeFieldName("hints");
            mapper.writeValue(g, p.hints());
        }
        g.writeFieldName("labels");
        writeStringMap(g, p.labels());
        g.writeEndObject();
    }

    /** Resources by name, in name order, as the codec's serializer writes them. */
    static void writeResources(JsonGenerator g, Resources r) throws IOException {
        g.writeStartObject();
        int n = r.size();
        if (n > 0) {
            // by name, as toMap would order them, without building the map
            String[] names = new String[n];
            long[] values = new long[n];
            for (int i = 0; i < n; i++) {
                names[i] = ResourceNames.name(r.idAt(i));
                values[i] = r.valueAt(i);
            }
            for (int i = 1; i < n; i++) {
                for (int j = i; j > 0 && names[j - 1].compareTo(names[j]) > 0; j--) {
                    String s = names[j];
                    names[j] = names[j - 1];
                    names[j - 1] = s;
                    long v = values[j];
                    values[j] = values[j - 1];
                    values[j - 1] = v;
                }
            }
            for (int i = 0; i < n; i++) {
                g.writeNumberField(names[i], values[i]);
            }
        }
        g.writeEndObject();
    }

    private static void writeStringMap(JsonGenerator g, Map<String, String> m) throws IOException {
        g.writeStartObject();
        for (Map.Entry<String, String> e : m.entrySet()) {
            g.writeStringField(e.getKey(), e.getValue());
        }
        g.writeEndObject();
    }

    // ---------------------------------------------------------------- reading

    /**
     * Reads a pod whose START_OBJECT is the parser's current token, up to and including its END_OBJECT.
     *
     * @throws NotTheUsualShape the pod is not of the usual shape (see the class comment): decode the general way
     */
    public static Pod readPod(JsonParser p) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw NOT_USUAL;
        }
        String uid = null;
        String namespace = null;
        String name = null;
        String appId = null;
        String queue = null;
        String user = null;
        List<String> groups = null;
        Resources requests = null;
        int priority = 0;
        Map<String, String> nodeSelector = null;
        boolean affinity = false;
        boolean tolerations = false;
        String schedulerName = null;
        String nodeName = null;
        PodPhase phase = null;
        long creationTime = 0;
        String resourceVersion = null;
        Map<String, String> labels = null;
        int seen = 0;
        String field;
        while ((field = p.nextFieldName()) != null) {
            JsonToken t = p.nextToken();
            int bit;
            switch (field) {
                case "uid" -> {
                    uid = string(p, t);
                    bit = 1;
                }
                case "namespace" -> {
                    namespace = string(p, t);
                    bit = 1 << 1;
                }
                case "name" -> {
                    name = string(p, t);
                    bit = 1 << 2;
                }
                case "appId" -> {
                    appId = string(p, t);
                    bit = 1 << 3;
                }
                case "queue" -> {
                    queue = string(p, t);
                    bit = 1 << 4;
                }
                case "user" -> {
                    user = string(p, t);
                    bit = 1 << 5;
                }
                case "groups" -> {
                    groups = strings(p, t);
                    bit = 1 << 6;
                }
                case "requests" -> {
                    requests = resources(p, t);
                    bit = 1 << 7;
                }
                case "priority" -> {
                    if (t != JsonToken.VALUE_NUMBER_INT || p.getNumberType() != JsonParser.NumberType.INT) {
                        throw NOT_USUAL;
                    }
                    priority = p.getIntValue();
                    bit = 1 << 8;
                }
                case "nodeSelector" -> {
                    nodeSelector = stringMap(p, t);
                    bit = 1 << 9;
                }
                case "affinity" -> {
                    // only {"terms":[]}
                    if (t != JsonToken.START_OBJECT || !"terms".equals(p.nextFieldName())
                            || p.nextToken() != JsonToken.START_ARRAY || p.nextToken() != JsonToken.END_ARRAY
                            || p.nextToken() != JsonToken.END_OBJECT) {
                        throw NOT_USUAL;
                    }
                    affinity = true;
                    bit = 1 << 10;
                }
                case "tolerations" -> {
                    if (t != JsonToken.START_ARRAY || p.nextToken() != JsonToken.END_ARRAY) {
                        throw NOT_USUAL;
                    }
                    tolerations = true;
                    bit = 1 << 11;
                }
                case "schedulerName" -> {
                    schedulerName = string(p, t);
                    bit = 1 << 12;
                }
                case "nodeName" -> {
                    nodeName = string(p, t);
                    bit = 1 << 13;
                }
                case "phase" -> {
                    phase = phase(string(p, t));
                    bit = 1 << 14;
                }
                case "creationTime" -> {
                    creationTime = longValue(p, t);
                    bit = 1 << 15;
                }
                case "resourceVersion" -> {
                    resourceVersion = string(p, t);
                    bit = 1 << 16;
                }
                case "labels" -> {
                    labels = stringMap(p, t);
                    bit = 1 << 17;
                }
                default -> throw NOT_USUAL;
            }
            if ((seen & bit) != 0) {
                throw NOT_USUAL;
            }
            seen |= bit;
        }
        // labels may be missing (records written before pods carried them): the constructor takes null as none
        if ((seen | (1 << 17)) != (1 << 18) - 1 || !affinity || !tolerations) {
            throw NOT_USUAL;
        }
        return new Pod(uid, namespace, name, appId, queue, user, groups, requests, priority, nodeSelector,
                NodeAffinity.NONE, List.of(), schedulerName, nodeName, phase, creationTime, resourceVersion, null, labels);
    }

    static String string(JsonParser p, JsonToken t) throws IOException {
        if (t != JsonToken.VALUE_STRING) {
            throw NOT_USUAL;
        }
        return p.getText();
    }

    static long longValue(JsonParser p, JsonToken t) throws IOException {
        if (t != JsonToken.VALUE_NUMBER_INT || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
            throw NOT_USUAL;
        }
        return p.getLongValue();
    }

    private static PodPhase phase(String s) {
        for (PodPhase ph : PHASES) {
            if (ph.name().equals(s)) {
                return ph;
            }
        }
        throw NOT_USUAL;
    }

    private static List<String> strings(JsonParser p, JsonToken t) throws IOException {
        if (t != JsonToken.START_ARRAY) {
            throw NOT_USUAL;
        }
        JsonToken v = p.nextToken();
        if (v == JsonToken.END_ARRAY) {
            return List.of();
        }
        List<String> out = new ArrayList<>(4);
        for (; v != JsonToken.END_ARRAY; v = p.nextToken()) {
            out.add(string(p, v));
        }
        return out;
    }

    private static Map<String, String> stringMap(JsonParser p, JsonToken t) throws IOException {
        if (t != JsonToken.START_OBJECT) {
            throw NOT_USUAL;
        }
        String k = p.nextFieldName();
        if (k == null) {
            return Map.of();
        }
        Map<String, String> out = new TreeMap<>();
        for (; k != null; k = p.nextFieldName()) {
            if (out.put(k, string(p, p.nextToken())) != null) {
                throw NOT_USUAL;
            }
        }
        return out;
    }

    /** Resources of whole numbers by name; anything else (decimals, strings) is left to the general path. */
    static Resources resources(JsonParser p, JsonToken t) throws IOException {
        if (t != JsonToken.START_OBJECT) {
            throw NOT_USUAL;
        }
        Resources.Builder b = Resources.builder();
        String k;
        while ((k = p.nextFieldName()) != null) {
            b.set(k, longValue(p, p.nextToken()));
        }
        return b.build();
    }
}
