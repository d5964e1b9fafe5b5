package io.fairway.core.objects;

import io.fairway.core.resources.Quantity;
import io.fairway.core.resources.Resources;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * Reads a pod's gang, topology and FPGA annotations into {@link SchedulingHints}, the way YuniKorn's k8shim reads
 * {@code yunikorn.apache.org/task-groups}, {@code yunikorn.apache.org/task-group-name} and
 * {@code yunikorn.apache.org/schedulingPolicyParameters}, plus Fairway's {@code fairway.io/topology-domain},
 * {@code fairway.io/topology-mode} and {@code fairway.io/fpga-function}.
 *
 * <p>Never throws: whatever cannot be read becomes the gang's {@link GangSpec#problem()}, naming the annotation and
 * the bad value, and the app is then scheduled as a normal app.
 */
public final class GangAnnotations {
    public static final String TASK_GROUPS = "yunikorn.apache.org/task-groups";
    public static final String TASK_GROUP_NAME = "yunikorn.apache.org/task-group-name";
    public static final String POLICY_PARAMETERS = "yunikorn.apache.org/schedulingPolicyParameters";
    public static final String TOPOLOGY_DOMAIN = "fairway.io/topology-domain";
    public static final String TOPOLOGY_MODE = "fairway.io/topology-mode";
    public static final String FPGA_FUNCTION = "fairway.io/fpga-function";
    /** YuniKorn's opt-out from being a preemption victim: {@code "false"} (any case); anything else allows it. */
    public static final String ALLOW_PREEMPTION = "yunikorn.apache.org/allow-preemption";

    private static final ThreadLocal<Yaml> YAML = ThreadLocal.withInitial(() -> new Yaml(new LoaderOptions()));
    /** An app's pods all carry the same annotation text: parse each distinct text once. */
    private static final Map<String, GangSpec> SPECS = new ConcurrentHashMap<>();
    private static final int CACHE = 4096;

    private GangAnnotations() {
    }

    public static SchedulingHints hints(Map<String, String> annotations) {
        String group = trimmed(annotations.get(TASK_GROUP_NAME));
        String groups = annotations.get(TASK_GROUPS);
        String params = annotations.get(POLICY_PARAMETERS);
        GangSpec gang = groups == null || groups.isBlank() ? GangSpec.NONE : gang(groups, params == null ? "" : params);
        String problemTopology = "";
        Topology topology = Topology.NONE;
        String key = trimmed(annotations.get(TOPOLOGY_DOMAIN));
        if (!key.isEmpty()) {
            String mode = trimmed(annotations.get(TOPOLOGY_MODE)).toLowerCase(Locale.ROOT);
            switch (mode) {
                case "", "required" -> topology = new Topology(key, true);
                case "preferred" -> topology = new Topology(key, false);
                default -> {
                    problemTopology = "annotation " + TOPOLOGY_MODE + ": '" + mode
                            + "' is not required or preferred; using required";
                    topology = new Topology(key, true);
                }
            }
        }
        String fpga = trimmed(annotations.get(FPGA_FUNCTION));
        if (!problemTopology.isEmpty() && gang.problem().isEmpty()) {
            gang = new GangSpec(gang.groups(), gang.style(), gang.timeoutMillis(), problemTopology);
        }
        boolean noPreemption = "false".equalsIgnoreCase(trimmed(annotations.get(ALLOW_PREEMPTION)));
        SchedulingHints h = new SchedulingHints(group, gang, topology, fpga, noPreemption);
        return h.isNone() ? SchedulingHints.NONE : h;
    }

    /** The gang of a task-groups annotation and the policy parameters that go with it. */
    public static GangSpec gang(String taskGroups, String parameters) {
        String cacheKey = taskGroups + "\u0000" + parameters;
        GangSpec known = SPECS.get(cacheKey);
        if (known == null) {
            if (SPECS.size() >= CACHE) {
                SPECS.clear();
            }
            known = parse(taskGroups, parameters);
            SPECS.put(cacheKey, known);
        }
        return known;
    }

