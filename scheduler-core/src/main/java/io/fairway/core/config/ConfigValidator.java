package io.fairway.core.config;

import io.fairway.core.resources.Quantity;
import io.fairway.core.resources.ResourceNames;
import io.fairway.core.resources.Resources;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The rules a parsed queue config must satisfy, after YuniKorn's {@code configvalidator.go} where we know them.
 * It checks the records (so it also serves configs built in code) and reports every problem found; lines come from
 * the YAML when the config was parsed.
 *
 * <p>Resource rules compare per resource and only where both sides define the resource: an undefined max is
 * unlimited, an undefined guaranteed is nothing.
 */
public final class ConfigValidator {
    /** YuniKorn's queue name rule; no dots, since a dot separates levels of the full name. */
    static final Pattern QUEUE_NAME = Pattern.compile("^[a-zA-Z0-9_:#/@-]{1,64}$");
    /** YuniKorn's lenient user and group name rules for limits and placement filters. */
    static final Pattern USER_NAME = Pattern.compile("^[_a-zA-Z][a-zA-Z0-9:_.@-]*[$]?$");
    static final Pattern GROUP_NAME = Pattern.compile("^[_a-zA-Z][a-zA-Z0-9:_.-]*$");
    static final List<String> RULE_NAMES = List.of("provided", "user", "tag", "fixed");
    private static final String NAME_CHARS = "1 to 64 letters, digits or _ - : # / @";
    private static final String NAME_RULE = NAME_CHARS + " (no dots)";

    private final Origins origins;
    private final Problems problems;

    private ConfigValidator(Origins origins, Problems problems) {
        this.origins = origins;
        this.problems = problems;
    }

    /** Every problem of a config built in code; empty when it is valid. Lines are 0: there is no file. */
    public static List<ConfigProblem> validate(SchedulerConfig config) {
        Problems problems = new Problems("");
        validate(config, Origins.NONE, problems);
        return problems.sorted();
    }

    static void validate(SchedulerConfig config, Origins origins, Problems problems) {
        new ConfigValidator(origins, problems).config(config);
    }

    private void config(SchedulerConfig config) {
        if (config.partitions().isEmpty()) {
            problems.add("partitions", origins.line(config, "partitions"), "no partition is defined; add one under "
                    + "'partitions:', e.g. '- name: default' with 'queues: [{name: root}]'");
        }
        Map<String, Integer> names = new HashMap<>();
        for (int i = 0; i < config.partitions().size(); i++) {
            PartitionConfig p = config.partitions().get(i);
            String path = "partitions[" + i + "]";
            if (p.name() == null || p.name().isBlank()) {
                problems.add(path + ".name", origins.line(p), "partition has no name; give it one, e.g. default");
            } else {
                Integer other = names.putIfAbsent(p.name().toLowerCase(Locale.ROOT), i);
                if (other != null) {
                    problems.add(path + ".name", origins.line(p, "name"), "partition name '" + p.name()
                            + "' is already used by partitions[" + other + "]; give each partition its own name");
                }
            }
            partition(p, path);
        }
    }

    private void partition(PartitionConfig p, String path) {
        QueueConfig root = p.root();
        if (!"root".equals(root.name())) {
            problems.add(path + ".queues", origins.line(root), "the top queue is named '" + root.name()
                    + "'; it must be root");
        }
        if (!root.guaranteed().isEmpty() || !root.max().isEmpty()) {
            problems.add("root", origins.line(root, "resources"), "the root queue must not set guaranteed or max "
                    + "resources (YuniKorn rejects it too): root's size is the cluster's; move them to a child queue");
        }
        queue(root, "root", new ArrayList<>());
        limits(p.limits(), root, path + ".limits", true);
        for (int i = 0; i < p.placementRules().size(); i++) {
            rule(p.placementRules().get(i), path + ".placementrules[" + i + "]");
            staticPath(p.placementRules().get(i), i, path + ".placementrules[" + i + "]", root);
        }
        p.nodeSortPolicy().resourceWeights().forEach((name, weight) -> {
            if (weight < 0 || weight.isNaN()) {
                problems.add(path + ".nodesortpolicy.resourceweights." + name,
                        origins.line(p.nodeSortPolicy(), "resourceweights"),
                        "resource weight for " + name + " is " + weight + "; weights must be 0 or more");
            }
        });
    }

