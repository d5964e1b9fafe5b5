package io.fairway.core.placement;

/** What one rule made of an app: a full queue name, or why it did not match. */
public record Outcome(String queue, String reason) {
    public static Outcome placed(String queue) {
        return new Outcome(queue, "");
    }

    public static Outcome noMatch(String reason) {
        return new Outcome("", reason);
    }

    public boolean matched() {
        return !queue.isEmpty();
    }
}
