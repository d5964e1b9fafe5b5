package io.fairway.core.simulation;

import io.fairway.core.config.GoDuration;
import io.fairway.core.objects.NodeAffinity;
import io.fairway.core.objects.NodeSelectorRequirement;
import io.fairway.core.objects.Taint;
import io.fairway.core.objects.Toleration;
import io.fairway.core.resources.Quantity;
import io.fairway.core.resources.Resources;
import io.fairway.core.simulation.Scenario.Action;
import io.fairway.core.simulation.Scenario.Expectation;
import io.fairway.core.simulation.Scenario.NodeSpec;
import io.fairway.core.simulation.Scenario.Step;
import io.fairway.core.yaml.YNode;
import io.fairway.core.yaml.YamlException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/** Reads a scenario file. Every unknown key and bad value is an error naming its line. */
public final class ScenarioParser {
    static final Set<String> TOP = Set.of("name", "description", "queues", "nodes", "steps", "expect", "terminationGrace",
            "priorityClasses");
    static final Set<String> NODE = Set.of("name", "count", "capacity", "allocatable", "labels", "taints", "unschedulable", "ready");
    static final Set<String> STEP = Set.of("at", "submit", "complete", "queuesConfig", "removeNode", "addNodes", "cordon", "uncordon");
    static final Set<String> SUBMIT = Set.of("app", "namespace", "queue", "user", "groups", "pods", "requests", "priority",
            "priorityClassName",
            "duration", "labels", "annotations", "nodeSelector", "affinity", "tolerations", "schedulerName", "node");
    static final Set<String> COMPLETE = Set.of("app", "pods");
    static final Set<String> TAINT = Set.of("key", "value", "effect");
    static final Set<String> TOLERATION = Set.of("key", "operator", "value", "effect", "tolerationSeconds");
    static final Set<String> EXPECT = Set.of("at", "apps", "queues", "nodes", "pods");
    static final Map<String, Set<String>> EXPECT_KEYS = Map.of(
            "apps", Set.of("running", "pending", "completed", "allocated", "state", "queue", "gang", "reserved", "slots",
                    "slotsUsed", "gangReason", "preempted"),
            "queues", Set.of("allocated", "pending", "runningApps", "exists", "dynamic"),
            "nodes", Set.of("allocated", "pods", "exists"),
            "pods", Set.of("node", "phase", "reason", "fpga", "preempted", "holds"));
    /** Keys whose value is a resource map, by kind; the others are single values. */
    private static final Map<String, Set<String>> RESOURCE_KEYS = Map.of(
            "apps", Set.of("allocated", "reserved"),
            "queues", Set.of("allocated", "pending"),
            "nodes", Set.of("allocated"),
            "pods", Set.of());

    /** The file's priority classes while it is parsed: a submit's priorityClassName resolves as admission would. */
    private static final ThreadLocal<Map<String, Integer>> PRIORITY_CLASSES = ThreadLocal.withInitial(Map::of);

    private ScenarioParser() {
    }

    private static int priority(YNode v) {
        YNode name = v.get("priorityClassName");
        if (name != null) {
            if (v.get("priority") != null) {
                throw new ScenarioException(v.path() + ": give priority or priorityClassName, not both", v.line());
            }
            Integer value = PRIORITY_CLASSES.get().get(name.text());
            if (value == null) {
                throw new ScenarioException(v.path() + ".priorityClassName: '" + name.text()
                        + "' is not in priorityClasses; known: " + PRIORITY_CLASSES.get().keySet(), name.line());
            }
            return value;
        }
        return v.get("priority") == null ? 0 : intValue(v.get("priority"), Integer.MIN_VALUE);
    }

