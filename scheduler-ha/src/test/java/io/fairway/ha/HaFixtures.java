package io.fairway.ha;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fairway.log.EventLog;
import io.fairway.log.LoggedEvent;
import io.fairway.testsupport.k8s.ReplicaFixtures;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** What the replica tests build over and over: namespaces, ready nodes, Fairway's pods, the whole log. */
final class HaFixtures {
    private HaFixtures() {
    }

    static Pod pod(String name) {
        return ReplicaFixtures.pod(name);
    }

    static void namespaces(KubernetesClient client, String... names) {
        ReplicaFixtures.namespaces(client, names);
    }

    static void node(KubernetesClient client, String name, String cpu, String memory) {
        ReplicaFixtures.node(client, name, cpu, memory);
    }

    /** Every committed event of the log, from the start to its end now. */
    static List<LoggedEvent> all(EventLog log) {
        List<LoggedEvent> out = new ArrayList<>();
        long end = log.endOffset();
        try (EventLog.Reader r = log.reader(0)) {
            while (r.position() < end) {
                out.addAll(r.poll(Duration.ofMillis(200)));
            }
        }
        return out;
    }
}
