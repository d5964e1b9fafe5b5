package io.fairway.core.ugm;

/**
 * Why an ask must wait for a user or group limit.
 *
 * @param key     stable while the same limit holds the ask back, so that the reason is reported once
 * @param message the limit, the queue, the user or group and the numbers
 */
public record LimitBreach(String key, String message) {
}