    /** A queue seen from below: its config and full name. */
    private record Named(QueueConfig config, String fullName) {
    }

    /**
     * Checks a queue and its subtree. Returns its effective guaranteed: its own where defined, else what its
     * children guarantee together (YuniKorn sums the children for a parent without a guarantee).
     */
    private Resources queue(QueueConfig q, String full, List<Named> ancestors) {
        acl(q, q.submitAcl(), "submitacl", full);
        acl(q, q.adminAcl(), "adminacl", full);
        q.properties().forEach((key, value) -> {
            String problem = QueueProperties.problem(key, value);
            if (problem != null) {
                problems.add(full, origins.line(q, "properties", key), problem);
            }
        });
        childTemplate(q, full);
        limits(q.limits(), q, full, false);
        ownResources(q, full, ancestors);

        List<Named> below = new ArrayList<>(ancestors);
        below.add(new Named(q, full));
        Map<String, QueueConfig> siblings = new HashMap<>();
        Resources.Builder sum = Resources.builder();
        List<Named> children = new ArrayList<>();
        List<Resources> childGuaranteed = new ArrayList<>();
        for (QueueConfig c : q.queues()) {
            String name = c.name() == null ? "" : c.name();
            String cfull = full + "." + (name.isEmpty() ? "<no name>" : name);
            if (name.isEmpty()) {
                problems.add(cfull, origins.line(c), "a child queue of " + full + " has no name; add 'name:' with "
                        + NAME_RULE);
            } else if (!QUEUE_NAME.matcher(name).matches()) {
                problems.add(cfull, origins.line(c, "name"), "queue name '" + name + "' is not valid; use " + NAME_RULE);
            } else {
                QueueConfig other = siblings.putIfAbsent(name.toLowerCase(Locale.ROOT), c);
                if (other != null) {
                    problems.add(cfull, origins.line(c, "name"), "queue name '" + name + "' is used twice under "
                            + full + lineRef(other) + "; sibling queues need different names (case is ignored)");
                }
            }
            if (q.maxApplications() > 0 && c.maxApplications() > q.maxApplications()) {
                problems.add(cfull, origins.line(c, "maxapplications"), "maxapplications " + c.maxApplications()
                        + " is above the parent " + full + "'s maxapplications " + q.maxApplications()
                        + "; lower it to " + q.maxApplications() + " or less");
            }
            Resources g = queue(c, cfull, below);
            children.add(new Named(c, cfull));
            childGuaranteed.add(g);
            for (int i = 0; i < g.size(); i++) {
                sum.add(g.idAt(i), g.valueAt(i));
            }
        }
        childrenSum(q, full, sum.build(), children, childGuaranteed);

        Resources.Builder effective = sum.build().toBuilder();
        for (int i = 0; i < q.guaranteed().size(); i++) {
            effective.set(q.guaranteed().idAt(i), q.guaranteed().valueAt(i));
        }
        return effective.build();
    }

