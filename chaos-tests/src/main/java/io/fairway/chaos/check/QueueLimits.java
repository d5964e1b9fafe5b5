package io.fairway.chaos.check;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The limits a YuniKorn {@code queues.yaml} sets, read as YuniKorn documents them: each queue's {@code resources.max}
 * and its {@code limits} ({@code users}/{@code groups} with {@code maxresources}), by full queue name. Only the first
 * partition counts, as Fairway schedules one.
 */
public record QueueLimits(Map<String, Amounts> max, Map<String, List<Limit>> limits) {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /** A {@code limits} entry: those it names ({@code *} for each) may together use at most {@code max}. */
    public record Limit(List<String> users, List<String> groups, Amounts max) {
    }

    public static QueueLimits none() {
        return new QueueLimits(Map.of(), Map.of());
    }

    /** Parses a config; null when it is not readable (the previous config then stays in force, as in Fairway). */
    public static QueueLimits parse(String yaml) {
        try {
            JsonNode root = YAML.readTree(yaml);
            Map<String, Amounts> max = new LinkedHashMap<>();
            Map<String, List<Limit>> limits = new LinkedHashMap<>();
            JsonNode partition = root.path("partitions").path(0);
            for (JsonNode q : partition.path("queues")) {
                walk(q, "", max, limits);
            }
            return new QueueLimits(max, limits);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static void walk(JsonNode q, String parent, Map<String, Amounts> max, Map<String, List<Limit>> limits) {
        String name = parent.isEmpty() ? q.path("name").asText() : parent + "." + q.path("name").asText();
        JsonNode m = q.path("resources").path("max");
        if (m.isObject() && m.size() > 0) {
            max.put(name, Amounts.of(m));
        }
        List<Limit> own = new ArrayList<>();
        for (JsonNode l : q.path("limits")) {
            JsonNode r = l.path("maxresources");
            if (r.isObject() && r.size() > 0) {
                own.add(new Limit(texts(l.path("users")), texts(l.path("groups")), Amounts.of(r)));
            }
        }
        if (!own.isEmpty()) {
            limits.put(name, own);
        }
        for (JsonNode c : q.path("queues")) {
            walk(c, name, max, limits);
        }
    }

    private static List<String> texts(JsonNode n) {
        List<String> out = new ArrayList<>();
        n.forEach(x -> out.add(x.asText()));
        return out;
    }

    /** {@code root.a.b} and its ancestors, nearest first. */
    public static List<String> chain(String queue) {
        List<String> out = new ArrayList<>();
        for (String q = queue; !q.isEmpty(); q = q.contains(".") ? q.substring(0, q.lastIndexOf('.')) : "") {
            out.add(q);
        }
        return out;
    }
}
