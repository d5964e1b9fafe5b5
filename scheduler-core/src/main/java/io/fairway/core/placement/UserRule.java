package io.fairway.core.placement;

/** {@code user}: a queue named after the submitting user, dots replaced ({@code john.doe} is {@code john_dot_doe}). */
public record UserRule(boolean create, Rule parent, UserFilter filter) implements Rule {
    @Override
    public String name() {
        return "user";
    }

    @Override
    public Outcome ownName(Submission app) {
        if (app.user().isEmpty()) {
            return Outcome.noMatch("the app has no user");
        }
        return Outcome.placed(QueueNames.replaceDots(app.user()));
    }
}
