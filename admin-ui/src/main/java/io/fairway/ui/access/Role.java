package io.fairway.ui.access;

import java.util.Locale;


/** What a console user may do: a viewer reads, an admin also writes (applies a queue config). */
public enum Role {
    /** No token was given and reads are open: reads only, no writes. */
    ANONYMOUS,
    VIEWER,
    ADMIN;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
