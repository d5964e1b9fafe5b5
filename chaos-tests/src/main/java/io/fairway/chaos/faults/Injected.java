package io.fairway.chaos.faults;

/**
 * A fault as it happened: on what, from when to when (epoch millis), and whether it was skipped (with why) because
 * this machine or the moment did not allow it.
 */
public record Injected(FaultKind kind, String target, long start, long end, String skipped) {
    public static Injected skipped(FaultKind kind, String why) {
        long now = System.currentTimeMillis();
        return new Injected(kind, "", now, now, why);
    }

    public boolean wasSkipped() {
        return skipped != null;
    }
}
