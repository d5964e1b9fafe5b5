package io.fairway.chaos.check;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The end of a run: every pod created is bound, deleted, or waiting with a reason the scheduler gave; and a waiting
 * pod that fits a node (room, taints, node selector) and its queue's max, with the room gangs hold reserved set
 * aside, is a pod the scheduler lost track of.
 */
final class FinalState {
    private FinalState() {
    }

    static void check(CheckInput in, Map<String, PodFacts> created, Map<String, String> appQueue, QueueLimits config,
                      LogTimeline log, List<Violation> violations, CheckResult.Counts counts) {
        Map<String, JsonNode> live = new HashMap<>();
        for (JsonNode p : in.finalPods()) {
            live.put(p.path("metadata").path("uid").asText(), p);
        }
        Map<String, Amounts> free = new HashMap<>();
        Map<String, JsonNode> nodes = new HashMap<>();
        for (JsonNode n : in.finalNodes()) {
            String name = n.path("metadata").path("name").asText();
            nodes.put(name, n);
            JsonNode status = n.path("status");
            free.put(name, Amounts.of(status.has("allocatable") ? status.path("allocatable") : status.path("capacity")));
        }
        Map<String, Amounts> queueUse = new HashMap<>();
        Map<String, Map<String, Integer>> boundMembers = new HashMap<>();
        for (JsonNode p : live.values()) {
            String node = p.path("spec").path("nodeName").asText("");
            String phase = p.path("status").path("phase").asText("");
            if (node.isEmpty() || phase.equals("Succeeded") || phase.equals("Failed")) {
                continue;
            }
            PodFacts f = PodFacts.of(p);
            if (free.containsKey(node)) {
                free.get(node).subtract(f.requests());
            }
            String q = f.queue().isEmpty() ? appQueue.getOrDefault(f.app(), "") : f.queue();
            for (String a : QueueLimits.chain(q)) {
                queueUse.computeIfAbsent(a, k -> Amounts.none()).add(f.requests());
            }
            if (f.isGangMember()) {
                boundMembers.computeIfAbsent(f.app() + "|" + f.taskGroup(), k -> new HashMap<>()).merge(node, 1,
                        Integer::sum);
            }
        }
        setAsideReservations(created, log, boundMembers, free);
        for (PodFacts p : created.values()) {
            JsonNode now = live.get(p.uid());
            if (now == null) {
                counts.podsDeleted++;
                continue;
            }
            if (!now.path("spec").path("nodeName").asText("").isEmpty()) {
                counts.podsBound++;
                continue;
            }
            if (now.path("metadata").hasNonNull("deletionTimestamp")) {
                counts.podsDeleted++;
                continue;
            }
            String reason = waitingReason(now);
            if (reason.isEmpty()) {
                counts.podsLost++;
                violations.add(new Violation("nothing-lost", "pod " + p.key() + " is neither bound nor deleted and "
                        + "the scheduler gave no reason why it waits", Map.of("pod", p.key(), "uid", p.uid())));
                continue;
            }
            counts.podsWaiting++;
            if (p.isGangMember()) {
                continue;
            }
            String q = p.queue().isEmpty() ? appQueue.getOrDefault(p.app(), "") : p.queue();
            if (!queueHasRoom(q, p.requests(), queueUse, config)) {
                continue;
            }
            for (Map.Entry<String, Amounts> n : free.entrySet()) {
                if (p.requests().notFitting(n.getValue()) == null && admits(nodes.get(n.getKey()), now)) {
                    violations.add(new Violation("nothing-lost", "pod " + p.key() + " waits (" + reason + ") but fits "
                            + "node " + n.getKey() + " (free " + n.getValue() + ", asks " + p.requests()
                            + ") and queue " + q, Map.of("pod", p.key(), "node", n.getKey(), "queue", q)));
                    break;
                }
            }
        }
    }

