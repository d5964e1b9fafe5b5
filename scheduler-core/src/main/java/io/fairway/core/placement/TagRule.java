package io.fairway.core.placement;

/**
 * {@code tag}: the value of the app's tag named by {@code value}: {@code namespace}, or a label of the app's first
 * pod. A full name is taken as it is (no parent rule); a short one has its dots replaced. No such tag: no match.
 */
public record TagRule(String value, boolean create, Rule parent, UserFilter filter) implements Rule {
    @Override
    public String name() {
        return "tag";
    }

    @Override
    public String describe() {
        return "tag " + value + (parent == null ? "" : " under " + parent.describe());
    }

    @Override
    public Outcome ownName(Submission app) {
        String v = app.tag(value).trim();
        if (v.isEmpty()) {
            return Outcome.noMatch("the app has no tag " + value);
        }
        return Outcome.placed(QueueNames.isQualified(v) ? v : QueueNames.replaceDots(v));
    }
}
