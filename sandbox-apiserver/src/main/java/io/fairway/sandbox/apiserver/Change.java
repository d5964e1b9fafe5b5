package io.fairway.sandbox.apiserver;

/** One committed write, as watchers see it: {@code prev} is the version before (null on ADDED), {@code cur} the new one. */
record Change(long rv, Type type, Stored prev, Stored cur) {
    enum Type { ADDED, MODIFIED, DELETED }
}
