package io.fairway.sandbox.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/** events.k8s.io/v1 Event to and from core v1 Event, the stored form (field names as in k8s' conversion). */
final class EventConversion {
    private EventConversion() {}

    /** core v1 field → events.k8s.io/v1 field. */
    private static final Map<String, String> CORE_TO_V1 = Map.of(
            "involvedObject", "regarding",
            "message", "note",
            "source", "deprecatedSource",
            "firstTimestamp", "deprecatedFirstTimestamp",
            "lastTimestamp", "deprecatedLastTimestamp",
            "count", "deprecatedCount",
            "reportingComponent", "reportingController");

    static ObjectNode toV1(ObjectNode core) {
        return rename(core, CORE_TO_V1, ResourceTypes.EVENTS_V1);
    }

    static ObjectNode toCore(ObjectNode v1) {
        Map<String, String> reverse = new HashMap<>();
        CORE_TO_V1.forEach((k, v) -> reverse.put(v, k));
        return rename(v1, reverse, ResourceTypes.EVENTS);
    }

    private static ObjectNode rename(ObjectNode in, Map<String, String> names, ResourceType to) {
        ObjectNode out = Json.object();
        out.put("kind", "Event");
        out.put("apiVersion", to.apiVersion());
        for (Iterator<Map.Entry<String, JsonNode>> it = in.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equals("kind") || e.getKey().equals("apiVersion")) {
                continue;
            }
            out.set(names.getOrDefault(e.getKey(), e.getKey()), e.getValue());
        }
        return out;
    }
}
