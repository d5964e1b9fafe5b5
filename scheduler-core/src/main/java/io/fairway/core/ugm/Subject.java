package io.fairway.core.ugm;

/**
 * Whom usage is tracked for: a user, or the group an app is tracked against. The group {@code *} is one shared
 * subject: every app whose user is in no group with a limit of its own counts there together, as in YuniKorn.
 */
public record Subject(Kind kind, String name) {
    public static final String WILDCARD = "*";

    public enum Kind { USER, GROUP }

    public static Subject user(String name) {
        return new Subject(Kind.USER, name);
    }

    public static Subject group(String name) {
        return new Subject(Kind.GROUP, name);
    }

    @Override
    public String toString() {
        return (kind == Kind.USER ? "user " : "group ") + name;
    }
}