    /** Room a gang's reservation still holds for members not bound yet: no other pod may count on it. */
    private static void setAsideReservations(Map<String, PodFacts> created, LogTimeline log,
                                             Map<String, Map<String, Integer>> boundMembers,
                                             Map<String, Amounts> free) {
        Set<String> done = new HashSet<>();
        for (PodFacts p : created.values()) {
            if (!p.isGangMember() || !done.add(p.app())) {
                continue;
            }
            List<LogRecord> reservations = log.gangReservations.getOrDefault(p.app(), List.of());
            if (reservations.isEmpty() || log.gangReleasedBy(p.app(), Long.MAX_VALUE)) {
                continue;
            }
            LogRecord last = reservations.get(reservations.size() - 1);
            Map<String, Integer> slots = new HashMap<>();
            last.data().path("slots").forEach(s -> slots.merge(s.path("group").asText() + "|"
                    + s.path("node").asText(), 1, Integer::sum));
            slots.forEach((groupNode, n) -> {
                String group = groupNode.substring(0, groupNode.indexOf('|'));
                String node = groupNode.substring(groupNode.indexOf('|') + 1);
                int bound = boundMembers.getOrDefault(p.app() + "|" + group, Map.of()).getOrDefault(node, 0);
                Amounts size = p.minResources().get(group);
                for (int i = bound; i < n && size != null && free.containsKey(node); i++) {
                    free.get(node).subtract(size);
                }
            });
        }
    }

    private static boolean queueHasRoom(String queue, Amounts ask, Map<String, Amounts> use, QueueLimits config) {
        for (String q : QueueLimits.chain(queue)) {
            Amounts max = config.max().get(q);
            if (max != null && use.getOrDefault(q, Amounts.none()).copy().add(ask).exceeding(max) != null) {
                return false;
            }
        }
        return true;
    }

    /** The node is Ready, unschedulable is off, its NoSchedule taints are tolerated and its labels match. */
    private static boolean admits(JsonNode node, JsonNode pod) {
        if (node == null || node.path("spec").path("unschedulable").asBoolean(false)) {
            return false;
        }
        boolean ready = false;
        for (JsonNode c : node.path("status").path("conditions")) {
            if (c.path("type").asText().equals("Ready")) {
                ready = c.path("status").asText().equals("True");
            }
        }
        if (!ready) {
            return false;
        }
        for (JsonNode t : node.path("spec").path("taints")) {
            String effect = t.path("effect").asText();
            if ((effect.equals("NoSchedule") || effect.equals("NoExecute")) && !tolerated(t, pod)) {
                return false;
            }
        }
        JsonNode selector = pod.path("spec").path("nodeSelector");
        for (var it = selector.fields(); it.hasNext(); ) {
            var e = it.next();
            if (!e.getValue().asText().equals(node.path("metadata").path("labels").path(e.getKey()).asText(null))) {
                return false;
            }
        }
        // required affinity is not judged here: such a pod counts as fitting nowhere rather than guessed at
        return !pod.path("spec").path("affinity").path("nodeAffinity")
                .has("requiredDuringSchedulingIgnoredDuringExecution");
    }

    private static boolean tolerated(JsonNode taint, JsonNode pod) {
        for (JsonNode t : pod.path("spec").path("tolerations")) {
            boolean key = t.path("key").asText("").isEmpty() || t.path("key").asText().equals(taint.path("key").asText());
            boolean value = t.path("operator").asText("Equal").equals("Exists")
                    || t.path("value").asText("").equals(taint.path("value").asText(""));
            boolean effect = t.path("effect").asText("").isEmpty()
                    || t.path("effect").asText().equals(taint.path("effect").asText());
            if (key && value && effect) {
                return true;
            }
        }
        return false;
    }

    /** The PodScheduled=False condition's reason and message the scheduler wrote, "" when there is none. */
    private static String waitingReason(JsonNode pod) {
        for (JsonNode c : pod.path("status").path("conditions")) {
            if (c.path("type").asText().equals("PodScheduled") && c.path("status").asText().equals("False")) {
                String r = c.path("reason").asText("") + ": " + c.path("message").asText("");
                return r.equals(": ") ? "" : r;
            }
        }
        return "";
    }
}
