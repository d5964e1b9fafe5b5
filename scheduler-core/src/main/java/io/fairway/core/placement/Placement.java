package io.fairway.core.placement;

import io.fairway.core.config.PartitionConfig;
import io.fairway.core.config.PlacementRule;
import io.fairway.core.config.QueueConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * Chooses an app's queue: YuniKorn's placement manager. With placement rules, the first rule that matches wins; a
 * rule matches when it gives a queue that is a leaf (or can be created as one) and that the app may submit to
 * ({@link SubmitAccess}). When none matches, the app goes to {@code root.default} if that exists and takes it, else
 * it is rejected with one clause per rule saying why it did not match. (YuniKorn rejects at once; the fallback is
 * Fairway's, so that a rule set need not end in {@code fixed root.default}.)
 *
 * <p>Without rules: the queue the pod asks for, {@code root.default} when it asks for none (the k8shim's default);
 * it must exist, be a leaf and take the app.
 */
public final class Placement {
    public static final String DEFAULT_QUEUE = "root.default";

    private final List<Rule> rules;
    private final SubmitAccess access;

    private Placement(List<Rule> rules, SubmitAccess access) {
        this.rules = List.copyOf(rules);
        this.access = access;
    }

    public static Placement of(PartitionConfig partition) {
        List<Rule> rules = new ArrayList<>();
        for (PlacementRule r : partition.placementRules()) {
            rules.add(Rule.of(r));
        }
        return new Placement(rules, SubmitAccess.of(partition.root()));
    }

    public List<Rule> rules() {
        return rules;
    }

    public SubmitAccess access() {
        return access;
    }

    /**
     * Where the app goes.
     *
     * @param queue     the leaf's full name; empty when rejected
     * @param create    the queue does not exist yet: create it, and any missing parents, dynamically
     * @param rejection why the app has no queue; empty when placed
     */
    public record Result(String queue, boolean create, String rejection) {
        static Result placed(String queue, boolean create) {
            return new Result(queue, create, "");
        }

        static Result rejected(String why) {
            return new Result("", false, why);
        }

        public boolean isRejected() {
            return queue.isEmpty();
        }
    }

    public Result place(Submission app, QueueLookup queues) {
        if (rules.isEmpty()) {
            return requested(app, queues);
        }
        List<String> clauses = new ArrayList<>();
        for (int i = 0; i < rules.size(); i++) {
            Rule rule = rules.get(i);
            Outcome o = rule.place(app, queues);
            String why = o.matched() ? unusable(app, o.queue(), queues) : o.reason();
            if (why == null) {
                return Result.placed(o.queue(), queues.config(o.queue()) == null);
            }
            clauses.add("rule " + (i + 1) + " (" + rule.describe() + "): " + why);
        }
        QueueConfig fallback = queues.config(DEFAULT_QUEUE);
        String why = fallback == null ? DEFAULT_QUEUE + " does not exist" : unusable(app, DEFAULT_QUEUE, queues);
        if (why == null) {
            return Result.placed(DEFAULT_QUEUE, false);
        }
        return Result.rejected("no placement rule matched: " + String.join("; ", clauses) + "; fallback: " + why);
    }

    private Result requested(Submission app, QueueLookup queues) {
        String q = normalize(app.queue());
        if (q.isEmpty()) {
            q = DEFAULT_QUEUE;
        }
        QueueConfig c = queues.config(q);
        if (c == null) {
            return Result.rejected("queue " + q + " does not exist");
        }
        if (c.isParent()) {
            return Result.rejected("queue " + q + " is a parent queue; apps go to leaf queues");
        }
        String denied = access.denial(app, q, queues);
        return denied == null ? Result.placed(q, false) : Result.rejected(denied);
    }

    /** Why a queue a rule gave cannot take the app, or null when it can. */
    private String unusable(Submission app, String queue, QueueLookup queues) {
        String invalid = QueueNames.invalid(queue);
        if (invalid != null) {
            return invalid;
        }
        QueueConfig c = queues.config(queue);
        if (c != null && c.isParent()) {
            return queue + " is a parent queue; apps go to leaf queues";
        }
        if (c == null) {
            String existing = QueueNames.parentOf(queue);
            while (!existing.isEmpty() && queues.config(existing) == null) {
                existing = QueueNames.parentOf(existing);
            }
            if (existing.isEmpty()) {
                return queue + " is not under root";
            }
            if (!queues.config(existing).isParent()) {
                return queue + " cannot be created under " + existing + ", which is a leaf queue";
            }
        }
        return access.denial(app, queue, queues);
    }

    /** YuniKorn names queues from the root; a name without the {@code root.} prefix gets it, as the k8shim does. */
    public static String normalize(String queue) {
        if (queue == null || queue.isBlank()) {
            return "";
        }
        String q = queue.trim();
        return QueueNames.isQualified(q) ? q : QueueNames.ROOT + "." + q;
    }
}
