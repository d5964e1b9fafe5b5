package io.fairway.core.config;

import io.fairway.core.resources.Quantity;
import io.fairway.core.resources.ResourceNames;
import io.fairway.core.resources.Resources;
import io.fairway.core.yaml.YNode;
import io.fairway.core.yaml.YamlException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads a YuniKorn {@code queues.yaml} (or a Kubernetes ConfigMap holding one under {@code data."queues.yaml"})
 * into a {@link SchedulerConfig}, then runs {@link ConfigValidator}. Every problem found is collected and thrown
 * together in one {@link ConfigException}, each naming the place (YAML path or queue) and the line.
 *
 * <p>Keys are the lower-case names that YuniKorn's Go YAML reader matches; a key it would not recognise is
 * reported rather than ignored, since a misspelt {@code maxApplications} would otherwise silently mean "no limit".
 */
public final class QueueConfigParser {
    private static final String CONFIGMAP_KEY = "queues.yaml";
    private static final String CONFIGMAP_PREFIX = "data.queues.yaml: ";

    private static final List<String> TOP_KEYS = List.of("partitions", "checksum");
    private static final List<String> PARTITION_KEYS = List.of(
            "name", "queues", "placementrules", "limits", "preemption", "nodesortpolicy", "statedumpfilepath");
    private static final List<String> QUEUE_KEYS = List.of("name", "parent", "resources", "maxapplications",
            "properties", "adminacl", "submitacl", "childtemplate", "queues", "limits");
    private static final List<String> RESOURCES_KEYS = List.of("guaranteed", "max");
    private static final List<String> CHILD_TEMPLATE_KEYS = List.of("maxapplications", "properties", "resources");
    private static final List<String> RULE_KEYS = List.of("name", "create", "parent", "filter", "value");
    private static final List<String> FILTER_KEYS = List.of("type", "users", "groups");
    private static final List<String> LIMIT_KEYS = List.of("limit", "users", "groups", "maxresources", "maxapplications");
    private static final List<String> PREEMPTION_KEYS = List.of("enabled", "quotapreemptionenabled");
    private static final List<String> NODE_SORT_KEYS = List.of("type", "resourceweights");

    private final Problems problems;
    private final Origins origins = new Origins();

    private QueueConfigParser(Problems problems) {
        this.problems = problems;
    }

    /**
     * Parses and validates a queue config.
     *
     * @throws ConfigException with every problem found when the config is not valid
     */
    public static SchedulerConfig parse(String yamlText) {
        Problems outer = new Problems("");
        YNode doc = read(yamlText == null ? "" : yamlText, outer);
        if (doc == null) {
            throw new ConfigException(outer.sorted());
        }
        Problems problems = outer;
        if (isConfigMap(doc)) {
            YNode inner = doc.isMap() && doc.get("data") != null && doc.get("data").isMap()
                    ? doc.get("data").get(CONFIGMAP_KEY) : null;
            if (inner == null || !inner.isScalar()) {
                outer.add("data", doc.keyLine("data"), "this ConfigMap has no data.\"queues.yaml\" text; put the "
                        + "YuniKorn queue config there as a block: 'queues.yaml: |' followed by the indented YAML");
                throw new ConfigException(outer.sorted());
            }
            // Lines in the inner document count from its own first line; the prefix tells the reader so.
            problems = new Problems(CONFIGMAP_PREFIX);
            doc = read(inner.text(), problems);
            if (doc == null) {
                throw new ConfigException(problems.sorted());
            }
        }
        QueueConfigParser parser = new QueueConfigParser(problems);
        SchedulerConfig config = parser.config(doc);
        ConfigValidator.validate(config, parser.origins, problems);
        if (!problems.isEmpty()) {
            throw new ConfigException(problems.sorted());
        }
        return config;
    }

    private static YNode read(String text, Problems problems) {
        try {
            return YNode.parse(text);
        } catch (YamlException e) {
            String message = e.getMessage().replaceFirst("^line \\d+: ", "");
            problems.add("document", e.line(), message + "; fix the YAML syntax there");
            return null;
        }
    }

