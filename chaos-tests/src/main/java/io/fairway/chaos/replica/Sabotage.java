package io.fairway.chaos.replica;

import java.util.Arrays;
import java.util.Locale;

/** A planted bug, to show that the invariant checker reports what it is about. Only the chaos harness plants them. */
public enum Sabotage {
    BIND_WITHOUT_LEASE("binds go out whatever the lease says, also after this replica lost it", "fencing"),
    SECOND_WRITER("a follower also writes allocations, with a plain producer that skips the epoch fencing",
            "fencing"),
    BIND_TWICE("every allocated pod is bound a second time, to another node", "bound-as-decided"),
    IGNORE_QUEUE_MAX("the queue config is taken without its max", "queue-max"),
    HALF_GANG("a gang's reservation keeps only half its members' slots", "gang-whole");

    private final String what;
    private final String caughtBy;

    Sabotage(String what, String caughtBy) {
        this.what = what;
        this.caughtBy = caughtBy;
    }

    public String what() {
        return what;
    }

    /** The invariant that must report it. */
    public String caughtBy() {
        return caughtBy;
    }

    /** {@code bind-without-lease} and the like. */
    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static Sabotage parse(String label) {
        for (Sabotage s : values()) {
            if (s.label().equals(label.trim().toLowerCase(Locale.ROOT))) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown sabotage '" + label + "'; known: "
                + Arrays.stream(values()).map(Sabotage::label).toList());
    }
}
