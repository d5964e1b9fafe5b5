package io.fairway.k8s;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fairway.core.objects.Node;
import io.fairway.core.objects.NodeAffinity;
import io.fairway.core.objects.NodeSelectorRequirement;
import io.fairway.core.objects.Pod;
import io.fairway.core.objects.PodPhase;
import io.fairway.core.objects.Taint;
import io.fairway.core.objects.Toleration;
import io.fairway.core.objects.GangAnnotations;
import io.fairway.core.objects.YuniKornLabels;
import io.fairway.core.resources.Quantity;
import io.fairway.core.resources.ResourceNames;
import io.fairway.core.resources.Resources;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.ToIntFunction;

/**
 * Kubernetes objects (fabric8's model) as the core sees them. The resolution rules are kube-scheduler's where it has
 * them (a pod's request is the larger of its containers' sum and its largest init container, plus overhead; a
 * container with limits and no requests requests its limits), YuniKorn's for app, queue and user.
 */
public final class KubeObjects {
    /**
     * The user of a pod without a readable {@code yunikorn.apache.org/user.info} annotation whose namespace gives no
     * default either, as in YuniKorn.
     */
    public static final String DEFAULT_USER = "nobody";
    private static final YuniKornLabels.UserInfo NOBODY = new YuniKornLabels.UserInfo(DEFAULT_USER, List.of());

    private KubeObjects() {
    }

    /**
     * The core's pod.
     *
     * @param priorityOf        the value of a PriorityClass by name, for pods whose priority no admission plugin
     *                          resolved (the sandbox has none); -1 when the class is unknown
     * @param namespaceDefaults the user and groups a namespace gives pods without a readable user.info, by namespace
     *                          name; null when it gives none or is not known (yet)
     * @throws IllegalArgumentException a request that is not a quantity, named with the pod and the container
     */
    public static Pod pod(io.fabric8.kubernetes.api.model.Pod p, ToIntFunction<String> priorityOf,
                          Function<String, NamespaceDefaults> namespaceDefaults) {
        var meta = p.getMetadata();
        PodSpec spec = p.getSpec() == null ? new PodSpec() : p.getSpec();
        String namespace = meta.getNamespace() == null ? "default" : meta.getNamespace();
        Map<String, String> labels = orEmpty(meta.getLabels());
        Map<String, String> annotations = orEmpty(meta.getAnnotations());
        YuniKornLabels.UserInfo user = YuniKornLabels.userInfo(annotations);
        if (user == null) {
            // YuniKorn's k8shim submits as "nobody" when a pod has no user.info; a namespace may name its own default.
            NamespaceDefaults d = namespaceDefaults.apply(namespace);
            user = d == null ? NOBODY : new YuniKornLabels.UserInfo(d.user(), d.groups());
        }
        String where = "pod " + namespace + "/" + meta.getName();
        return new Pod(
                meta.getUid(),
                namespace,
                meta.getName(),
                YuniKornLabels.appId(namespace, labels, annotations),
                YuniKornLabels.queue(labels, annotations),
                user.user(),
                user.groups(),
                requests(spec, where),
                priority(spec, priorityOf),
                orEmpty(spec.getNodeSelector()),
                affinity(spec),
                tolerations(spec),
                spec.getSchedulerName() == null ? "default-scheduler" : spec.getSchedulerName(),
                spec.getNodeName(),
                phase(p),
                millis(meta.getCreationTimestamp()),
                meta.getResourceVersion(),
                GangAnnotations.hints(annotations),
                labels);
    }

    /**
     * The pod's user.info annotation when it is there but cannot be read (not JSON/YAML, or no string {@code user}),
     * else null: such a pod is read as if it had none, and whoever watches says so once.
     */
    static String unreadableUserInfo(io.fabric8.kubernetes.api.model.Pod p) {
        Map<String, String> annotations = orEmpty(p.getMetadata().getAnnotations());
        String text = annotations.get(YuniKornLabels.USER_INFO);
        if (text == null || text.isBlank() || YuniKornLabels.userInfo(annotations) != null) {
            return null;
        }
        return text;
    }

