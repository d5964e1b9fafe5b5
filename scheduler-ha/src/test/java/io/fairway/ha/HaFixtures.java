package io.fairway.ha;

import io.fairway.log.EventLog;
import io.fairway.log.LoggedEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The whole log, as the replica tests read it (pods, namespaces and nodes: {@code ReplicaFixtures}). */
final class HaFixtures {
    private HaFixtures() {
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