    private static boolean isConfigMap(YNode doc) {
        if (!doc.isMap()) {
            return false;
        }
        YNode kind = doc.get("kind");
        return kind != null && kind.isScalar() && kind.text().equals("ConfigMap");
    }

    private SchedulerConfig config(YNode doc) {
        Map<String, YNode> top = map(doc, "the top level", TOP_KEYS);
        List<PartitionConfig> partitions = new ArrayList<>();
        List<YNode> items = list(top.get("partitions"), "partitions");
        for (int i = 0; i < items.size(); i++) {
            partitions.add(partition(items.get(i)));
        }
        SchedulerConfig config = new SchedulerConfig(partitions);
        origins.put(config, doc);
        return config;
    }

    private PartitionConfig partition(YNode node) {
        Map<String, YNode> e = map(node, "partition", PARTITION_KEYS);
        String name = string(e.get("name"), "partition name");
        // YuniKorn names a partition without a name "default", and folds "Default" to it.
        if (name == null || name.isBlank() || name.equalsIgnoreCase("default")) {
            name = "default";
        }
        QueueConfig root = topQueues(node, e.get("queues"), name);
        List<PlacementRule> rules = new ArrayList<>();
        for (YNode r : list(e.get("placementrules"), "placementrules")) {
            rules.add(rule(r));
        }
        List<Limit> limits = limits(e.get("limits"), "partition " + name);
        PreemptionConfig preemption = preemption(e.get("preemption"));
        NodeSortPolicy nodeSort = nodeSortPolicy(e.get("nodesortpolicy"));
        string(e.get("statedumpfilepath"), "statedumpfilepath"); // deprecated in YuniKorn and ignored
        PartitionConfig partition = new PartitionConfig(name, root, rules, limits, preemption, nodeSort);
        origins.put(partition, node);
        return partition;
    }

    /** The partition's root queue: the one queue named root, else an implicit root over all the listed queues. */
    private QueueConfig topQueues(YNode partitionNode, YNode queuesNode, String partition) {
        if (queuesNode == null || queuesNode.isNull()) {
            problems.add(pathOf(partitionNode, "queues"), partitionNode.line(), "partition '" + partition
                    + "' has no queues; add 'queues:' with a root queue, e.g. '- name: root' with its children");
        }
        List<YNode> tops = list(queuesNode, "queues");
        if (tops.size() == 1 && "root".equalsIgnoreCase(peekName(tops.getFirst()))) {
            return queue(tops.getFirst(), "");
        }
        // YuniKorn wraps anything else under a root of its own, so a partition may list its queues directly.
        List<QueueConfig> children = new ArrayList<>();
        for (YNode t : tops) {
            children.add(queue(t, "root"));
        }
        QueueConfig root = new QueueConfig("root", true, Resources.NONE, Resources.NONE, 0, Map.of(),
                Acl.NOT_SET, Acl.NOT_SET, ChildTemplate.NONE, children, List.of());
        origins.put(root, queuesNode != null ? queuesNode : partitionNode);
        return root;
    }

    private static String peekName(YNode queue) {
        if (!queue.isMap()) {
            return null;
        }
        YNode name = queue.get("name");
        return name != null && name.isScalar() ? name.text() : null;
    }