    /** What the pod asks of a node: max(sum of containers, largest init container) + overhead. */
    static Resources requests(PodSpec spec, String where) {
        Resources.Builder sum = Resources.builder();
        for (Container c : orEmpty(spec.getContainers())) {
            containerRequests(c, where).forEach((name, v) -> sum.add(ResourceNames.id(name), v));
        }
        Resources total = sum.build();
        for (Container c : orEmpty(spec.getInitContainers())) {
            Resources.Builder max = total.toBuilder();
            for (Map.Entry<String, Long> e : containerRequests(c, where).entrySet()) {
                if (e.getValue() > total.get(e.getKey())) {
                    max.set(e.getKey(), e.getValue());
                }
            }
            total = max.build();
        }
        if (spec.getOverhead() != null && !spec.getOverhead().isEmpty()) {
            Resources.Builder b = total.toBuilder();
            spec.getOverhead().forEach((name, q) -> b.add(ResourceNames.id(name), parse(name, q.toString(),
                    where + " overhead")));
            total = b.build();
        }
        return total;
    }

    private static Map<String, Long> containerRequests(Container c, String where) {
        ResourceRequirements r = c.getResources();
        Map<String, Long> out = new TreeMap<>();
        if (r == null) {
            return out;
        }
        // The API server defaults requests to limits; read a pod that skipped defaulting the same way.
        orEmpty(r.getLimits()).forEach((name, q) -> out.put(name, parse(name, q.toString(),
                where + " container " + c.getName() + " limit")));
        orEmpty(r.getRequests()).forEach((name, q) -> out.put(name, parse(name, q.toString(),
                where + " container " + c.getName() + " request")));
        return out;
    }

