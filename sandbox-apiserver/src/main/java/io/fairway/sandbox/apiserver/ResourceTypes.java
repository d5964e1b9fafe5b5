package io.fairway.sandbox.apiserver;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** The resources this server serves. */
final class ResourceTypes {
    private static final Set<String> META = Set.of("metadata.name", "metadata.namespace");

    static final ResourceType NAMESPACES = new ResourceType("", "v1", "namespaces", "namespace", "Namespace", false,
            List.of("ns"), List.of(), List.of("status", "finalize"), Set.of("metadata.name", "status.phase"), "namespaces",
            List.of("create", "delete", "get", "list", "patch", "update", "watch"));

    static final ResourceType PODS = new ResourceType("", "v1", "pods", "pod", "Pod", true,
            List.of("po"), List.of("all"), List.of("status", "binding", "eviction"),
            Set.of("metadata.name", "metadata.namespace", "spec.nodeName", "spec.schedulerName", "status.phase",
                    "spec.restartPolicy", "spec.serviceAccountName", "spec.hostNetwork", "status.podIP",
                    "status.nominatedNodeName"),
            "pods", ResourceType.ALL_VERBS);

    static final ResourceType NODES = new ResourceType("", "v1", "nodes", "node", "Node", false,
            List.of("no"), List.of(), List.of("status"), Set.of("metadata.name", "spec.unschedulable"), "nodes",
            ResourceType.ALL_VERBS);

    static final ResourceType CONFIGMAPS = new ResourceType("", "v1", "configmaps", "configmap", "ConfigMap", true,
            List.of("cm"), List.of(), List.of(), META, "configmaps", ResourceType.ALL_VERBS);

    static final ResourceType SECRETS = new ResourceType("", "v1", "secrets", "secret", "Secret", true,
            List.of(), List.of(), List.of(), META, "secrets", ResourceType.ALL_VERBS);

    static final ResourceType EVENTS = new ResourceType("", "v1", "events", "event", "Event", true,
            List.of("ev"), List.of(), List.of(),
            Set.of("metadata.name", "metadata.namespace", "involvedObject.kind", "involvedObject.namespace",
                    "involvedObject.name", "involvedObject.uid", "involvedObject.apiVersion",
                    "involvedObject.resourceVersion", "involvedObject.fieldPath", "reason", "reportingComponent",
                    "source", "type"),
            "events", ResourceType.ALL_VERBS);

    static final ResourceType BINDINGS = new ResourceType("", "v1", "bindings", "binding", "Binding", true,
            List.of(), List.of(), List.of(), Set.of(), null, List.of("create"));

    static final ResourceType LEASES = new ResourceType("coordination.k8s.io", "v1", "leases", "lease", "Lease", true,
            List.of(), List.of(), List.of(), META, "leases", ResourceType.ALL_VERBS);

    static final ResourceType PRIORITY_CLASSES = new ResourceType("scheduling.k8s.io", "v1", "priorityclasses",
            "priorityclass", "PriorityClass", false, List.of("pc"), List.of(), List.of(), Set.of("metadata.name"),
            "priorityclasses", ResourceType.ALL_VERBS);

    static final ResourceType SERVICES = new ResourceType("", "v1", "services", "service", "Service", true,
            List.of("svc"), List.of("all"), List.of("status"), META, "services", ResourceType.ALL_VERBS);

    static final ResourceType SERVICE_ACCOUNTS = new ResourceType("", "v1", "serviceaccounts", "serviceaccount",
            "ServiceAccount", true, List.of("sa"), List.of(), List.of(), META, "serviceaccounts", ResourceType.ALL_VERBS);

    static final ResourceType PERSISTENT_VOLUME_CLAIMS = new ResourceType("", "v1", "persistentvolumeclaims",
            "persistentvolumeclaim", "PersistentVolumeClaim", true, List.of("pvc"), List.of(), List.of("status"), META,
            "persistentvolumeclaims", ResourceType.ALL_VERBS);

    /** events.k8s.io/v1 Event: a second view of the core events (same storage, converted field names). */
    static final ResourceType EVENTS_V1 = new ResourceType("events.k8s.io", "v1", "events", "event", "Event", true,
            List.of("ev"), List.of(), List.of(), EVENTS.fieldLabels(), "events", ResourceType.ALL_VERBS);

    static final List<ResourceType> ALL = List.of(NAMESPACES, PODS, NODES, CONFIGMAPS, SECRETS, EVENTS, BINDINGS,
            SERVICES, SERVICE_ACCOUNTS, PERSISTENT_VOLUME_CLAIMS, LEASES, PRIORITY_CLASSES, EVENTS_V1);

    /** The primary type of each storage key (the form objects are kept in). */
    static final List<ResourceType> STORED = List.of(NAMESPACES, PODS, NODES, CONFIGMAPS, SECRETS, EVENTS, SERVICES,
            SERVICE_ACCOUNTS, PERSISTENT_VOLUME_CLAIMS, LEASES, PRIORITY_CLASSES);

    private static final Map<String, ResourceType> BY_PATH = new HashMap<>();
    private static final Map<String, List<ResourceType>> BY_GROUP_VERSION = new LinkedHashMap<>();

    static {
        for (ResourceType t : ALL) {
            BY_PATH.put(t.group() + "/" + t.version() + "/" + t.plural(), t);
        }
        for (ResourceType t : ALL) {
            BY_GROUP_VERSION.computeIfAbsent(t.apiVersion(), k -> new ArrayList<>()).add(t);
        }
    }

    private static final Map<ResourceType, List<String>> FIELD_LISTS = new IdentityHashMap<>();

    static {
        for (ResourceType t : ALL) {
            FIELD_LISTS.put(t, List.copyOf(new TreeSet<>(t.fieldLabels())));
        }
    }

    static List<String> fieldList(ResourceType t) {
        return FIELD_LISTS.get(t);
    }

    private ResourceTypes() {}

    static ResourceType find(String group, String version, String plural) {
        return BY_PATH.get(group + "/" + version + "/" + plural);
    }

    /** Group versions in discovery order: "v1" first, then the named groups. */
    static Map<String, List<ResourceType>> byGroupVersion() {
        return BY_GROUP_VERSION;
    }

    static boolean knownGroupVersion(String group, String version) {
        return BY_GROUP_VERSION.containsKey(group.isEmpty() ? version : group + "/" + version);
    }
}
