package io.fairway.ui.yunikorn;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * YuniKorn's error body ({@code dao.YAPIError}). {@code message} is YuniKorn's own text where it has one ("Partition
 * not found", ...) so that scripts matching on it keep working; {@code description} is Fairway's: the thing, the bad
 * value and what to do.
 */
record YuniKornError(@JsonProperty("status_code") int statusCode, String message, String description) {
}
