package io.fairway.chaos.check;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the checker needs of a pod, read from the pod object as YuniKorn's documentation describes its labels and
 * annotations (application, queue, user, task groups), independently of Fairway's own reading of them.
 *
 * @param queue      the pod's queue label, "" when it has none (then its application's first pod's)
 * @param taskGroup  the pod's {@code yunikorn.apache.org/task-group-name}, "" for a pod outside a gang
 * @param minMembers the gang's members per task group from {@code yunikorn.apache.org/task-groups}, empty when none
 * @param minResources each task group's {@code minResource}: the room one member's reservation holds
 */
public record PodFacts(String uid, String key, String app, String queue, String user, List<String> groups,
                       String taskGroup, Map<String, Integer> minMembers, Map<String, Amounts> minResources,
                       Amounts requests, JsonNode object) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public static PodFacts of(JsonNode pod) {
        JsonNode meta = pod.path("metadata");
        JsonNode labels = meta.path("labels");
        JsonNode ann = meta.path("annotations");
        String app = first(labels, ann, "yunikorn.apache.org/app-id", "applicationId", "spark-app-selector");
        String queue = first(labels, ann, "yunikorn.apache.org/queue", "queue");
        String user = "";
        List<String> groups = new ArrayList<>();
        String info = ann.path("yunikorn.apache.org/user.info").asText("");
        if (!info.isEmpty()) {
            try {
                JsonNode u = JSON.readTree(info);
                user = u.path("user").asText("");
                u.path("groups").forEach(g -> groups.add(g.asText()));
            } catch (IOException e) {
                // an unreadable user.info: the pod counts as nobody's
            }
        }
        Map<String, Integer> members = new LinkedHashMap<>();
        Map<String, Amounts> memberSizes = new LinkedHashMap<>();
        String tg = ann.path("yunikorn.apache.org/task-groups").asText("");
        if (!tg.isEmpty()) {
            try {
                for (JsonNode g : JSON.readTree(tg)) {
                    members.put(g.path("name").asText(), g.path("minMember").asInt());
                    memberSizes.put(g.path("name").asText(), Amounts.of(g.path("minResource")));
                }
            } catch (IOException e) {
                // unreadable task groups: not a gang (YuniKorn schedules such an app normally)
            }
        }
        String ns = meta.path("namespace").asText("");
        return new PodFacts(meta.path("uid").asText(""), ns + "/" + meta.path("name").asText(""),
                app.isEmpty() ? ns + "/" + meta.path("name").asText("") : app, queue, user, List.copyOf(groups),
                first(labels, ann, "yunikorn.apache.org/task-group-name"), Map.copyOf(members), Map.copyOf(memberSizes),
                Amounts.podRequests(pod), pod);
    }

    private static String first(JsonNode labels, JsonNode annotations, String... keys) {
        for (String k : keys) {
            if (labels.hasNonNull(k)) {
                return labels.get(k).asText();
            }
            if (annotations.hasNonNull(k)) {
                return annotations.get(k).asText();
            }
        }
        return "";
    }

    public boolean isGangMember() {
        return !taskGroup.isEmpty() && !minMembers.isEmpty();
    }

    public int gangSize() {
        return minMembers.values().stream().mapToInt(Integer::intValue).sum();
    }
}
