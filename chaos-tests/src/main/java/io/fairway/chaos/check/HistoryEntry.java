package io.fairway.chaos.check;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * One mutating request the API server answered, as its history file ({@code --history}) has it: when, what, who sent
 * it (the User-Agent, which names the replica and, for a leader's bindings, its epoch) and the answer.
 *
 * @param seq     its line in the file, to order requests answered in the same millisecond
 * @param object  the resulting object for creates of pods and nodes and writes of config maps, else null
 */
public record HistoryEntry(long seq, long t, String verb, String resource, String sub, String ns, String name,
                           String agent, int code, boolean injected, String uid, String node, boolean removed,
                           String phase, JsonNode object) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public boolean accepted() {
        return code >= 200 && code < 300;
    }

    public boolean isBinding() {
        return resource.equals("pods") && sub.equals("binding") && verb.equals("create");
    }

    public boolean isPodCreate() {
        return resource.equals("pods") && sub.isEmpty() && verb.equals("create") && accepted();
    }

    /** The epoch a leader's User-Agent names ({@code fairway/replica-0 epoch/3}), 0 when it names none. */
    public long epoch() {
        int at = agent.indexOf(" epoch/");
        if (at < 0) {
            return 0;
        }
        try {
            return Long.parseLong(agent.substring(at + 7).trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** The sender without its epoch: {@code fairway/replica-0}. */
    public String sender() {
        int at = agent.indexOf(" epoch/");
        return at < 0 ? agent : agent.substring(0, at);
    }

    public String podKey() {
        return ns + "/" + name;
    }

    /** Reads a history file in answer order; a torn last line (the server killed mid-write) is skipped. */
    public static List<HistoryEntry> read(Path file) {
        List<HistoryEntry> out = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(file)) {
            long seq = 0;
            for (String line; (line = r.readLine()) != null; ) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode n;
                try {
                    n = JSON.readTree(line);
                } catch (IOException e) {
                    continue;
                }
                out.add(of(seq++, n));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the API server's history " + file + ": " + e.getMessage(), e);
        }
        out.sort(Comparator.comparingLong(HistoryEntry::t).thenComparingLong(HistoryEntry::seq));
        return out;
    }

    static HistoryEntry of(long seq, JsonNode n) {
        JsonNode object = n.get("object");
        return new HistoryEntry(seq, n.path("t").asLong(), n.path("verb").asText(), n.path("resource").asText(),
                n.path("sub").asText(""), n.path("ns").asText(""), n.path("name").asText(""), n.path("agent").asText(""),
                n.path("code").asInt(), n.path("injected").asBoolean(false), n.path("uid").asText(""),
                n.path("node").asText(""), n.path("removed").asBoolean(false), n.path("phase").asText(""),
                object == null || object.isNull() ? null : object);
    }
}