    private static GangSpec parse(String taskGroups, String parameters) {
        Object parsed;
        try {
            parsed = YAML.get().load(taskGroups);
        } catch (RuntimeException e) {
            return GangSpec.invalid("annotation " + TASK_GROUPS + " is not valid JSON: "
                    + Optional.ofNullable(e.getMessage()).orElse(e.toString()).lines().findFirst().orElse(""));
        }
        if (!(parsed instanceof List<?> list)) {
            return GangSpec.invalid("annotation " + TASK_GROUPS + " must be a JSON array of task groups, not "
                    + describe(parsed));
        }
        if (list.isEmpty()) {
            return GangSpec.invalid("annotation " + TASK_GROUPS + " lists no task group");
        }
        List<TaskGroup> groups = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < list.size(); i++) {
            String where = "annotation " + TASK_GROUPS + "[" + i + "]";
            if (!(list.get(i) instanceof Map<?, ?> g)) {
                return GangSpec.invalid(where + " must be an object with name, minMember and minResource");
            }
            Object name = g.get("name");
            if (!(name instanceof String n) || n.isBlank()) {
                return GangSpec.invalid(where + " has no name");
            }
            where = "annotation " + TASK_GROUPS + " group '" + n + "'";
            if (!names.add(n)) {
                return GangSpec.invalid(where + " is listed twice");
            }
            Object min = g.get("minMember");
            if (!(min instanceof Integer m) || m < 1) {
                return GangSpec.invalid(where + ": minMember " + describe(min) + " must be a whole number, 1 or more");
            }
            Resources res;
            try {
                res = resources(g.get("minResource"));
            } catch (IllegalArgumentException e) {
                return GangSpec.invalid(where + ": minResource " + e.getMessage());
            }
            if (res.isZero()) {
                return GangSpec.invalid(where + ": minResource is empty; say what each member needs, e.g. {\"cpu\": \"1\"}");
            }
            Map<String, String> selector;
            List<Toleration> tolerations;
            NodeAffinity affinity;
            try {
                selector = strings(g.get("nodeSelector"), "nodeSelector");
                tolerations = tolerations(g.get("tolerations"));
                affinity = affinity(g.get("affinity"));
            } catch (IllegalArgumentException e) {
                return GangSpec.invalid(where + ": " + e.getMessage());
            }
            groups.add(new TaskGroup(n, m, res, selector, tolerations, affinity));
        }
        GangSpec.Style style = GangSpec.Style.SOFT;
        long timeout = GangSpec.DEFAULT_TIMEOUT_MILLIS;
        for (String part : parameters.trim().split("\\s+")) {
            if (part.isEmpty()) {
                continue;
            }
            int eq = part.indexOf('=');
            String k = eq < 0 ? part : part.substring(0, eq);
            String v = eq < 0 ? "" : part.substring(eq + 1);
            switch (k) {
                case "placeholderTimeoutInSeconds" -> {
                    try {
                        long s = Long.parseLong(v);
                        if (s <= 0) {
                            throw new NumberFormatException();
                        }
                        timeout = s * 1000;
                    } catch (NumberFormatException e) {
                        return GangSpec.invalid("annotation " + POLICY_PARAMETERS + ": placeholderTimeoutInSeconds '" + v
                                + "' must be a whole number of seconds above 0");
                    }
                }
                case "gangSchedulingStyle" -> {
                    switch (v.toLowerCase(Locale.ROOT)) {
                        case "soft" -> style = GangSpec.Style.SOFT;
                        case "hard" -> style = GangSpec.Style.HARD;
                        default -> {
                            return GangSpec.invalid("annotation " + POLICY_PARAMETERS + ": gangSchedulingStyle '" + v
                                    + "' must be Soft or Hard");
                        }
                    }
                }
                default -> {
                    // YuniKorn ignores parameters it does not know; so do we.
                }
            }
        }
        return new GangSpec(groups, style, timeout, "");
    }

    private static Resources resources(Object o) {
        if (!(o instanceof Map<?, ?> m)) {
            throw new IllegalArgumentException(describe(o) + " must be an object of resource to quantity");
        }
        Resources.Builder b = Resources.builder();
        for (Map.Entry<?, ?> e : m.entrySet()) {
            String name = String.valueOf(e.getKey());
            String q = String.valueOf(e.getValue());
            long v;
            try {
                v = Quantity.parse(name, q);
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException(name + " '" + q + "': " + ex.getMessage());
            }
            if (v < 0) {
                throw new IllegalArgumentException(name + " '" + q + "' is negative");
            }
            b.set(name, v);
        }
        return b.build();
    }

    private static Map<String, String> strings(Object o, String what) {
        if (o == null) {
            return Map.of();
        }
        if (!(o instanceof Map<?, ?> m)) {
            throw new IllegalArgumentException(what + " must be an object of label to value, not " + describe(o));
        }
        Map<String, String> out = new TreeMap<>();
        m.forEach((k, v) -> out.put(String.valueOf(k), String.valueOf(v)));
        return out;
    }

    private static List<Toleration> tolerations(Object o) {
        if (o == null) {
            return List.of();
        }
        if (!(o instanceof List<?> l)) {
            throw new IllegalArgumentException("tolerations must be an array, not " + describe(o));
        }
        List<Toleration> out = new ArrayList<>();
        for (Object t : l) {
            if (!(t instanceof Map<?, ?> m)) {
                throw new IllegalArgumentException("a toleration must be an object, not " + describe(t));
            }
            String op = m.get("operator") == null ? "Equal" : String.valueOf(m.get("operator"));
            if (!op.equals("Equal") && !op.equals("Exists")) {
                throw new IllegalArgumentException("toleration operator '" + op + "' must be Equal or Exists");
            }
            out.add(new Toleration(str(m.get("key")), op, str(m.get("value")), str(m.get("effect"))));
        }
        return out;
    }

    /** Kubernetes' shape; only {@code nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution} is used. */
    private static NodeAffinity affinity(Object o) {
        if (!(o instanceof Map<?, ?> a) || !(a.get("nodeAffinity") instanceof Map<?, ?> na)
                || !(na.get("requiredDuringSchedulingIgnoredDuringExecution") instanceof Map<?, ?> req)) {
            return NodeAffinity.NONE;
        }
        if (!(req.get("nodeSelectorTerms") instanceof List<?> terms)) {
            throw new IllegalArgumentException("affinity: nodeSelectorTerms must be an array");
        }
        List<List<NodeSelectorRequirement>> out = new ArrayList<>();
        for (Object term : terms) {
            List<NodeSelectorRequirement> reqs = new ArrayList<>();
            if (term instanceof Map<?, ?> t && t.get("matchExpressions") instanceof List<?> exprs) {
                for (Object x : exprs) {
                    if (!(x instanceof Map<?, ?> m)) {
                        throw new IllegalArgumentException("affinity: a match expression must be an object");
                    }
                    NodeSelectorRequirement.Operator op;
                    try {
                        op = NodeSelectorRequirement.Operator.valueOf(str(m.get("operator")));
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException("affinity: operator '" + str(m.get("operator"))
                                + "' is not one of In, NotIn, Exists, DoesNotExist, Gt, Lt");
                    }
                    List<String> values = m.get("values") instanceof List<?> vs
                            ? vs.stream().map(String::valueOf).toList() : List.of();
                    reqs.add(new NodeSelectorRequirement(str(m.get("key")), op, values));
                }
            }
            out.add(reqs);
        }
        return new NodeAffinity(out);
    }

    private static String str(Object o) {
        return o == null ? "" : String.valueOf(o);
    }

    private static String trimmed(String s) {
        return s == null ? "" : s.trim();
    }

    private static String describe(Object o) {
        if (o == null) {
            return "(missing)";
        }
        if (o instanceof String s) {
            return "'" + s + "'";
        }
        if (o instanceof Map<?, ?>) {
            return "an object";
        }
        if (o instanceof List<?>) {
            return "an array";
        }
        return String.valueOf(o);
    }
}