    public static Scenario parse(String text) {
        try {
            YNode root = YNode.parse(text);
            if (root.isNull()) {
                throw new ScenarioException("the scenario file is empty", 0);
            }
            keys(root, TOP);
            String name = root.get("name") == null ? "unnamed" : root.get("name").text();
            String queues = root.get("queues") == null ? null : root.get("queues").text();
            List<NodeSpec> nodes = new ArrayList<>();
            for (YNode n : list(root.get("nodes"))) {
                nodes.add(node(n));
            }
            checkUniqueNames(nodes, root.get("nodes"));
            Map<String, Integer> classes = new TreeMap<>();
            YNode pc = root.get("priorityClasses");
            if (pc != null) {
                for (Map.Entry<String, YNode> e : pc.entries().entrySet()) {
                    classes.put(e.getKey(), intValue(e.getValue(), Integer.MIN_VALUE));
                }
            }
            PRIORITY_CLASSES.set(classes);
            long grace = root.get("terminationGrace") == null ? 0 : time(root.get("terminationGrace"));
            List<Step> steps = new ArrayList<>();
            long last = -1;
            for (YNode s : list(root.get("steps"))) {
                Step step = step(s);
                if (step.at() < last) {
                    throw new ScenarioException("steps must be in time order: " + s.path() + " at "
                            + format(step.at()) + " comes after a step at " + format(last), s.line());
                }
                last = step.at();
                steps.add(step);
            }
            List<Expectation> expectations = new ArrayList<>();
            for (YNode e : list(root.get("expect"))) {
                expectations.add(expectation(e));
            }
            return new Scenario(name, queues, nodes, steps, expectations, grace, classes);
        } catch (YamlException e) {
            throw new ScenarioException(e.getMessage().replaceFirst("^line \\d+: ", ""), e.line());
        } finally {
            PRIORITY_CLASSES.remove();
        }
    }

    private static NodeSpec node(YNode n) {
        keys(n, NODE);
        String name = required(n, "name").text();
        int count = n.get("count") == null ? 1 : intValue(n.get("count"), 0);
        if (count > 1 && !name.contains("{i}")) {
            throw new ScenarioException(n.path() + ": " + count + " nodes named '" + name
                    + "' would clash; put {i} in the name (e.g. node-{i})", n.line());
        }
        Resources capacity = resources(required(n, "capacity"));
        Resources allocatable = n.get("allocatable") == null ? capacity : resources(n.get("allocatable"));
        List<Taint> taints = new ArrayList<>();
        for (YNode t : list(n.get("taints"))) {
            keys(t, TAINT);
            String effect = required(t, "effect").text();
            if (!Set.of("NoSchedule", "PreferNoSchedule", "NoExecute").contains(effect)) {
                throw new ScenarioException(t.path() + ".effect: '" + effect
                        + "' is not a taint effect (NoSchedule, PreferNoSchedule, NoExecute)", t.line());
            }
            taints.add(new Taint(required(t, "key").text(), t.get("value") == null ? "" : t.get("value").text(), effect));
        }
        return new NodeSpec(name, count, capacity, allocatable, strings(n.get("labels")), taints,
                bool(n.get("unschedulable"), false), bool(n.get("ready"), true));
    }

    private static void checkUniqueNames(List<NodeSpec> nodes, YNode where) {
        Set<String> seen = new HashSet<>();
        for (NodeSpec spec : nodes) {
            for (int i = 0; i < spec.count(); i++) {
                if (!seen.add(spec.nameOf(i))) {
                    throw new ScenarioException("node " + spec.nameOf(i) + " is defined twice", where.line());
                }
            }
        }
    }

    private static Step step(YNode s) {
        keys(s, STEP);
        long at = time(required(s, "at"));
        List<Action> actions = new ArrayList<>();
        for (Map.Entry<String, YNode> e : s.entries().entrySet()) {
            YNode v = e.getValue();
            switch (e.getKey()) {
                case "at" -> {
                }
                case "submit" -> {
                    for (YNode item : list(v)) {
                        actions.add(submit(item));
                    }
                }
                case "complete" -> {
                    keys(v, COMPLETE);
                    actions.add(new Scenario.Complete(required(v, "app").text(), intValue(required(v, "pods"), 1)));
                }
                case "queuesConfig" -> actions.add(new Scenario.QueuesConfig(v.text()));
                case "removeNode" -> actions.add(new Scenario.RemoveNode(v.text()));
                case "cordon" -> actions.add(new Scenario.Cordon(v.text(), true));
                case "uncordon" -> actions.add(new Scenario.Cordon(v.text(), false));
                case "addNodes" -> {
                    List<NodeSpec> specs = new ArrayList<>();
                    for (YNode n : list(v)) {
                        specs.add(node(n));
                    }
                    actions.add(new Scenario.AddNodes(specs));
                }
                default -> throw new IllegalStateException(e.getKey());
            }
        }
        if (actions.isEmpty()) {
            throw new ScenarioException(s.path() + " has no action; use one of " + sorted(STEP), s.line());
        }
        return new Step(at, s.line(), actions);
    }

