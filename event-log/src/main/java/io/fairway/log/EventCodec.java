package io.fairway.log;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.module.blackbird.BlackbirdModule;
import io.fairway.core.events.Decision;
import io.fairway.core.events.Event;
import io.fairway.core.events.LeaderElected;
import io.fairway.core.objects.SchedulingHints;
import io.fairway.core.resources.Resources;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Events to and from the bytes of the log: JSON, so that people and {@code kafka-console-consumer} can read it.
 *
 * <p>Every record is an envelope {@code {"v":1,"type":"Allocated","time":…,"source":"LEADER","epoch":3,"data":{…}}}
 * where {@code data} holds the event's fields. Compatibility: a new field is ignored by an older reader and takes its
 * default in a newer one reading an old record; renaming or removing a field needs a new {@link #SCHEMA_VERSION} and
 * an upcaster here. A record of an unknown type or of a newer version is never guessed at: decoding fails.
 */
public final class EventCodec {
    /** The version this build writes and the newest it reads. */
    public static final int SCHEMA_VERSION = 1;

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            // Only record components are data: helpers such as Pod.isBound() must not leak into the log.
            .visibility(PropertyAccessor.IS_GETTER, JsonAutoDetect.Visibility.NONE)
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
            .configure(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES, false)
            // Most pods have no gang, topology or FPGA hints: they are left out rather than written on every pod event.
            .withConfigOverride(SchedulingHints.class, o -> o.setIncludeAsProperty(JsonInclude.Value.construct(
                    JsonInclude.Include.CUSTOM, JsonInclude.Include.USE_DEFAULTS, NoHints.class, null)))
            .addModule(new BlackbirdModule())
            .addModule(new SimpleModule("fairway-resources")
                    .addSerializer(Resources.class, new ResourcesSerializer())
                    .addDeserializer(Resources.class, new ResourcesDeserializer()))
            .build();

    private static final Map<String, Class<? extends Event>> TYPES = eventTypes();
    /**
     * A reader per type, so that decoding does not look the type's deserializer up for every record; each made at its
     * type's first record, as building them all costs a short command such as explain a tenth of a second.
     */
    private static final Map<String, ObjectReader> READERS = new ConcurrentHashMap<>();
    /** The reader of the usual records, one per decoding thread (it keeps the strings it saw last). */
    private static final ThreadLocal<UsualRecords> USUAL = ThreadLocal.withInitial(UsualRecords::new);

    private EventCodec() {
    }

    public static byte[] encode(Event event) {
        // Written field by field rather than through a tree: this is on the leader's and the watcher's hot path.
        ByteArrayBuilder buffer = new ByteArrayBuilder(512);
        try (JsonGenerator g = MAPPER.getFactory().createGenerator(buffer)) {
            g.writeStartObject();
            g.writeNumberField("v", SCHEMA_VERSION);
            g.writeStringField("type", event.type());
            g.writeNumberField("time", event.time());
            g.writeStringField("source", event.source().name());
            long epoch = switch (event) {
                case Decision d -> d.epoch();
                case LeaderElected l -> l.epoch();
                default -> -1;
            };
            if (epoch >= 0) {
                g.writeNumberField("epoch", epoch);
            }
            g.writeFieldName("data");
            MAPPER.writeValue(g, event);
            g.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode " + event.type() + ": " + e.getMessage(), e);
        }
        return buffer.toByteArray();
    }

    /** Decodes one record; the position is only for the error message. */
    public static Event decode(byte[] bytes, String topic, int partition, long offset) {
        if (bytes == null) {
            throw new EventDecodeException(topic, partition, offset, "the record has no value", null);
        }
        // The events a replay is mostly made of, in the shape this codec writes them, are read straight from the
        // bytes; anything else, or anything wrong, is left to the general path, which decodes it or says what is
        // wrong with it.
        try {
            Event e = USUAL.get().decode(bytes, 0, bytes.length);
            if (e != null) {
                return e;
            }
        } catch (RuntimeException e) {
            // the general path below
        }
        return decodeGeneral(bytes, topic, partition, offset);
    }

    /** Every record the way the mapper reads it: streamed into the record, or through a tree for older shapes. */
    static Event decodeGeneral(byte[] bytes, String topic, int partition, long offset) {
        // Streamed: the envelope's fields come before "data" as this codec writes them, so the event is read
        // straight into its record. Anything else (older versions, fields in another order) takes the tree path.
        try (JsonParser p = MAPPER.createParser(bytes)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new EventDecodeException(topic, partition, offset, "not an event envelope (a JSON object)", null);
            }
            int version = -1;
            String type = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "v" -> version = value == JsonToken.VALUE_NUMBER_INT ? p.getIntValue() : -1;
                    case "type" -> type = p.getValueAsString();
                    case "data" -> {
                        if (version != SCHEMA_VERSION || type == null || value != JsonToken.START_OBJECT) {
                            return decodeTree(bytes, topic, partition, offset);
                        }
                        ObjectReader reader = reader(type);
                        if (reader == null) {
                            throw new EventDecodeException(topic, partition, offset, "unknown event type '" + type + "'", null);
                        }
                        try {
                            return reader.readValue(p);
                        } catch (JsonParseException e) {
                            throw e;
                        } catch (IOException | IllegalArgumentException | NullPointerException e) {
                            throw new EventDecodeException(topic, partition, offset, "bad " + type + ": " + e.getMessage(), e);
                        }
                    }
                    default -> p.skipChildren();
                }
            }
            return decodeTree(bytes, topic, partition, offset);
        } catch (JsonParseException e) {
            throw new EventDecodeException(topic, partition, offset, "not JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new EventDecodeException(topic, partition, offset, "not JSON: " + e.getMessage(), e);
        }
    }

    /** The general path: the whole envelope as a tree, checked field by field, upcast, then mapped. */
    private static Event decodeTree(byte[] bytes, String topic, int partition, long offset) {
        JsonNode envelope;
        try {
            envelope = MAPPER.readTree(bytes);
        } catch (IOException e) {
            throw new EventDecodeException(topic, partition, offset, "not JSON: " + e.getMessage(), e);
        }
        if (envelope == null || !envelope.isObject()) {
            throw new EventDecodeException(topic, partition, offset, "not an event envelope (a JSON object)", null);
        }
        int version = envelope.path("v").asInt(-1);
        if (version < 1) {
            throw new EventDecodeException(topic, partition, offset, "no schema version (field v)", null);
        }
        if (version > SCHEMA_VERSION) {
            throw new EventDecodeException(topic, partition, offset, "schema version " + version
                    + " is newer than this build reads (" + SCHEMA_VERSION + ")", null);
        }
        String type = envelope.path("type").asText("");
        Class<? extends Event> cls = TYPES.get(type);
        if (cls == null) {
            throw new EventDecodeException(topic, partition, offset, "unknown event type '" + type + "'", null);
        }
        JsonNode data = envelope.get("data");
        if (data == null || !data.isObject()) {
            throw new EventDecodeException(topic, partition, offset, type + " has no data object", null);
        }
        try {
            return MAPPER.treeToValue(upcast(version, type, (ObjectNode) data), cls);
        } catch (IOException | IllegalArgumentException | NullPointerException e) {
            throw new EventDecodeException(topic, partition, offset, "bad " + type + ": " + e.getMessage(), e);
        }
    }

    /** Where a record of an older schema version is brought up to the current one. Version 1 is the first. */
    private static ObjectNode upcast(int version, String type, ObjectNode data) {
        return data;
    }

    /** Every concrete event record, by its type name, from the sealed hierarchy itself. */
    private static Map<String, Class<? extends Event>> eventTypes() {
        Map<String, Class<? extends Event>> out = new HashMap<>();
        Deque<Class<?>> todo = new ArrayDeque<>();
        todo.add(Event.class);
        while (!todo.isEmpty()) {
            Class<?> c = todo.pop();
            if (c.isRecord()) {
                out.put(c.getSimpleName(), c.asSubclass(Event.class));
            } else if (c.isSealed()) {
                for (Class<?> sub : c.getPermittedSubclasses()) {
                    todo.add(sub);
                }
            }
        }
        return Map.copyOf(out);
    }

    /** The reader of a known type, null for an unknown one. */
    private static ObjectReader reader(String type) {
        ObjectReader r = READERS.get(type);
        if (r == null) {
            Class<? extends Event> cls = TYPES.get(type);
            if (cls == null) {
                return null;
            }
            r = READERS.computeIfAbsent(type, t -> MAPPER.readerFor(cls));
        }
        return r;
    }

    /** A copy of the codec's JSON mapper (records, resources by name), for other stores of core records. */
    public static ObjectMapper mapper() {
        return MAPPER.copy();
    }

    /** The names of every event type the codec knows. */
    public static Set<String> typeNames() {
        return TYPES.keySet();
    }

    /** Jackson's custom inclusion filter: a value "equal" to this is left out. */
    @SuppressWarnings({"EqualsHashCode", "checkstyle:EqualsHashCode"})
    static final class NoHints {
        @Override
        public boolean equals(Object o) {
            return o == null || (o instanceof SchedulingHints h && h.isNone());
        }

        @Override
        public int hashCode() {
            return 0;
        }
    }

    /** Resources are written by name (ids are local to a JVM): {@code {"cpu":1000,"memory":1073741824}}. */
    private static final class ResourcesSerializer extends JsonSerializer<Resources> {
        @Override
        public void serialize(Resources r, JsonGenerator g, SerializerProvider p) throws IOException {
            g.writeStartObject();
            for (Map.Entry<String, Long> e : r.toMap().entrySet()) {
                g.writeNumberField(e.getKey(), e.getValue());
            }
            g.writeEndObject();
        }
    }

    /** Streamed, not through a tree: every pod event carries its requests, so this is on the replay's hot path. */
    private static final class ResourcesDeserializer extends JsonDeserializer<Resources> {
        @Override
        public Resources deserialize(JsonParser parser, DeserializationContext ctx) throws IOException {
            if (!parser.isExpectedStartObjectToken()) {
                throw new IllegalArgumentException("resources must be an object of name to integer, found "
                        + parser.currentToken() + " " + parser.getText());
            }
            Resources.Builder b = Resources.builder();
            String name;
            while ((name = parser.nextFieldName()) != null) {
                JsonToken value = parser.nextToken();
                if (value != JsonToken.VALUE_NUMBER_INT && !(value == JsonToken.VALUE_NUMBER_FLOAT
                        && parser.getDecimalValue().stripTrailingZeros().scale() <= 0)) {
                    throw new IllegalArgumentException("resource " + name + " is not an integer: " + parser.getText());
                }
                b.set(name, parser.getValueAsLong());
            }
            return b.build();
        }
    }
}
