package io.fairway.log;

/**
 * A read from an offset the log no longer holds: retention (or a deletion of records) removed it. Events were lost
 * to this reader, so it never skips ahead on its own; the caller decides (rebuild from a newer snapshot, or stop).
 */
public final class LogTruncatedException extends RuntimeException {
    private final long offset;
    private final long startOffset;

    /** @param startOffset the log's first offset now, or -1 when the log did not say */
    public LogTruncatedException(String where, long offset, long startOffset) {
        this(where, offset, startOffset, null);
    }

    public LogTruncatedException(String where, long offset, long startOffset, Throwable cause) {
        super("offset " + offset + " of " + where + " was deleted" + (startOffset >= 0 ? " (the log now starts at "
                + startOffset + ")" : "") + ", by retention or a deletion of records: the events before the log's start"
                + " are gone. Rebuild from a state store or snapshot newer than the start (a copy of a caught-up"
                + " replica's data directory), or keep the topic's retention unlimited (retention.ms=-1)", cause);
        this.offset = offset;
        this.startOffset = startOffset;
    }

    public long offset() {
        return offset;
    }

    /** The log's first offset when the read failed, or -1 when unknown. */
    public long startOffset() {
        return startOffset;
    }
}
