package io.fairway.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.spi.FilterReply;
import java.util.List;

/**
 * Demotes to DEBUG a few library warnings known to be harmless where {@code fairway} meets them, so that what stays at
 * WARN is worth an operator's look: such a line is shown only when its logger is at DEBUG or finer (e.g. with
 * {@code FAIRWAY_LOG_LEVEL=DEBUG}). Each entry is a logger and a piece of the message; the rest of that logger's
 * warnings still show, e.g. Kafka's NetworkClient still says when a broker cannot be reached.
 */
public final class KnownWarnings extends Filter<ILoggingEvent> {
    /**
     * A warning known to be harmless.
     *
     * @param why what it means, for whoever reads this list
     */
    record Known(String logger, String text, String why) {
    }

    static final List<Known> KNOWN = List.of(
            new Known("org.apache.kafka.controller.QuorumController", "Performing controller activation",
                    "the embedded broker's first start: a fresh KRaft log gets its bootstrap records"),
            new Known("org.apache.kafka.clients.NetworkClient", "Attempting to close NetworkClient that has already been "
                    + "closed", "the embedded broker's own shutdown closes its controller channel twice"),
            new Known("org.apache.kafka.clients.producer.internals.Sender", "Error: CONCURRENT_TRANSACTIONS",
                    "a new leader's first transaction while the coordinator still completes the abort of the deposed "
                            + "leader's; the producer retries it and it succeeds"),
            new Known("io.fabric8.kubernetes.client.jdkhttp.JdkWebSocketImpl", "Queued close did not succeed",
                    "a watch whose server went away (fairway chaos restarts the API server): the watch is re-made"),
            new Known("io.fabric8.kubernetes.client.jdkhttp.JdkWebSocketImpl", "Aborting WebSocket",
                    "the same: the close frame could not be sent on a connection already gone"));

    @Override
    public FilterReply decide(ILoggingEvent event) {
        if (event.getLevel() != Level.WARN || !known(event.getLoggerName(), event.getFormattedMessage())) {
            return FilterReply.NEUTRAL;
        }
        LoggerContext context = (LoggerContext) getContext();
        return context.getLogger(event.getLoggerName()).getEffectiveLevel().isGreaterOrEqual(Level.INFO)
                ? FilterReply.DENY : FilterReply.NEUTRAL;
    }

    static boolean known(String logger, String message) {
        if (message == null) {
            return false;
        }
        for (Known k : KNOWN) {
            if (k.logger().equals(logger) && message.contains(k.text())) {
                return true;
            }
        }
        return false;
    }
}
