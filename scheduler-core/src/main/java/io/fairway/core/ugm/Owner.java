package io.fairway.core.ugm;

/**
 * Whose usage an app is: its user, and the one group it is tracked against (null when none of its user's groups,
 * nor {@code *}, has a limit on its queue's path).
 */
public record Owner(String appId, Subject user, Subject group) {
}