    private static Scenario.Submit submit(YNode v) {
        keys(v, SUBMIT);
        Map<String, String> labels = strings(v.get("labels"));
        Map<String, String> annotations = strings(v.get("annotations"));
        String app = v.get("app") == null ? null : v.get("app").text();
        String queue = v.get("queue") == null ? null : v.get("queue").text();
        List<String> groups = new ArrayList<>();
        for (YNode g : list(v.get("groups"))) {
            groups.add(g.text());
        }
        List<Toleration> tolerations = new ArrayList<>();
        for (YNode t : list(v.get("tolerations"))) {
            keys(t, TOLERATION);
            String op = t.get("operator") == null ? "Equal" : t.get("operator").text();
            if (!op.equals("Equal") && !op.equals("Exists")) {
                throw new ScenarioException(t.path() + ".operator: '" + op + "' must be Equal or Exists", t.line());
            }
            tolerations.add(new Toleration(text(t, "key"), op, text(t, "value"), text(t, "effect")));
        }
        return new Scenario.Submit(app, v.get("namespace") == null ? "default" : v.get("namespace").text(), queue,
                v.get("user") == null ? null : v.get("user").text(), groups,
                v.get("pods") == null ? 1 : intValue(v.get("pods"), 1),
                v.get("requests") == null ? Resources.NONE : resources(v.get("requests")),
                priority(v),
                v.get("duration") == null ? 0 : time(v.get("duration")),
                labels, annotations, strings(v.get("nodeSelector")), affinity(v.get("affinity")), tolerations,
                v.get("schedulerName") == null ? null : v.get("schedulerName").text(),
                v.get("node") == null ? null : v.get("node").text());
    }

    /** Kubernetes' own shape: {@code nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms}. */
    private static NodeAffinity affinity(YNode a) {
        if (a == null || a.isNull()) {
            return NodeAffinity.NONE;
        }
        keys(a, Set.of("nodeAffinity"));
        YNode na = required(a, "nodeAffinity");
        keys(na, Set.of("requiredDuringSchedulingIgnoredDuringExecution", "preferredDuringSchedulingIgnoredDuringExecution"));
        YNode req = na.get("requiredDuringSchedulingIgnoredDuringExecution");
        if (req == null) {
            return NodeAffinity.NONE;
        }
        keys(req, Set.of("nodeSelectorTerms"));
        List<List<NodeSelectorRequirement>> terms = new ArrayList<>();
        for (YNode term : list(required(req, "nodeSelectorTerms"))) {
            keys(term, Set.of("matchExpressions"));
            List<NodeSelectorRequirement> reqs = new ArrayList<>();
            for (YNode m : list(required(term, "matchExpressions"))) {
                keys(m, Set.of("key", "operator", "values"));
                String op = required(m, "operator").text();
                NodeSelectorRequirement.Operator operator;
                try {
                    operator = NodeSelectorRequirement.Operator.valueOf(op);
                } catch (IllegalArgumentException e) {
                    throw new ScenarioException(m.path() + ".operator: '" + op
                            + "' is not one of In, NotIn, Exists, DoesNotExist, Gt, Lt", m.keyLine("operator"));
                }
                List<String> values = new ArrayList<>();
                for (YNode x : list(m.get("values"))) {
                    values.add(x.text());
                }
                reqs.add(new NodeSelectorRequirement(required(m, "key").text(), operator, values));
            }
            terms.add(reqs);
        }
        return new NodeAffinity(terms);
    }

