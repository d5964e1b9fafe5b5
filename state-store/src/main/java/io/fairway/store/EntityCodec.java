package io.fairway.store;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import io.fairway.core.objects.Node;
import io.fairway.core.state.ConfigChange;
import io.fairway.core.state.LeaderTerm;
import io.fairway.core.state.StateSnapshot;
import io.fairway.log.EventCodec;
import io.fairway.log.PodJson;
import io.fairway.log.PodStory;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Rows of the store to and from bytes. Values are JSON written by the event codec's mapper, so that a pod in the store
 * reads like a pod in the log (resources by name, never by the JVM-local id) and {@code ldb} dumps are legible.
 * Keys are the entity's name in UTF-8, except pod tombstones, which are keyed by a sequence number to keep their order.
 */
final class EntityCodec {
    /** The queue config as the state holds it; {@code history} is null in rows written before it was kept. */
    record ConfigRow(String text, String version, String seenVersion, long appliedAt,
                     List<ConfigChange> history) {
    }

    /** {@code terms} is null in rows written before terms were kept. */
    record LeaderRow(long epoch, String replica, List<LeaderTerm> terms) {
    }

    /** {@code decisions} reads 0 in rows written before it was counted. */
    record CountersRow(long applied, long ignored, long fpgaReprograms, long preemptions, long decisions) {
    }

    static final String CONFIG = "config";
    static final String LEADER = "leader";
    static final String COUNTERS = "counters";
    static final String PRIORITY_CLASSES = "priorityClasses";
    /** Deleted nodes, one row: they are few and can return, so the list is rewritten when it changes. */
    static final String NODE_TOMBSTONES = "nodeTombstones";
    /** Deleted pods, one row each under this prefix and a sequence number (see {@link PodTombstones}). */
    static final String POD_TOMBSTONES = "podTombstone/";

    private static final ObjectMapper MAPPER = EventCodec.mapper();

    private final ObjectWriter nodeWriter = MAPPER.writerFor(Node.class);
    private final ObjectReader nodeReader = MAPPER.readerFor(Node.class);
    private final ObjectWriter podWriter = MAPPER.writerFor(StateSnapshot.PodEntry.class);
    private final ObjectReader podReader = MAPPER.readerFor(StateSnapshot.PodEntry.class);
    private final ObjectWriter appWriter = MAPPER.writerFor(StateSnapshot.AppEntry.class);
    private final ObjectReader appReader = MAPPER.readerFor(StateSnapshot.AppEntry.class);
    private final ObjectWriter tombstoneWriter = MAPPER.writerFor(StateSnapshot.Tombstone.class);
    private final ObjectReader tombstoneReader = MAPPER.readerFor(StateSnapshot.Tombstone.class);
    private final ObjectWriter tombstoneListWriter = MAPPER.writerFor(
            new TypeReference<List<StateSnapshot.Tombstone>>() { });
    private final ObjectReader tombstoneListReader = MAPPER.readerFor(
            new TypeReference<List<StateSnapshot.Tombstone>>() { });
    private final ObjectWriter storyWriter = MAPPER.writerFor(PodStory.Saved.class);
    private final ObjectReader storyReader = MAPPER.readerFor(PodStory.Saved.class);
    private final ObjectReader priorityReader = MAPPER.readerFor(new TypeReference<TreeMap<String, Integer>>() { });

