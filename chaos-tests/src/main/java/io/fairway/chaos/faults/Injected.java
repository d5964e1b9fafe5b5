package io.fairway.chaos.faults;

/**
 * A fault as it happened: on what, from when to when (epoch millis), whether it was skipped (with why) because this
 * machine or the moment did not allow it, and what went wrong in the system's own handling of it that no invariant
 * covers ({@code finding}, null when nothing did).
 */
public record Injected(FaultKind kind, String target, long start, long end, String skipped, String finding) {
    public static Injected skipped(FaultKind kind, String why) {
        long now = System.currentTimeMillis();
        return new Injected(kind, "", now, now, why, null);
    }

    public boolean wasSkipped() {
        return skipped != null;
    }
}
