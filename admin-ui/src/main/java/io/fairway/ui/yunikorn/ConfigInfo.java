package io.fairway.ui.yunikorn;

import io.fairway.core.config.Acl;
import io.fairway.core.config.ChildTemplate;
import io.fairway.core.config.Filter;
import io.fairway.core.config.Limit;
import io.fairway.core.config.NodeSortPolicy;
import io.fairway.core.config.PartitionConfig;
import io.fairway.core.config.PlacementRule;
import io.fairway.core.config.QueueConfig;
import io.fairway.core.resources.Resources;
import io.fairway.core.state.ClusterState;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The queue config in force, as YuniKorn's {@code /ws/v1/config} gives it: as JSON, YuniKorn's config structs under
 * their Go field names ({@code Partitions}, {@code Queues}, {@code SubmitACL}, ...), with Go's {@code omitempty}
 * (empty fields left out, struct fields always there), plus the {@code Checksum} (SHA-256 of the config text, upper
 * case hex, as YuniKorn computes it) and {@code Extra}; as YAML, the config text as it was applied followed by its
 * checksum. Quantities are written back in Kubernetes notation under YuniKorn's names ({@code vcore: "1500m"}).
 *
 * <p>Zero values: {@code Extra} is empty (Fairway has no YuniKorn configmap settings beside the queues), a
 * partition's {@code Preemption.Enabled} is false unless the config sets it, and a placement rule filter that allows
 * everyone has YuniKorn's unset {@code Type} "".
 */
final class ConfigInfo {
    private ConfigInfo() {
    }

    static Map<String, Object> json(ClusterState s) {
        Map<String, Object> out = new LinkedHashMap<>();
        List<Object> partitions = new ArrayList<>();
        for (PartitionConfig p : s.config().partitions()) {
            partitions.add(partition(p));
        }
        out.put("Partitions", partitions);
        out.put("Checksum", checksum(s.configText()));
        out.put("Extra", Map.of());
        return out;
    }

    static String yaml(ClusterState s) {
        String text = s.configText();
        return text + (text.endsWith("\n") ? "" : "\n") + "checksum: " + checksum(text) + "\n";
    }

    static String checksum(String text) {
        try {
            byte[] sum = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().withUpperCase().formatHex(sum);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    private static Map<String, Object> partition(PartitionConfig p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Name", p.name());
        m.put("Queues", List.of(queue(p.root())));
        List<Object> rules = new ArrayList<>();
        for (PlacementRule r : p.placementRules()) {
            rules.add(rule(r));
        }
        putList(m, "PlacementRules", rules);
        putList(m, "Limits", limits(p.limits()));
        Map<String, Object> preemption = new LinkedHashMap<>();
        preemption.put("Enabled", p.preemption() != null && Boolean.TRUE.equals(p.preemption().enabled()));
        m.put("Preemption", preemption);
        NodeSortPolicy sort = p.nodeSortPolicy() == null ? NodeSortPolicy.DEFAULT : p.nodeSortPolicy();
        Map<String, Object> nodeSort = new LinkedHashMap<>();
        nodeSort.put("Type", sort.type().name().toLowerCase(Locale.ROOT));
        Map<String, Double> weights = new TreeMap<>();
        sort.resourceWeights().forEach((name, w) -> weights.put(YuniKornResources.name(name), w));
        putMap(nodeSort, "ResourceWeights", weights);
        m.put("NodeSortPolicy", nodeSort);
        return m;
    }

    private static Map<String, Object> queue(QueueConfig q) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Name", q.name());
        if (q.isParent()) {
            m.put("Parent", true);
        }
        m.put("Resources", resources(q.guaranteed(), q.max()));
        if (q.maxApplications() > 0) {
            m.put("MaxApplications", q.maxApplications());
        }
        putMap(m, "Properties", new TreeMap<>(q.properties()));
        putAcl(m, "AdminACL", q.adminAcl());
        putAcl(m, "SubmitACL", q.submitAcl());
        m.put("ChildTemplate", template(q.childTemplate()));
        List<Object> children = new ArrayList<>();
        for (QueueConfig c : q.queues()) {
            children.add(queue(c));
        }
        putList(m, "Queues", children);
        putList(m, "Limits", limits(q.limits()));
        return m;
    }

    private static Map<String, Object> template(ChildTemplate t) {
        ChildTemplate c = t == null ? ChildTemplate.NONE : t;
        Map<String, Object> m = new LinkedHashMap<>();
        if (c.maxApplications() > 0) {
            m.put("MaxApplications", c.maxApplications());
        }
        putMap(m, "Properties", new TreeMap<>(c.properties()));
        m.put("Resources", resources(c.guaranteed(), c.max()));
        return m;
    }

    private static Map<String, Object> resources(Resources guaranteed, Resources max) {
        Map<String, Object> m = new LinkedHashMap<>();
        putMap(m, "Guaranteed", quantities(guaranteed));
        putMap(m, "Max", quantities(max));
        return m;
    }

    private static Map<String, String> quantities(Resources r) {
        Map<String, String> out = new TreeMap<>();
        r.toQuantities().forEach((name, q) -> out.put(YuniKornResources.name(name), q));
        return out;
    }

    private static List<Object> limits(List<Limit> limits) {
        List<Object> out = new ArrayList<>();
        for (Limit l : limits) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("Limit", l.description() == null ? "" : l.description());
            putList(m, "Users", new ArrayList<>(l.users()));
            putList(m, "Groups", new ArrayList<>(l.groups()));
            putMap(m, "MaxResources", quantities(l.maxResources()));
            if (l.maxApplications() > 0) {
                m.put("MaxApplications", l.maxApplications());
            }
            out.add(m);
        }
        return out;
    }

    private static Map<String, Object> rule(PlacementRule r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Name", r.name());
        if (r.create()) {
            m.put("Create", true);
        }
        Filter f = r.filter() == null ? Filter.ALLOW_ALL : r.filter();
        Map<String, Object> filter = new LinkedHashMap<>();
        filter.put("Type", f.equals(Filter.ALLOW_ALL) ? "" : f.allow() ? "allow" : "deny");
        putList(filter, "Users", new ArrayList<>(f.users()));
        putList(filter, "Groups", new ArrayList<>(f.groups()));
        m.put("Filter", filter);
        if (r.parent() != null) {
            m.put("Parent", rule(r.parent()));
        }
        if (r.value() != null && !r.value().isEmpty()) {
            m.put("Value", r.value());
        }
        return m;
    }

    private static void putAcl(Map<String, Object> m, String key, Acl acl) {
        if (acl != null && acl.isSet() && !acl.raw().isEmpty()) {
            m.put(key, acl.raw());
        }
    }

    private static void putList(Map<String, Object> m, String key, List<?> list) {
        if (!list.isEmpty()) {
            m.put(key, list);
        }
    }

    private static void putMap(Map<String, Object> m, String key, Map<String, ?> map) {
        if (!map.isEmpty()) {
            m.put(key, map);
        }
    }
}