    static byte[] key(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String string(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    /** A tombstone's key: its kind's prefix and a big-endian sequence number, so that key order is insertion order. */
    static byte[] tombstoneKey(String prefix, long seq) {
        byte[] p = key(prefix);
        return ByteBuffer.allocate(p.length + Long.BYTES).put(p).putLong(seq).array();
    }

    static long tombstoneSeq(String prefix, byte[] key) {
        return ByteBuffer.wrap(key, prefix.length(), Long.BYTES).getLong();
    }

    static byte[] longValue(long v) {
        return key(Long.toString(v));
    }

    byte[] node(Node n) {
        return write(nodeWriter, n);
    }

    Node node(byte[] b) {
        return read(nodeReader, b);
    }

    byte[] pod(StateSnapshot.PodEntry p) {
        // field by field, the same JSON as podWriter writes: a replay writes a pod row for most events
        ByteArrayBuilder out = new ByteArrayBuilder(512);
        try (JsonGenerator g = MAPPER.getFactory().createGenerator(out)) {
            g.writeStartObject();
            g.writeFieldName("pod");
            PodJson.writePod(g, p.pod(), MAPPER);
            g.writeStringField("role", p.role() == null ? null : p.role().name());
            g.writeStringField("node", p.node());
            g.writeBooleanField("bound", p.bound());
            g.writeNumberField("allocationEpoch", p.allocationEpoch());
            g.writeStringField("waitKey", p.waitKey());
            g.writeStringField("waitMessage", p.waitMessage());
            g.writeNumberField("waitingSince", p.waitingSince());
            g.writeFieldName("preemption");
            if (p.preemption() == null) {
                g.writeNull();
            } else {
                MAPPER.writeValue(g, p.preemption());
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException("cannot write a pod row as JSON: " + e.getMessage(), e);
        }
        return out.toByteArray();
    }

    /** The pod row as the mapper writes it: what {@link #pod(StateSnapshot.PodEntry)} must equal (tests). */
    byte[] podByMapper(StateSnapshot.PodEntry p) {
        return write(podWriter, p);
    }

    StateSnapshot.PodEntry pod(byte[] b) {
        return read(podReader, b);
    }

    byte[] app(StateSnapshot.AppEntry a) {
        return write(appWriter, a);
    }

    StateSnapshot.AppEntry app(byte[] b) {
        return read(appReader, b);
    }

    byte[] tombstone(StateSnapshot.Tombstone t) {
        return write(tombstoneWriter, t);
    }

    StateSnapshot.Tombstone tombstone(byte[] b) {
        return read(tombstoneReader, b);
    }

    byte[] tombstones(List<StateSnapshot.Tombstone> t) {
        return write(tombstoneListWriter, t);
    }

    List<StateSnapshot.Tombstone> tombstones(byte[] b) {
        return read(tombstoneListReader, b);
    }

    byte[] story(PodStory.Saved s) {
        // field by field, the same JSON as storyWriter writes: a replay writes the story of every pod at least once
        ByteArrayBuilder out = new ByteArrayBuilder(1024);
        try (JsonGenerator g = MAPPER.getFactory().createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("uid", s.uid());
            g.writeStringField("key", s.key());
            g.writeStringField("node", s.node());
            g.writeStringField("phase", s.phase());
            g.writeStringField("waitingFor", s.waitingFor());
            g.writeNumberField("waitingSince", s.waitingSince());
            g.writeBooleanField("deleted", s.deleted());
            g.writeNumberField("dropped", s.dropped());
            g.writeFieldName("entries");
            if (s.entries() == null) {
                g.writeNull();
            } else {
                g.writeStartArray();
                for (PodStory.Entry e : s.entries()) {
                    g.writeStartObject();
                    g.writeNumberField("offset", e.offset());
                    g.writeNumberField("time", e.time());
                    g.writeStringField("what", e.what());
                    g.writeEndObject();
                }
                g.writeEndArray();
            }
            g.writeStringField("appId", s.appId());
            g.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException("cannot write a story row as JSON: " + e.getMessage(), e);
        }
        return out.toByteArray();
    }

    /** The story row as the mapper writes it: what {@link #story(PodStory.Saved)} must equal (tests). */
    byte[] storyByMapper(PodStory.Saved s) {
        return write(storyWriter, s);
    }

    PodStory.Saved story(byte[] b) {
        return read(storyReader, b);
    }

    byte[] priorityClasses(Map<String, Integer> m) {
        return write(MAPPER.writer(), new TreeMap<>(m));
    }

    TreeMap<String, Integer> priorityClasses(byte[] b) {
        return read(priorityReader, b);
    }

    byte[] row(Object record) {
        return write(MAPPER.writer(), record);
    }

    <T> T row(byte[] b, Class<T> type) {
        return read(MAPPER.readerFor(type), b);
    }

    private static byte[] write(ObjectWriter w, Object value) {
        try {
            return w.writeValueAsBytes(value);
        } catch (IOException e) {
            // Only a bug can get here: every row is a record of strings, numbers and resources.
            throw new IllegalStateException("cannot write " + value.getClass().getSimpleName() + " as JSON: "
                    + e.getMessage(), e);
        }
    }

    private static <T> T read(ObjectReader r, byte[] b) {
        try {
            T value = r.readValue(b);
            if (value == null) {
                throw new IllegalArgumentException("the row is JSON null");
            }
            return value;
        } catch (IOException | RuntimeException e) {
            // The caller names the row; what is wrong with it is in the message.
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }
}