    private static Expectation expectation(YNode e) {
        keys(e, EXPECT);
        long at = time(required(e, "at"));
        Map<String, Map<String, Map<String, Object>>> byKind = new LinkedHashMap<>();
        Map<String, Integer> lines = new LinkedHashMap<>();
        for (Map.Entry<String, YNode> kind : e.entries().entrySet()) {
            if (kind.getKey().equals("at")) {
                continue;
            }
            Set<String> allowed = EXPECT_KEYS.get(kind.getKey());
            if (allowed == null) {
                throw new ScenarioException("unknown key '" + kind.getKey() + "' in " + e.path() + "; allowed: "
                        + sorted(EXPECT), e.keyLine(kind.getKey()));
            }
            Map<String, Map<String, Object>> byName = new LinkedHashMap<>();
            for (Map.Entry<String, YNode> named : kind.getValue().entries().entrySet()) {
                keys(named.getValue(), allowed);
                lines.put(kind.getKey() + "/" + named.getKey(), kind.getValue().keyLine(named.getKey()));
                Map<String, Object> checks = new LinkedHashMap<>();
                for (Map.Entry<String, YNode> check : named.getValue().entries().entrySet()) {
                    YNode v = check.getValue();
                    if (RESOURCE_KEYS.get(kind.getKey()).contains(check.getKey())) {
                        // Parsed now so that a bad quantity is reported with its line, compared by value later.
                        Map<String, String> q = strings(v);
                        q.forEach((res, val) -> quantity(v, res, val));
                        checks.put(check.getKey(), q);
                    } else {
                        checks.put(check.getKey(), v.text());
                    }
                }
                byName.put(named.getKey(), checks);
            }
            byKind.put(kind.getKey(), byName);
        }
        return new Expectation(at, e.line(), byKind, lines);
    }

    // ------------------------------------------------------------ helpers

    private static void keys(YNode n, Set<String> allowed) {
        for (String k : n.entries().keySet()) {
            if (!allowed.contains(k)) {
                throw new ScenarioException("unknown key '" + k + "' in " + (n.path().isEmpty() ? "the scenario" : n.path())
                        + "; allowed: " + sorted(allowed), n.keyLine(k));
            }
        }
    }

    private static String sorted(Set<String> s) {
        return String.join(", ", new TreeSet<>(s));
    }

    private static YNode required(YNode n, String key) {
        YNode v = n.get(key);
        if (v == null || v.isNull()) {
            throw new ScenarioException((n.path().isEmpty() ? "the scenario" : n.path()) + " needs '" + key + "'", n.line());
        }
        return v;
    }

    private static List<YNode> list(YNode n) {
        return n == null ? List.of() : n.items();
    }

    private static String text(YNode n, String key) {
        YNode v = n.get(key);
        return v == null || v.isNull() ? "" : v.text();
    }

    private static Map<String, String> strings(YNode n) {
        Map<String, String> out = new TreeMap<>();
        if (n != null) {
            n.entries().forEach((k, v) -> out.put(k, v.isNull() ? "" : v.text()));
        }
        return out;
    }

    private static Resources resources(YNode n) {
        Resources.Builder b = Resources.builder();
        n.entries().forEach((name, v) -> b.set(name, quantity(v, name, v.text())));
        return b.build();
    }

    private static long quantity(YNode where, String resource, String value) {
        try {
            return Quantity.parse(resource, value);
        } catch (IllegalArgumentException e) {
            throw new ScenarioException(where.path() + ": " + resource + ": " + e.getMessage(), where.line());
        }
    }

    private static int intValue(YNode n, int min) {
        try {
            int v = Integer.parseInt(n.text().trim());
            if (v < min) {
                throw new ScenarioException(n.path() + ": " + v + " is below the smallest allowed, " + min, n.line());
            }
            return v;
        } catch (NumberFormatException e) {
            throw new ScenarioException(n.path() + ": '" + n.text() + "' is not a whole number", n.line());
        }
    }

    private static boolean bool(YNode n, boolean fallback) {
        if (n == null || n.isNull()) {
            return fallback;
        }
        return switch (n.text()) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new ScenarioException(n.path() + ": '" + n.text() + "' must be true or false", n.line());
        };
    }

    /** A time or duration: {@code 10s}, {@code 1m30s}, {@code 500ms}; a bare number is seconds. */
    static long time(YNode n) {
        String t = n.text().trim();
        try {
            Duration d = t.matches("[0-9]+") ? Duration.ofSeconds(Long.parseLong(t)) : GoDuration.parse(t);
            if (d.isNegative()) {
                throw new ScenarioException(n.path() + ": '" + t + "' is negative", n.line());
            }
            return d.toMillis();
        } catch (IllegalArgumentException e) {
            throw new ScenarioException(n.path() + ": " + e.getMessage(), n.line());
        }
    }

    /** Milliseconds as the file would write them. */
    public static String format(long millis) {
        if (millis % 1000 != 0) {
            return millis + "ms";
        }
        long s = millis / 1000;
        if (s >= 60 && s % 60 == 0) {
            return s / 60 + "m";
        }
        if (s >= 60) {
            return s / 60 + "m" + s % 60 + "s";
        }
        return s + "s";
    }
}