    /** One queue and its subtree; {@code parentName} is empty for the root. */
    private QueueConfig queue(YNode node, String parentName) {
        Map<String, YNode> e = map(node, "queue", QUEUE_KEYS);
        boolean isRoot = parentName.isEmpty();
        String name = isRoot ? "root" : nullToEmpty(string(e.get("name"), "queue name"));
        String full = isRoot ? "root" : parentName + "." + (name.isEmpty() ? "<no name>" : name);
        String owner = "queue " + full;
        // The root is always a parent, whatever it says (YuniKorn forces it).
        boolean parent = isRoot || bool(e.get("parent"), "parent of " + owner, false);
        Map<String, YNode> res = map(e.get("resources"), "resources", RESOURCES_KEYS);
        Resources guaranteed = resources(res.get("guaranteed"), "guaranteed", owner);
        Resources max = resources(res.get("max"), "max", owner);
        long maxApps = count(e.get("maxapplications"), "maxapplications of " + owner);
        Map<String, String> properties = properties(e.get("properties"), owner);
        Acl admin = acl(e.get("adminacl"), "adminacl of " + owner);
        Acl submit = acl(e.get("submitacl"), "submitacl of " + owner);
        ChildTemplate template = childTemplate(e.get("childtemplate"), owner);
        List<QueueConfig> children = new ArrayList<>();
        for (YNode c : list(e.get("queues"), "queues")) {
            children.add(queue(c, full));
        }
        List<Limit> limits = limits(e.get("limits"), owner);
        QueueConfig q = new QueueConfig(name, parent, guaranteed, max, maxApps, properties, submit, admin, template,
                children, limits);
        origins.put(q, node);
        return q;
    }

    private ChildTemplate childTemplate(YNode node, String owner) {
        if (node == null || node.isNull()) {
            return ChildTemplate.NONE;
        }
        String what = "childtemplate of " + owner;
        Map<String, YNode> e = map(node, "childtemplate", CHILD_TEMPLATE_KEYS);
        Map<String, YNode> res = map(e.get("resources"), "resources", RESOURCES_KEYS);
        ChildTemplate t = new ChildTemplate(
                count(e.get("maxapplications"), "maxapplications of " + what),
                properties(e.get("properties"), what),
                resources(res.get("guaranteed"), "guaranteed", what),
                resources(res.get("max"), "max", what));
        origins.put(t, node);
        return t;
    }

    private List<Limit> limits(YNode node, String owner) {
        List<Limit> out = new ArrayList<>();
        for (YNode item : list(node, "limits")) {
            int before = problems.size();
            Map<String, YNode> e = map(item, "limit", LIMIT_KEYS);
            String description = string(e.get("limit"), "limit description");
            String what = "limit" + (description == null || description.isBlank() ? "" : " '" + description + "'")
                    + " of " + owner;
            Limit limit = new Limit(description,
                    strings(e.get("users"), "users"),
                    strings(e.get("groups"), "groups"),
                    resources(e.get("maxresources"), "maxresources", what),
                    count(e.get("maxapplications"), "maxapplications of " + what));
            origins.put(limit, item);
            if (problems.size() > before) {
                origins.markIncomplete(limit);
            }
            out.add(limit);
        }
        return out;
    }

    private PlacementRule rule(YNode node) {
        int before = problems.size();
        Map<String, YNode> e = map(node, "placement rule", RULE_KEYS);
        YNode parentNode = e.get("parent");
        int beforeParent = problems.size();
        PlacementRule parent = parentNode == null || parentNode.isNull() ? null : rule(parentNode);
        int ofParent = problems.size() - beforeParent;
        String name = nullToEmpty(string(e.get("name"), "placement rule name")).toLowerCase(Locale.ROOT);
        boolean create = bool(e.get("create"), "create of placement rule " + name, false);
        Filter filter = filter(e.get("filter"));
        String value = nullToEmpty(string(e.get("value"), "value of placement rule " + name));
        // Only tag and fixed read a value; YuniKorn ignores it on the others.
        if (!name.equals("tag") && !name.equals("fixed")) {
            value = "";
        }
        PlacementRule rule = new PlacementRule(name, create, parent, filter, value);
        origins.put(rule, node);
        if (problems.size() - before - ofParent > 0) {
            origins.markIncomplete(rule);
        }
        return rule;
    }

    private Filter filter(YNode node) {
        if (node == null || node.isNull()) {
            return Filter.ALLOW_ALL;
        }
        Map<String, YNode> e = map(node, "filter", FILTER_KEYS);
        String type = nullToEmpty(string(e.get("type"), "filter type"));
        boolean allow = true;
        if (type.equalsIgnoreCase("deny")) {
            allow = false;
        } else if (!type.isEmpty() && !type.equalsIgnoreCase("allow")) {
            YNode t = e.get("type");
            problems.add(t.path(), t.line(), "filter type '" + type + "' is not known; use allow or deny");
        }
        Filter filter = new Filter(allow, strings(e.get("users"), "users"), strings(e.get("groups"), "groups"));
        origins.put(filter, node);
        return filter;
    }

