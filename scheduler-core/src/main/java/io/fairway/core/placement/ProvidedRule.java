package io.fairway.core.placement;

/**
 * {@code provided}: the queue the pod asks for. A full name ({@code root.x}) is taken as it is and the parent rule is
 * not run; a short one has its dots replaced, as YuniKorn does, and goes under the parent. No queue asked: no match.
 */
public record ProvidedRule(boolean create, Rule parent, UserFilter filter) implements Rule {
    @Override
    public String name() {
        return "provided";
    }

    @Override
    public Outcome ownName(Submission app) {
        if (app.queue().isEmpty()) {
            return Outcome.noMatch("the app asks for no queue");
        }
        return Outcome.placed(QueueNames.isQualified(app.queue()) ? app.queue() : QueueNames.replaceDots(app.queue()));
    }
}
