package io.fairway.log;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fairway.core.objects.Pod;
import io.fairway.core.resources.ResourceNames;
import io.fairway.core.resources.Resources;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * A pod written as JSON field by field, on the hot paths of the log and the store: the same JSON as the codec's
 * mapper writes, a few times faster than its bean serializers. {@link UsualRecords} reads it back.
 */
public final class PodJson {
    /** A record not of the shape {@link UsualRecords} reads: decode it the general way. Carries no stack trace. */
    public static final class NotTheUsualShape extends RuntimeException {
        private NotTheUsualShape() {
            super("not the usual shape", null, false, false);
        }
    }

    static final NotTheUsualShape NOT_USUAL = new NotTheUsualShape();

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
}