    private PreemptionConfig preemption(YNode node) {
        if (node == null || node.isNull()) {
            return PreemptionConfig.DEFAULT;
        }
        Map<String, YNode> e = map(node, "preemption", PREEMPTION_KEYS);
        return new PreemptionConfig(
                bool(e.get("enabled"), "preemption enabled", null),
                bool(e.get("quotapreemptionenabled"), "preemption quotapreemptionenabled", null));
    }

    private NodeSortPolicy nodeSortPolicy(YNode node) {
        if (node == null || node.isNull()) {
            return NodeSortPolicy.DEFAULT;
        }
        Map<String, YNode> e = map(node, "nodesortpolicy", NODE_SORT_KEYS);
        String type = nullToEmpty(string(e.get("type"), "nodesortpolicy type"));
        NodeSortPolicy.Type t = NodeSortPolicy.Type.FAIR;
        if (type.equalsIgnoreCase("binpacking")) {
            t = NodeSortPolicy.Type.BINPACKING;
        } else if (!type.isEmpty() && !type.equalsIgnoreCase("fair")) {
            YNode n = e.get("type");
            problems.add(n.path(), n.line(), "node sort policy type '" + type + "' is not known; use fair or binpacking");
        }
        Map<String, Double> weights = new LinkedHashMap<>();
        for (Map.Entry<String, YNode> w : map(e.get("resourceweights"), "resourceweights", null).entrySet()) {
            String text = string(w.getValue(), "resource weight of " + w.getKey());
            if (text == null) {
                continue;
            }
            try {
                double v = Double.parseDouble(text.trim());
                if (Double.isNaN(v) || Double.isInfinite(v)) {
                    throw new NumberFormatException();
                }
                weights.put(ResourceNames.fromYuniKorn(w.getKey()), v);
            } catch (NumberFormatException ex) {
                problems.add(w.getValue().path(), w.getValue().line(), "resource weight for " + w.getKey() + " '"
                        + text + "' is not a number; write e.g. 1.0 or 2.5");
            }
        }
        NodeSortPolicy policy = new NodeSortPolicy(t, weights.isEmpty() ? NodeSortPolicy.DEFAULT_WEIGHTS : weights);
        origins.put(policy, node);
        return policy;
    }

    // ---- typed readers: each reports a problem and returns a harmless value, so that reading goes on ----

    /** A map's entries, reporting keys outside {@code allowed} (null = any key). A missing node is empty. */
    private Map<String, YNode> map(YNode node, String what, List<String> allowed) {
        if (node == null || node.isNull()) {
            return Map.of();
        }
        if (!node.isMap()) {
            problems.add(node.path().isEmpty() ? "document" : node.path(), node.line(),
                    what + " must be a map of keys and values, found " + describe(node));
            return Map.of();
        }
        Map<String, YNode> entries = node.entries();
        if (allowed != null) {
            for (Map.Entry<String, YNode> e : entries.entrySet()) {
                if (!allowed.contains(e.getKey())) {
                    problems.add(e.getValue().path(), node.keyLine(e.getKey()), unknownKey(e.getKey(), what, allowed));
                }
            }
        }
        return entries;
    }

    private static String unknownKey(String key, String what, List<String> allowed) {
        String hint = "";
        for (String a : allowed) {
            if (a.equalsIgnoreCase(key)) {
                hint = " (did you mean '" + a + "'? keys are lower-case)";
            }
        }
        return "unknown key '" + key + "' in " + what + hint + "; allowed keys: " + String.join(", ", allowed);
    }