    /** A queue's own guaranteed and max, against each other and against the max of its ancestors. */
    private void ownResources(QueueConfig q, String full, List<Named> ancestors) {
        Resources g = q.guaranteed();
        Resources m = q.max();
        negatives(g, "guaranteed", full, origins.line(q, "resources", "guaranteed"));
        negatives(m, "max", full, origins.line(q, "resources", "max"));
        for (int i = 0; i < g.size(); i++) {
            int id = g.idAt(i);
            long gv = g.valueAt(i);
            if (m.isDefined(id) && gv > m.get(id)) {
                problems.add(full, origins.line(q, "resources", "max"), "max " + res(id) + " " + fmt(id, m.get(id))
                        + " is below guaranteed " + fmt(id, gv) + "; raise max or lower guaranteed");
                continue;
            }
            Named a = nearestMax(ancestors, id);
            if (a != null && gv > a.config().max().get(id)) {
                problems.add(full, origins.line(q, "resources", "guaranteed"), "guaranteed " + res(id) + " "
                        + fmt(id, gv) + " is above the max " + fmt(id, a.config().max().get(id)) + " of "
                        + a.fullName() + "; lower it or raise " + a.fullName() + "'s max");
            }
        }
        for (int i = 0; i < m.size(); i++) {
            int id = m.idAt(i);
            Named a = nearestMax(ancestors, id);
            if (a != null && m.valueAt(i) > a.config().max().get(id)) {
                problems.add(full, origins.line(q, "resources", "max"), "max " + res(id) + " " + fmt(id, m.valueAt(i))
                        + " is above the max " + fmt(id, a.config().max().get(id)) + " of " + a.fullName()
                        + "; a queue cannot be bigger than its parent: lower it or raise " + a.fullName() + "'s max");
            }
        }
    }

    /** What the children guarantee together must fit the parent's guaranteed and its max. */
    private void childrenSum(QueueConfig q, String full, Resources sum, List<Named> children, List<Resources> gs) {
        for (int i = 0; i < sum.size(); i++) {
            int id = sum.idAt(i);
            long s = sum.valueAt(i);
            if (q.guaranteed().isDefined(id) && s > q.guaranteed().get(id)) {
                problems.add(full, origins.line(q, "resources", "guaranteed"), "guaranteed " + res(id) + " "
                        + fmt(id, q.guaranteed().get(id)) + " is below the sum of its children's guaranteed "
                        + fmt(id, s) + " (" + breakdown(id, children, gs) + "); raise it or lower the children's");
            }
            // A child whose own guarantee is above this max was reported on the child; do not say it twice.
            if (q.max().isDefined(id) && s > q.max().get(id) && !anyAbove(children, id, q.max().get(id))) {
                problems.add(full, origins.line(q, "resources", "max"), "max " + res(id) + " "
                        + fmt(id, q.max().get(id)) + " is below the sum of its children's guaranteed " + fmt(id, s)
                        + " (" + breakdown(id, children, gs) + "); raise max or lower the children's guaranteed");
            }
        }
    }

    private static boolean anyAbove(List<Named> children, int id, long limit) {
        for (Named c : children) {
            if (c.config().guaranteed().get(id) > limit) {
                return true;
            }
        }
        return false;
    }

    private static String breakdown(int id, List<Named> children, List<Resources> gs) {
        StringJoiner j = new StringJoiner(", ");
        for (int i = 0; i < children.size(); i++) {
            if (gs.get(i).get(id) != 0) {
                j.add(children.get(i).fullName() + " " + fmt(id, gs.get(i).get(id)));
            }
        }
        return j.toString();
    }

    /** The closest ancestor that sets a max for the resource; lower ones were checked against higher ones. */
    private static Named nearestMax(List<Named> ancestors, int id) {
        for (int i = ancestors.size() - 1; i >= 0; i--) {
            if (ancestors.get(i).config().max().isDefined(id)) {
                return ancestors.get(i);
            }
        }
        return null;
    }

    private void negatives(Resources r, String label, String where, int line) {
        for (int i = 0; i < r.size(); i++) {
            if (r.valueAt(i) < 0) {
                problems.add(where, line, label + " " + res(r.idAt(i)) + " " + fmt(r.idAt(i), r.valueAt(i))
                        + " is negative; resources must be 0 or more");
            }
        }
    }

