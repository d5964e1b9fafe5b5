package io.fairway.log.kafka;

/** The Kafka event log could not do what was asked (broker unreachable, topic problem, a failed send); the message says which. */
public final class KafkaEventLogException extends RuntimeException {
    public KafkaEventLogException(String message, Throwable cause) {
        super(message, cause);
    }
}
