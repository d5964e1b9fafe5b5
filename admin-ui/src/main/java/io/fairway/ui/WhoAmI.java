package io.fairway.ui;

/** The caller as the console sees it, so that a page can say what it may do. */
public record WhoAmI(String user, String role, boolean readsNeedToken, boolean writesAllowed) {
}
