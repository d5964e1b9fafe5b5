package io.fairway.log;

import io.fairway.core.events.Event;

/** An event as read from the log, with its position. */
public record LoggedEvent(long offset, Event event) {
}
