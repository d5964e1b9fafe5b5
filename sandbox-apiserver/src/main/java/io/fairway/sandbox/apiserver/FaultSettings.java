package io.fairway.sandbox.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;

/**
 * The faults the API server injects, as {@code GET/PUT /chaos/faults} read and replace them (JSON with these field
 * names; a field left out of a PUT takes its default). They apply only to resource requests (never to
 * {@code /chaos/*}, health, version, discovery or OpenAPI) whose User-Agent starts with {@code agentPrefix}.
 *
 * @param errorShare        0..1: that share of matching requests is answered 500 or 503 (half each) with a Status body
 * @param throttleShare     0..1: that share of matching requests is answered 429 with {@code Retry-After}; the two
 *                          shares are of the same draw, so together they must not exceed 1
 * @param retryAfterSeconds the {@code Retry-After} of a throttled answer (default 1)
 * @param latencyMs         added before every matching request is served or refused (a timer: no event loop waits)
 * @param goneOnRewatch     every matching watch that resumes from a resourceVersion (other than "" and "0", which
 *                          ask for the current state) gets 410 Gone, as after a compaction, so its client relists
 * @param agentPrefix       faults apply to requests whose User-Agent starts with this (default {@code fairway/}, so
 *                          a harness's own clients are not disturbed); "" for all requests
 * @param seed              seeds the random draws; setting faults restarts the sequence, so a run repeats
 */
record FaultSettings(double errorShare, double throttleShare, int retryAfterSeconds, long latencyMs,
                     boolean goneOnRewatch, String agentPrefix, long seed) {

    static final String DEFAULT_AGENT_PREFIX = "fairway/";
    private static final List<String> FIELDS = List.of("errorShare", "throttleShare", "retryAfterSeconds", "latencyMs",
            "goneOnRewatch", "agentPrefix", "seed");
    /** What GET answers beside the settings; a PUT of what a GET answered is accepted, and this part ignored. */
    static final String COUNTS_FIELD = "injected";

    FaultSettings {
        share("errorShare", errorShare);
        share("throttleShare", throttleShare);
        if (errorShare + throttleShare > 1) {
            throw new IllegalArgumentException("errorShare + throttleShare must not exceed 1 (they share one draw), got "
                    + errorShare + " + " + throttleShare);
        }
        if (retryAfterSeconds < 0) {
            throw new IllegalArgumentException("retryAfterSeconds must be 0 or more, got " + retryAfterSeconds);
        }
        if (latencyMs < 0) {
            throw new IllegalArgumentException("latencyMs must be 0 or more, got " + latencyMs);
        }
        if (agentPrefix == null) {
            throw new IllegalArgumentException("agentPrefix must be a string (\"\" for every client), got null");
        }
    }

    private static void share(String field, double v) {
        if (!(v >= 0 && v <= 1)) {
            throw new IllegalArgumentException(field + " must be a number from 0 to 1, got " + v);
        }
    }

    /** No faults: what a server starts with. */
    static FaultSettings none() {
        return new FaultSettings(0, 0, 1, 0, false, DEFAULT_AGENT_PREFIX, 0);
    }

    /** Whether any fault is on (else requests skip the draw). */
    boolean active() {
        return errorShare > 0 || throttleShare > 0 || latencyMs > 0 || goneOnRewatch;
    }

    /** Reads a PUT body; an unknown field, a wrong type or a value out of range is an IllegalArgumentException naming it. */
    static FaultSettings fromJson(JsonNode body) {
        if (!(body instanceof ObjectNode o)) {
            throw new IllegalArgumentException("the fault settings must be a JSON object with the fields " + FIELDS);
        }
        FaultSettings d = none();
        for (Map.Entry<String, JsonNode> field : o.properties()) {
            String f = field.getKey();
            if (!FIELDS.contains(f) && !f.equals(COUNTS_FIELD)) {
                throw new IllegalArgumentException("unknown field \"" + f + "\": the fault settings are " + FIELDS);
            }
        }
        return new FaultSettings(
                number(o, "errorShare", d.errorShare()),
                number(o, "throttleShare", d.throttleShare()),
                (int) whole(o, "retryAfterSeconds", d.retryAfterSeconds(), Integer.MAX_VALUE),
                whole(o, "latencyMs", d.latencyMs(), Long.MAX_VALUE),
                bool(o, "goneOnRewatch", d.goneOnRewatch()),
                o.has("agentPrefix") ? text(o, "agentPrefix") : d.agentPrefix(),
                whole(o, "seed", d.seed(), Long.MAX_VALUE));
    }

    private static double number(ObjectNode o, String f, double dflt) {
        JsonNode v = o.get(f);
        if (v == null) {
            return dflt;
        }
        if (!v.isNumber()) {
            throw new IllegalArgumentException(f + " must be a number, got " + v);
        }
        return v.asDouble();
    }

    private static long whole(ObjectNode o, String f, long dflt, long max) {
        JsonNode v = o.get(f);
        if (v == null) {
            return dflt;
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() > max || v.asLong() < -max - 1) {
            throw new IllegalArgumentException(f + " must be a whole number up to " + max + ", got " + v);
        }
        return v.asLong();
    }

    private static boolean bool(ObjectNode o, String f, boolean dflt) {
        JsonNode v = o.get(f);
        if (v == null) {
            return dflt;
        }
        if (!v.isBoolean()) {
            throw new IllegalArgumentException(f + " must be true or false, got " + v);
        }
        return v.asBoolean();
    }

    private static String text(ObjectNode o, String f) {
        JsonNode v = o.get(f);
        if (!v.isTextual()) {
            throw new IllegalArgumentException(f + " must be a string (\"\" for every client), got " + v);
        }
        return v.asText();
    }

    ObjectNode toJson() {
        ObjectNode o = Json.object();
        o.put("errorShare", errorShare);
        o.put("throttleShare", throttleShare);
        o.put("retryAfterSeconds", retryAfterSeconds);
        o.put("latencyMs", latencyMs);
        o.put("goneOnRewatch", goneOnRewatch);
        o.put("agentPrefix", agentPrefix);
        o.put("seed", seed);
        return o;
    }
}
