package io.fairway.ui;

import java.util.List;

/** One page of a long list, with the total so that a client knows how far to go. */
public record Page<T>(int total, int offset, int limit, List<T> items) {
}