    /** YuniKorn ACL: "users groups", one space between; a leading space means groups only. */
    private void acl(QueueConfig q, Acl acl, String key, String full) {
        if (acl == null || !acl.isSet()) {
            return;
        }
        long spaces = acl.raw().chars().filter(c -> c == ' ').count();
        if (spaces > 1) {
            problems.add(full, origins.line(q, key), key + " '" + acl.raw() + "' has more than one space; write it"
                    + " as 'user1,user2 group1,group2' (one space between users and groups, commas within them; "
                    + "' group1' for groups only, '*' for everyone)");
        }
    }

    private void childTemplate(QueueConfig q, String full) {
        ChildTemplate t = q.childTemplate();
        if (t == null || t == ChildTemplate.NONE) {
            return;
        }
        String where = full + " childtemplate";
        negatives(t.guaranteed(), "guaranteed", where, origins.line(t, "resources", "guaranteed"));
        negatives(t.max(), "max", where, origins.line(t, "resources", "max"));
        for (int i = 0; i < t.guaranteed().size(); i++) {
            int id = t.guaranteed().idAt(i);
            if (t.max().isDefined(id) && t.guaranteed().valueAt(i) > t.max().get(id)) {
                problems.add(where, origins.line(t, "resources", "max"), "max " + res(id) + " " + fmt(id, t.max().get(id))
                        + " is below guaranteed " + fmt(id, t.guaranteed().valueAt(i)) + "; raise max or lower guaranteed");
            }
        }
        t.properties().forEach((key, value) -> {
            String problem = QueueProperties.problem(key, value);
            if (problem != null) {
                problems.add(where, origins.line(t, "properties", key), problem);
            }
        });
    }

    /** The limits of one queue (or of a partition, checked against its root). */
    private void limits(List<Limit> limits, QueueConfig q, String where, boolean partitionLevel) {
        Map<String, Limit> users = new HashMap<>();
        Map<String, Limit> groups = new HashMap<>();
        Map<Limit, String> labels = new IdentityHashMap<>();
        for (int i = 0; i < limits.size(); i++) {
            Limit l = limits.get(i);
            labels.put(l, l.description() != null && !l.description().isBlank()
                    ? "limit '" + l.description() + "'" : "limit #" + (i + 1));
        }
        for (Limit l : limits) {
            String label = labels.get(l);
            int line = origins.line(l);
            if (l.users().isEmpty() && l.groups().isEmpty()) {
                problems.add(where, line, label + " names no users and no groups; add 'users:' or 'groups:' "
                        + "(\"*\" means everyone)");
            }
            names(l, l.users(), "user", USER_NAME, users, labels, where);
            names(l, l.groups(), "group", GROUP_NAME, groups, labels, where);
            negatives(l.maxResources(), label + " maxresources", where, origins.line(l, "maxresources"));
            if (l.maxApplications() == 0 && l.maxResources().isZero() && !origins.isIncomplete(l)) {
                problems.add(where, line, label + " limits nothing: it sets neither maxapplications nor a non-zero "
                        + "maxresources; set at least one");
            }
            if (q.maxApplications() > 0 && l.maxApplications() > q.maxApplications()) {
                problems.add(where, origins.line(l, "maxapplications"), label + " maxapplications "
                        + l.maxApplications() + " is above the " + (partitionLevel ? "root queue" : "queue")
                        + "'s maxapplications " + q.maxApplications() + "; lower it");
            }
            Resources mr = l.maxResources();
            for (int k = 0; k < mr.size(); k++) {
                int id = mr.idAt(k);
                if (q.max().isDefined(id) && mr.valueAt(k) > q.max().get(id)) {
                    problems.add(where, origins.line(l, "maxresources"), label + " maxresources " + res(id) + " "
                            + fmt(id, mr.valueAt(k)) + " is above the queue's max " + fmt(id, q.max().get(id))
                            + "; lower it or raise the queue's max");
                }
            }
        }
    }

