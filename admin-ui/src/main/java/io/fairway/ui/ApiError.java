package io.fairway.ui;

/** The body of every error answer. */
public record ApiError(String error) {
}
