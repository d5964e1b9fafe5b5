package io.fairway.sandbox.apiserver;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/** JSON helpers shared by the server: one mapper, timestamps in the API's format, object-tree accessors. */
final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper();
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private Json() {}

    static ObjectNode object() {
        return NODES.objectNode();
    }

    static byte[] bytes(JsonNode node) {
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Parses a request body as JSON, or as YAML when the content type says so; a non-object body is a 400. */
    static ObjectNode parseObject(byte[] body, boolean yaml) {
        JsonNode node = parse(body, yaml);
        if (!(node instanceof ObjectNode o)) {
            throw ApiException.badRequest("the request body must be a JSON object");
        }
        return o;
    }

    static JsonNode parse(byte[] body, boolean yaml) {
        if (body == null || body.length == 0) {
            throw ApiException.badRequest("the request body is empty");
        }
        try {
            JsonNode node = (yaml ? YAML : MAPPER).readTree(body);
            if (node == null || node.isMissingNode()) {
                throw ApiException.badRequest("the request body is empty");
            }
            return node;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw ApiException.badRequest("the request body could not be decoded: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw ApiException.badRequest("the request body could not be decoded: " + e.getMessage());
        }
    }

    /** Time in the API's RFC 3339 form with second precision, like metadata.creationTimestamp. */
    static String timestamp(Instant t) {
        return DateTimeFormatter.ISO_INSTANT.format(t.truncatedTo(ChronoUnit.SECONDS));
    }

    private record Second(long epochSecond, String text) {}

    private static volatile Second lastSecond = new Second(Long.MIN_VALUE, "");

    /** Now, formatted once per second (creates and status writes ask for it all the time). */
    static String now() {
        long s = System.currentTimeMillis() / 1000;
        Second last = lastSecond;
        if (last.epochSecond() != s) {
            last = new Second(s, timestamp(Instant.ofEpochSecond(s)));
            lastSecond = last;
        }
        return last.text();
    }

    /** A random (version 4) UUID without SecureRandom's contention: uids need uniqueness, not secrecy. */
    static String uid() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        long msb = (r.nextLong() & 0xffffffffffff0fffL) | 0x0000000000004000L;
        long lsb = (r.nextLong() & 0x3fffffffffffffffL) | 0x8000000000000000L;
        return new UUID(msb, lsb).toString();
    }

    /** The child object {@code field} of {@code parent}, created when missing or not an object. */
    static ObjectNode child(ObjectNode parent, String field) {
        JsonNode n = parent.get(field);
        if (n instanceof ObjectNode o) {
            return o;
        }
        return parent.putObject(field);
    }

    static ObjectNode metadata(ObjectNode obj) {
        return child(obj, "metadata");
    }

    /** Text at a path of field names, or null when any step is missing or the leaf is not a scalar. */
    static String text(JsonNode node, String... path) {
        JsonNode n = node;
        for (String p : path) {
            if (n == null) {
                return null;
            }
            n = n.get(p);
        }
        if (n == null || n.isNull() || n.isContainerNode()) {
            return null;
        }
        return n.asText();
    }

    static JsonNode at(JsonNode node, String... path) {
        JsonNode n = node;
        for (String p : path) {
            if (n == null) {
                return null;
            }
            n = n.get(p);
        }
        return n;
    }

    static boolean isBlank(String s) {
        return s == null || s.isEmpty();
    }
}