    private void names(Limit l, List<String> names, String kind, Pattern rule, Map<String, Limit> seen,
                       Map<Limit, String> labels, String where) {
        int line = origins.line(l, kind + "s");
        String label = labels.get(l);
        for (String name : names) {
            if (!name.equals("*") && !rule.matcher(name).matches()) {
                problems.add(where, line, label + " " + kind + " '" + name + "' is not a valid " + kind
                        + " name; start with a letter or _ and use letters, digits and _ . - :"
                        + (kind.equals("user") ? " @" : "") + " (or \"*\" for everyone)");
            }
            Limit other = seen.putIfAbsent(name, l);
            if (other == l) {
                problems.add(where, line, label + " lists " + kind + " '" + name + "' twice; list it once");
            } else if (other != null) {
                problems.add(where, line, kind + " '" + name + "' is in two limits of the same queue: " + label
                        + " and " + labels.get(other) + lineRef(other) + "; put each " + kind + " in one limit only");
            }
        }
    }

    private void rule(PlacementRule r, String where) {
        int line = origins.line(r);
        if (r.name() == null || r.name().isEmpty()) {
            problems.add(where, line, "placement rule has no name; use one of " + String.join(", ", RULE_NAMES));
        } else if (!RULE_NAMES.contains(r.name())) {
            problems.add(where, origins.line(r, "name"), "placement rule '" + r.name() + "' is not known; use one of "
                    + String.join(", ", RULE_NAMES));
        }
        String value = r.value() == null ? "" : r.value();
        boolean complete = !origins.isIncomplete(r);
        if ("tag".equals(r.name()) && value.isBlank() && complete) {
            problems.add(where, line, "placement rule tag needs a value: the tag to read the queue name from, "
                    + "e.g. 'value: namespace'");
        }
        if ("fixed".equals(r.name())) {
            if (value.isBlank()) {
                if (complete) {
                    problems.add(where, line, "placement rule fixed needs a value: the queue to place in, "
                            + "e.g. 'value: root.default'");
                }
            } else if (!validQueuePath(value)) {
                problems.add(where, origins.line(r, "value"), "placement rule fixed value '" + value
                        + "' is not a queue path; write queue names of " + NAME_CHARS + " joined by dots"
                        + ", e.g. root.default");
            }
        }
        Filter f = r.filter() == null ? Filter.ALLOW_ALL : r.filter();
        filterEntries(f.users(), "user", USER_NAME, where, origins.line(r, "filter", "users"));
        filterEntries(f.groups(), "group", GROUP_NAME, where, origins.line(r, "filter", "groups"));
        if (r.parent() != null) {
            rule(r.parent(), where + ".parent");
        }
    }

    /** Filter entries are plain names or regular expressions, as in YuniKorn. */
    private void filterEntries(List<String> entries, String kind, Pattern name, String where, int line) {
        for (String e : entries) {
            if (name.matcher(e).matches()) {
                continue;
            }
            try {
                Pattern.compile(e);
            } catch (PatternSyntaxException ex) {
                problems.add(where + ".filter." + kind + "s", line, "filter " + kind + " '" + e + "' is neither a "
                        + kind + " name nor a valid regular expression (" + ex.getDescription()
                        + " at index " + ex.getIndex() + "); fix the pattern");
            }
        }
    }

