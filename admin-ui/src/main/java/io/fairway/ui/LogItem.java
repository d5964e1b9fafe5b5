package io.fairway.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fairway.core.events.AdminAction;
import io.fairway.core.events.Allocated;
import io.fairway.core.events.Event;
import io.fairway.core.events.GangReleased;
import io.fairway.core.events.GangReserved;
import io.fairway.core.events.LeaderElected;
import io.fairway.core.events.NodeGone;
import io.fairway.core.events.NodeObserved;
import io.fairway.core.events.PodGone;
import io.fairway.core.events.PodObserved;
import io.fairway.core.events.PreemptionRequested;
import io.fairway.core.events.PriorityClassGone;
import io.fairway.core.events.PriorityClassObserved;
import io.fairway.core.events.QueueConfigObserved;
import io.fairway.core.events.Released;
import io.fairway.core.events.Unschedulable;
import io.fairway.log.EventCodec;

/**
 * One event of the log as the console lists it: its place, a one-line summary, and the whole event.
 *
 * @param result {@code applied}, the reason the state ignored it, or empty when it was read from the log and not
 *               applied by this server (older than the tail)
 */
public record LogItem(long offset, String type, long time, String source, String summary, String result, JsonNode event) {
    private static final ObjectMapper MAPPER = EventCodec.mapper();

    static LogItem of(EventTail.Entry e) {
        return of(e.logged().offset(), e.logged().event(), e.applied() ? "applied" : e.reason());
    }

    static LogItem of(long offset, Event event, String result) {
        return new LogItem(offset, event.type(), event.time(), event.source().name(), summary(event), result,
                MAPPER.valueToTree(event));
    }

    static String summary(Event event) {
        return switch (event) {
            case PodObserved e -> "pod " + e.pod().key() + " " + e.pod().phase()
                    + (e.pod().nodeName().isEmpty() ? "" : " on " + e.pod().nodeName());
            case PodGone e -> "pod " + e.uid() + " deleted";
            case NodeObserved e -> "node " + e.node().name() + (e.node().ready() ? " ready" : " not ready")
                    + (e.node().unschedulable() ? ", cordoned" : "");
            case NodeGone e -> "node " + e.name() + " deleted";
            case QueueConfigObserved e -> "queue config version " + e.resourceVersion();
            case PriorityClassObserved e -> "priority class " + e.name() + " = " + e.value();
            case PriorityClassGone e -> "priority class " + e.name() + " deleted";
            case AdminAction e -> e.user() + " (" + e.role() + ") " + e.action() + " " + e.target();
            case LeaderElected e -> e.replica() + " leads with epoch " + e.epoch();
            case Allocated e -> "pod " + e.podUid() + " to node " + e.nodeName() + " in " + e.queue();
            case Released e -> "pod " + e.podUid() + " released from " + e.nodeName() + ": " + e.reason();
            case Unschedulable e -> "pod " + e.podUid() + " waits: " + e.message();
            case GangReserved e -> "gang " + e.appId() + " reserved " + e.slots().size() + " slot(s)";
            case GangReleased e -> "gang " + e.appId() + " released (" + e.next() + ")";
            case PreemptionRequested e -> e.kind() + " preemption of " + e.victims().size() + " pod(s)"
                    + (e.nodeName().isEmpty() ? "" : " on " + e.nodeName()) + ": " + e.reason();
        };
    }
}
