package io.fairway.chaos.check;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * What the checker reads: the API server's history, the log as raw records, the pods and nodes at the end, the times
 * the harness kept replicas from acting, and when the last fault ended.
 *
 * @param graceMillis      how long after a newer leader's election a deposed leader's binding may still arrive when
 *                         nothing held it (the lease check and the send are not one atomic step)
 * @param configNamespace  where the queue ConfigMap lives
 * @param configName       the queue ConfigMap's name
 */
public record CheckInput(List<HistoryEntry> history, List<LogRecord> log, List<JsonNode> finalPods,
                         List<JsonNode> finalNodes, List<Window> held, long graceMillis, String configNamespace,
                         String configName) {
    public CheckInput {
        history = List.copyOf(history);
        log = List.copyOf(log);
        finalPods = List.copyOf(finalPods);
        finalNodes = List.copyOf(finalNodes);
        held = List.copyOf(held);
    }
}
