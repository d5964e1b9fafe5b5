package io.fairway.chaos.check;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * One record of the event log as its JSON envelope has it ({@code {"type":…,"time":…,"epoch":…,"data":{…}}}), read
 * without Fairway's codec or event classes, so that the checker judges the log as an outsider would.
 *
 * @param epoch the leader epoch of a decision or {@code LeaderElected}, -1 for an observation
 */
public record LogRecord(long offset, String type, long time, long epoch, JsonNode data) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public static LogRecord parse(long offset, byte[] value) {
        try {
            JsonNode n = JSON.readTree(value == null ? new byte[0] : value);
            if (n == null || n.isMissingNode()) {
                return new LogRecord(offset, "?", 0, -1, JSON.createObjectNode());
            }
            return new LogRecord(offset, n.path("type").asText("?"), n.path("time").asLong(),
                    n.has("epoch") ? n.path("epoch").asLong() : -1, n.path("data"));
        } catch (IOException e) {
            return new LogRecord(offset, "unreadable: " + new String(value, StandardCharsets.UTF_8), 0, -1,
                    JSON.createObjectNode());
        }
    }

    public String text(String field) {
        return data.path(field).asText("");
    }
}
