package io.fairway.core.placement;

import io.fairway.core.config.QueueConfig;

/** The queues placement may place into: the configured tree and the queues created dynamically so far. */
public interface QueueLookup {
    /** The config of the queue with this full name, or null when there is no such queue. */
    QueueConfig config(String fullName);
}
