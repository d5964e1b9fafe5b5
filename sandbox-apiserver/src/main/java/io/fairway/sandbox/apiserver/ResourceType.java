package io.fairway.sandbox.apiserver;

import java.util.List;
import java.util.Set;

/**
 * One served resource: where it lives in the URL space, how discovery describes it, which field selectors it
 * accepts, and under which storage key its objects are kept ({@code events.k8s.io/v1} events share the storage
 * of core {@code v1} events and are converted on the way in and out).
 */
record ResourceType(
        String group,
        String version,
        String plural,
        String singular,
        String kind,
        boolean namespaced,
        List<String> shortNames,
        List<String> categories,
        List<String> subresources,
        Set<String> fieldLabels,
        String storage,
        List<String> verbs) {

    /** The field labels in a fixed order (values of a stored object are kept in this order). */
    List<String> fieldList() {
        return ResourceTypes.fieldList(this);
    }

    static final List<String> ALL_VERBS =
            List.of("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch");

    String apiVersion() {
        return group.isEmpty() ? version : group + "/" + version;
    }

    /** The resource as messages name it: {@code pods}, {@code leases.coordination.k8s.io}. */
    String qualified() {
        return group.isEmpty() ? plural : plural + "." + group;
    }

    String listKind() {
        return kind + "List";
    }

    boolean hasStatus() {
        return subresources.contains("status");
    }

    boolean stored() {
        return storage != null;
    }

    /** True when this view's objects are kept in another version's form and converted at the edge. */
    boolean converted() {
        return this == ResourceTypes.EVENTS_V1;
    }

    /** The collection path of this type, in a namespace or (ns null) across namespaces / cluster-scoped. */
    String collectionPath(String ns) {
        String base = group.isEmpty() ? "/api/" + version : "/apis/" + group + "/" + version;
        return namespaced && ns != null ? base + "/namespaces/" + ns + "/" + plural : base + "/" + plural;
    }
}