    /**
     * The queues a rule chain names outright ({@code fixed} values, parents first) must fit the tree, as YuniKorn
     * checks: a chain that continues below them (e.g. fixed then user) needs a parent queue there, a chain that ends
     * there needs a leaf, and a queue that does not exist needs {@code create: true} and a parent to be made under.
     */
    private void staticPath(PlacementRule top, int index, String where, QueueConfig root) {
        List<PlacementRule> chain = new ArrayList<>();
        for (PlacementRule r = top; r != null; r = r.parent()) {
            chain.addFirst(r);
        }
        StringJoiner names = new StringJoiner(" -> ");
        chain.forEach(r -> names.add(r.name()));
        String path = "";
        boolean dynamic = false;
        for (PlacementRule r : chain) {
            if (dynamic) {
                continue;
            }
            if (!"fixed".equals(r.name())) {
                dynamic = true;
                continue;
            }
            String v = r.value() == null ? "" : r.value().trim();
            if (v.isEmpty() || !validQueuePath(v)) {
                return; // reported by rule()
            }
            if (v.equals("root") || v.startsWith("root.")) {
                if (!path.isEmpty()) {
                    problems.add(where, origins.line(r, "value"), "placement rule chain " + names + ": the fixed "
                            + "value '" + v + "' starts with root but follows " + path + "; only the first fixed rule "
                            + "of a chain may name a full queue path, write the rest relative ('" + v.substring(
                            v.indexOf('.') + 1) + "')");
                    return;
                }
                path = v;
            } else {
                path = (path.isEmpty() ? "root" : path) + "." + v;
            }
        }
        if (path.isEmpty()) {
            return;
        }
        String rule = "placement rule #" + (index + 1) + " (" + names + ")";
        String[] parts = path.split("\\.");
        QueueConfig current = root;
        String currentName = "root";
        for (int i = 1; i < parts.length; i++) {
            QueueConfig next = child(current, parts[i]);
            if (next == null) {
                if (!current.isParent()) {
                    problems.add(where, origins.line(top), rule + " names " + path + ", which cannot be created "
                            + "because " + currentName + " is a leaf queue; mark " + currentName + " 'parent: true' "
                            + "or change the rule");
                } else if (!top.create()) {
                    problems.add(where, origins.line(top), rule + " names " + path + ", which does not exist, and "
                            + "create is false; add the queue or set 'create: true'");
                }
                return;
            }
            current = next;
            currentName = currentName + "." + next.name();
        }
        if (dynamic && !current.isParent()) {
            problems.add(where, origins.line(top), rule + " creates queues under " + path + ", which is a leaf "
                    + "queue; mark it 'parent: true' or point the rule at a parent");
        } else if (!dynamic && current.isParent()) {
            problems.add(where, origins.line(top), rule + " places applications in " + path + ", which is a "
                    + "parent queue; applications run in leaf queues, so point it at a leaf");
        }
    }

    /** The child of that name: exact first, else ignoring case (YuniKorn lower-cases the rule's path). */
    private static QueueConfig child(QueueConfig parent, String name) {
        QueueConfig loose = null;
        for (QueueConfig c : parent.queues()) {
            if (name.equals(c.name())) {
                return c;
            }
            if (loose == null && name.equalsIgnoreCase(c.name())) {
                loose = c;
            }
        }
        return loose;
    }

    private static boolean validQueuePath(String value) {
        for (String part : value.split("\\.", -1)) {
            if (!QUEUE_NAME.matcher(part).matches()) {
                return false;
            }
        }
        return true;
    }

    private String lineRef(Object record) {
        int line = origins.line(record);
        return line > 0 ? " (line " + line + ")" : "";
    }

    private static String res(int id) {
        return ResourceNames.name(id);
    }

    /**
     * Quantity.format, except that a byte count written with a decimal suffix reads back the same way: 500G, not
     * 488281250Ki, so the message shows what the user wrote.
     */
    static String fmt(int id, long value) {
        String binary = Quantity.format(id, value);
        if ((id != ResourceNames.MEMORY && id != ResourceNames.EPHEMERAL_STORAGE) || value == 0) {
            return binary;
        }
        String[] suffixes = {"E", "P", "T", "G", "M", "k"};
        long unit = 1_000_000_000_000_000_000L;
        for (String suffix : suffixes) {
            if (value % unit == 0) {
                String decimal = value / unit + suffix;
                return decimal.length() < binary.length() ? decimal : binary;
            }
            unit /= 1000;
        }
        return binary;
    }
}