    private static long parse(String name, String quantity, String where) {
        try {
            return Quantity.parse(name, quantity);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + " " + name + " '" + quantity + "' is not a quantity: "
                    + e.getMessage(), e);
        }
    }

    private static int priority(PodSpec spec, ToIntFunction<String> priorityOf) {
        if (spec.getPriority() != null) {
            return spec.getPriority();
        }
        if (spec.getPriorityClassName() != null && !spec.getPriorityClassName().isEmpty()) {
            int v = priorityOf.applyAsInt(spec.getPriorityClassName());
            return Math.max(v, 0);
        }
        return 0;
    }

    private static NodeAffinity affinity(PodSpec spec) {
        if (spec.getAffinity() == null || spec.getAffinity().getNodeAffinity() == null
                || spec.getAffinity().getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution() == null) {
            return NodeAffinity.NONE;
        }
        List<List<NodeSelectorRequirement>> terms = new ArrayList<>();
        for (NodeSelectorTerm t : orEmpty(spec.getAffinity().getNodeAffinity()
                .getRequiredDuringSchedulingIgnoredDuringExecution().getNodeSelectorTerms())) {
            List<NodeSelectorRequirement> reqs = new ArrayList<>();
            for (var e : orEmpty(t.getMatchExpressions())) {
                reqs.add(new NodeSelectorRequirement(e.getKey(), operator(e.getOperator()), orEmpty(e.getValues())));
            }
            // matchFields can only name metadata.name, which every node also carries as kubernetes.io/hostname
            for (var f : orEmpty(t.getMatchFields())) {
                if ("metadata.name".equals(f.getKey())) {
                    reqs.add(new NodeSelectorRequirement("kubernetes.io/hostname", operator(f.getOperator()),
                            orEmpty(f.getValues())));
                }
            }
            terms.add(reqs);
        }
        return new NodeAffinity(terms);
    }

    private static NodeSelectorRequirement.Operator operator(String op) {
        try {
            return NodeSelectorRequirement.Operator.valueOf(op);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException("node affinity operator '" + op + "' is not one of "
                    + List.of(NodeSelectorRequirement.Operator.values()), e);
        }
    }

    private static List<Toleration> tolerations(PodSpec spec) {
        List<Toleration> out = new ArrayList<>();
        for (var t : orEmpty(spec.getTolerations())) {
            out.add(new Toleration(nullToEmpty(t.getKey()), t.getOperator() == null ? "Equal" : t.getOperator(),
                    nullToEmpty(t.getValue()), nullToEmpty(t.getEffect())));
        }
        return out;
    }

    static PodPhase phase(io.fabric8.kubernetes.api.model.Pod p) {
        String phase = p.getStatus() == null ? null : p.getStatus().getPhase();
        if (phase == null || phase.isEmpty()) {
            return PodPhase.Pending;
        }
        try {
            return PodPhase.valueOf(phase);
        } catch (IllegalArgumentException e) {
            return PodPhase.Unknown;
        }
    }

    /** The core's node: allocatable (capacity when the kubelet has not reported it), labels, taints, readiness. */
    public static Node node(io.fabric8.kubernetes.api.model.Node n) {
        var status = n.getStatus();
        String where = "node " + n.getMetadata().getName();
        Resources capacity = quantities(status == null ? null : status.getCapacity(), where + " capacity");
        Resources allocatable = status == null || status.getAllocatable() == null || status.getAllocatable().isEmpty()
                ? capacity : quantities(status.getAllocatable(), where + " allocatable");
        List<Taint> taints = new ArrayList<>();
        if (n.getSpec() != null) {
            for (var t : orEmpty(n.getSpec().getTaints())) {
                taints.add(new Taint(t.getKey(), nullToEmpty(t.getValue()), t.getEffect()));
            }
        }
        boolean ready = false;
        if (status != null) {
            for (NodeCondition c : orEmpty(status.getConditions())) {
                if ("Ready".equals(c.getType())) {
                    ready = "True".equals(c.getStatus());
                }
            }
        }
        Map<String, String> labels = new HashMap<>(orEmpty(n.getMetadata().getLabels()));
        labels.putIfAbsent("kubernetes.io/hostname", n.getMetadata().getName());
        return new Node(n.getMetadata().getName(), capacity, allocatable, labels, taints,
                n.getSpec() != null && Boolean.TRUE.equals(n.getSpec().getUnschedulable()), ready,
                n.getMetadata().getResourceVersion());
    }

    private static Resources quantities(Map<String, io.fabric8.kubernetes.api.model.Quantity> q, String where) {
        Resources.Builder b = Resources.builder();
        orEmpty(q).forEach((name, v) -> b.set(name, parse(name, v.toString(), where)));
        return b.build();
    }

    /** Epoch millis of an RFC 3339 timestamp; 0 when missing or unreadable (the ask then sorts first, not lost). */
    static long millis(String timestamp) {
        if (timestamp == null || timestamp.isEmpty()) {
            return 0;
        }
        if (timestamp.length() == 20 && timestamp.charAt(4) == '-' && timestamp.charAt(7) == '-'
                && timestamp.charAt(10) == 'T' && timestamp.charAt(13) == ':' && timestamp.charAt(16) == ':'
                && timestamp.charAt(19) == 'Z') {
            // what the API server writes (RFC 3339 in whole seconds, UTC): read without the general parser, which
            // costs more than the rest of reading a pod
            try {
                long day = LocalDate.of(digits(timestamp, 0, 4), digits(timestamp, 5, 7), digits(timestamp, 8, 10))
                        .toEpochDay();
                int h = digits(timestamp, 11, 13);
                int m = digits(timestamp, 14, 16);
                int sec = digits(timestamp, 17, 19);
                if (h < 24 && m < 60 && sec < 60) {
                    return ((day * 24 + h) * 60 + m) * 60_000L + sec * 1000L;
                }
            } catch (DateTimeException | NumberFormatException e) {
                // not what it looked like: the general parser says what it is
            }
        }
        try {
            return Instant.parse(timestamp).toEpochMilli();
        } catch (DateTimeParseException e) {
            return 0;
        }
    }

    private static int digits(String s, int from, int to) {
        int v = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                throw new NumberFormatException(s);
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }

    private static <K, V> Map<K, V> orEmpty(Map<K, V> m) {
        return m == null ? Map.of() : m;
    }

    private static <T> List<T> orEmpty(List<T> l) {
        return l == null ? List.of() : l;
    }
}
