package io.fairway.core.objects;

import io.fairway.core.resources.Resources;
import java.util.List;

/**
 * An app's gang: its task groups and what happens when they cannot all be reserved in time. Read from the pod's
 * annotations by {@link GangAnnotations}; a spec that could not be read keeps the {@link #problem()} and no groups,
 * and the app is then scheduled as a normal app.
 *
 * @param timeoutMillis how long the app may wait for its whole reservation, from the moment it first waits
 * @param problem       empty, or what is wrong with the annotations (for an Event on the pod)
 */
public record GangSpec(List<TaskGroup> groups, Style style, long timeoutMillis, String problem) {
    /** YuniKorn's default placeholder timeout. */
    public static final long DEFAULT_TIMEOUT_MILLIS = 15 * 60 * 1000L;
    public static final GangSpec NONE = new GangSpec(List.of(), Style.SOFT, DEFAULT_TIMEOUT_MILLIS, "");

    /** YuniKorn's {@code gangSchedulingStyle}: Soft schedules the app normally after the timeout, Hard fails it. */
    public enum Style { SOFT, HARD }

    public GangSpec {
        groups = List.copyOf(groups == null ? List.of() : groups);
        style = style == null ? Style.SOFT : style;
        problem = problem == null ? "" : problem;
    }

    public static GangSpec invalid(String problem) {
        return new GangSpec(List.of(), Style.SOFT, DEFAULT_TIMEOUT_MILLIS, problem);
    }

    /** A gang to reserve: valid and with at least one group. */
    public boolean isGang() {
        return problem.isEmpty() && !groups.isEmpty();
    }

    public boolean isNone() {
        return groups.isEmpty() && problem.isEmpty();
    }

    public TaskGroup group(String name) {
        for (TaskGroup g : groups) {
            if (g.name().equals(name)) {
                return g;
            }
        }
        return null;
    }

    /** Everything the gang reserves, all groups together. */
    public Resources total() {
        Resources t = Resources.NONE;
        for (TaskGroup g : groups) {
            t = t.plus(g.total());
        }
        return t;
    }
}
