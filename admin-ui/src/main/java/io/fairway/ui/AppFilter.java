package io.fairway.ui;

import io.fairway.core.state.AppState;
import io.fairway.core.state.QueueTree;
import java.util.Arrays;
import java.util.Locale;

/**
 * Which apps a list shows. Every part is optional; an empty one matches all.
 *
 * @param queue a queue's full name (with or without {@code root.}): apps in it or below it
 * @param state an app state, any case
 * @param user  the app's user, exactly
 * @param text  a piece of the app id, any case
 */
record AppFilter(String queue, AppState.Status state, String user, String text) {

    static AppFilter parse(String queue, String state, String user, String text) {
        return new AppFilter(QueueTree.normalize(queue), status(state), user == null ? "" : user,
                text == null ? "" : text.toLowerCase(Locale.ROOT));
    }

    private static AppState.Status status(String s) {
        if (s == null || s.isBlank()) {
            return null;
        }
        try {
            return AppState.Status.valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("state must be one of " + Arrays.toString(AppState.Status.values())
                    + ", got '" + s + "'");
        }
    }

    boolean matches(AppState a) {
        return matches(a.queue(), a.status().name(), a.user(), a.appId());
    }

    /** The same over a published copy (whose state may also be DELETED: a kept app deleted while it ran). */
    boolean matches(AppView a) {
        return matches(a.queue(), a.state(), a.user(), a.id());
    }

    private boolean matches(String appQueue, String appState, String appUser, String appId) {
        return (queue.isEmpty() || appQueue.equals(queue) || appQueue.startsWith(queue + "."))
                && (state == null || appState.equals(state.name()))
                && (user.isEmpty() || appUser.equals(user))
                && (text.isEmpty() || appId.toLowerCase(Locale.ROOT).contains(text));
    }
}