    private List<YNode> list(YNode node, String what) {
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isList()) {
            problems.add(node.path(), node.line(), what + " must be a list (items starting with '- '), found "
                    + describe(node));
            return List.of();
        }
        return node.items();
    }

    /** A single value as text (numbers keep their written form); null when absent. */
    private String string(YNode node, String what) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isScalar()) {
            problems.add(node.path(), node.line(), what + " must be a single value, found " + describe(node));
            return null;
        }
        return node.text();
    }

    private List<String> strings(YNode node, String what) {
        List<String> out = new ArrayList<>();
        for (YNode item : list(node, what)) {
            String s = string(item, "an entry of " + what);
            if (s != null) {
                out.add(s);
            }
        }
        return out;
    }

    private Boolean bool(YNode node, String what, Boolean absent) {
        String text = string(node, what);
        if (text == null) {
            return absent;
        }
        // Go's YAML v2 reader takes the YAML 1.1 spellings too.
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> {
                problems.add(node.path(), node.line(), what + " '" + text + "' is not true or false");
                yield absent;
            }
        };
    }

    /** A non-negative whole number, 0 when absent (YuniKorn: no limit). */
    private long count(YNode node, String what) {
        String text = string(node, what);
        if (text == null) {
            return 0;
        }
        try {
            long v = Long.parseLong(text.trim());
            if (v < 0) {
                problems.add(node.path(), node.line(), what + " " + text + " is negative; use 0 (no limit) or more");
                return 0;
            }
            return v;
        } catch (NumberFormatException e) {
            problems.add(node.path(), node.line(), what + " '" + text
                    + "' is not a whole number; write a count like 10 (0 means no limit)");
            return 0;
        }
    }

    private Map<String, String> properties(YNode node, String owner) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, YNode> e : map(node, "properties", null).entrySet()) {
            YNode v = e.getValue();
            if (v.isNull()) {
                out.put(e.getKey(), "");
            } else {
                String text = string(v, "property " + e.getKey() + " of " + owner);
                if (text != null) {
                    out.put(e.getKey(), text);
                }
            }
        }
        return out;
    }

    private Acl acl(YNode node, String what) {
        if (node == null || node.isNull()) {
            return Acl.NOT_SET;
        }
        String raw = string(node, what);
        if (raw == null) {
            return Acl.NOT_SET;
        }
        return Acl.parse(raw);
    }

    /** Resource quantities by YuniKorn name ({@code vcore} is cpu); a bad entry is reported and left out. */
    private Resources resources(YNode node, String label, String owner) {
        Resources.Builder b = Resources.builder();
        Map<String, String> seen = new HashMap<>();
        for (Map.Entry<String, YNode> e : map(node, label, null).entrySet()) {
            String written = e.getKey();
            YNode v = e.getValue();
            String name = ResourceNames.fromYuniKorn(written);
            String text = string(v, label + " " + written + " of " + owner);
            if (text == null) {
                if (v.isNull()) {
                    problems.add(v.path(), v.line(), label + " " + written + " of " + owner
                            + " has no value; write a quantity like 10Gi or 4, or remove the line");
                }
                continue;
            }
            String other = seen.put(name, written);
            if (other != null) {
                problems.add(v.path(), node.keyLine(written), label + " of " + owner + " names " + name + " twice ('"
                        + other + "' and '" + written + "'); keep one");
                continue;
            }
            try {
                BigDecimal decimal = Quantity.parseDecimal(text);
                if (decimal.signum() < 0) {
                    problems.add(v.path(), v.line(), label + " " + written + " '" + text + "' of " + owner
                            + " is negative; resources must be 0 or more");
                    continue;
                }
                b.set(name, Quantity.parse(name, text));
            } catch (IllegalArgumentException ex) {
                problems.add(v.path(), v.line(), label + " " + written + " of " + owner + ": " + ex.getMessage()
                        + "; write a quantity like 10Gi, 500m or 4");
            }
        }
        return b.build();
    }

    private static String describe(YNode node) {
        if (node.isMap()) {
            return "a map";
        }
        if (node.isList()) {
            return "a list";
        }
        return node.isNull() ? "nothing" : "'" + node.text() + "'";
    }

    private static String pathOf(YNode node, String key) {
        return node.path().isEmpty() ? key : node.path() + "." + key;
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}
