package io.fairway.core.placement;

import io.fairway.core.config.PlacementRule;
import io.fairway.core.config.QueueConfig;

/**
 * A placement rule, as YuniKorn runs it: the filter first (an app it keeps out does not match); then the rule's own
 * name for the queue; a name that is not fully qualified goes under the parent rule's queue (run first, and it must
 * match and not be a leaf), else under root; last, a queue that does not exist matches only with {@code create}.
 * Submit access and whether the queue can be created are checked by {@link Placement}, for every rule alike.
 */
public sealed interface Rule permits ProvidedRule, UserRule, TagRule, FixedRule {
    boolean create();

    /** The rule that gives the parent queue; null for root. */
    Rule parent();

    UserFilter filter();

    /** The name as written in the config: provided, user, tag or fixed. */
    String name();

    /** The rule's own queue name for the app: fully qualified, or relative to the parent; or why it has none. */
    Outcome ownName(Submission app);

    static Rule of(PlacementRule config) {
        Rule parent = config.parent() == null ? null : of(config.parent());
        UserFilter filter = UserFilter.of(config.filter());
        String value = config.value() == null ? "" : config.value().trim();
        return switch (config.name()) {
            case "provided" -> new ProvidedRule(config.create(), parent, filter);
            case "user" -> new UserRule(config.create(), parent, filter);
            case "tag" -> new TagRule(value, config.create(), parent, filter);
            case "fixed" -> new FixedRule(value, config.create(), parent, filter);
            default -> throw new IllegalArgumentException("placement rule '" + config.name()
                    + "' is not known; ConfigValidator should have refused it: use provided, user, tag or fixed");
        };
    }

    default Outcome place(Submission app, QueueLookup queues) {
        if (!filter().allows(app.user(), app.groups())) {
            return Outcome.noMatch(app.who() + " is filtered out (" + filter() + ")");
        }
        Outcome own = ownName(app);
        if (!own.matched()) {
            return own;
        }
        String queue = own.queue();
        if (!QueueNames.isQualified(queue)) {
            String parentQueue = QueueNames.ROOT;
            if (parent() != null) {
                Outcome p = parent().place(app, queues);
                if (!p.matched()) {
                    return Outcome.noMatch("parent rule " + parent().describe() + ": " + p.reason());
                }
                QueueConfig pc = queues.config(p.queue());
                if (pc != null && !pc.isParent()) {
                    return Outcome.noMatch("parent rule " + parent().describe() + " gives " + p.queue()
                            + ", which is a leaf queue");
                }
                parentQueue = p.queue();
            }
            queue = parentQueue + "." + queue;
        }
        if (!create() && queues.config(queue) == null) {
            return Outcome.noMatch(queue + " does not exist and create is false");
        }
        return Outcome.placed(queue);
    }

    /** "user", "tag namespace", "fixed root.system", with its parent chain, for reasons. */
    default String describe() {
        return name() + (parent() == null ? "" : " under " + parent().describe());
    }
}
