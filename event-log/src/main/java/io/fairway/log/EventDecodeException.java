package io.fairway.log;

/**
 * A record in the log that cannot be read (garbled, an unknown type, a schema newer than this build). The reader
 * stops on it: skipping would make this replica's state differ from the others'.
 */
public final class EventDecodeException extends RuntimeException {
    private final String topic;
    private final int partition;
    private final long offset;

    public EventDecodeException(String topic, int partition, long offset, String problem, Throwable cause) {
        super("cannot decode the record at " + topic + "/" + partition + " offset " + offset + ": " + problem
                + "; the reader stops here (upgrade Fairway if a newer version wrote it, or inspect the record with "
                + "kafka-console-consumer)", cause);
        this.topic = topic;
        this.partition = partition;
        this.offset = offset;
    }

    public String topic() {
        return topic;
    }

    public int partition() {
        return partition;
    }

    public long offset() {
        return offset;
    }
}
