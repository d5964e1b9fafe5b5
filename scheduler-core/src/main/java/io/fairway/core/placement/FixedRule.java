package io.fairway.core.placement;

/** {@code fixed}: always the queue in {@code value}; a relative path ({@code a.b}) goes under the parent rule's queue. */
public record FixedRule(String value, boolean create, Rule parent, UserFilter filter) implements Rule {
    @Override
    public String name() {
        return "fixed";
    }

    @Override
    public String describe() {
        return "fixed " + value + (parent == null ? "" : " under " + parent.describe());
    }

    @Override
    public Outcome ownName(Submission app) {
        return Outcome.placed(value);
    }
}
