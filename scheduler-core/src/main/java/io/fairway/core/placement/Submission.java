package io.fairway.core.placement;

import io.fairway.core.objects.Pod;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What placement knows of an app: taken from the pod that created it, as YuniKorn takes it from the app's first pod.
 *
 * @param queue     the queue the pod asks for, as written (may be empty, may lack {@code root.})
 * @param user      the submitting user; YuniKorn's {@code nobody} when the pod names none
 * @param namespace the {@code namespace} tag
 * @param labels    the pod's labels: every other tag a {@code tag} rule may name
 */
public record Submission(String queue, String user, List<String> groups, String namespace, Map<String, String> labels) {
    /** The tag the k8shim sets on every app; a label of the same key does not hide it. */
    public static final String NAMESPACE_TAG = "namespace";

    public Submission {
        queue = queue == null ? "" : queue.trim();
        user = user == null ? "" : user;
        groups = groups == null ? List.of() : List.copyOf(groups);
        namespace = namespace == null ? "" : namespace;
        labels = labels == null || labels.isEmpty() ? Map.of() : Collections.unmodifiableSortedMap(new TreeMap<>(labels));
    }

    public static Submission of(Pod pod) {
        return new Submission(pod.queue(), pod.user(), pod.groups(), pod.namespace(), pod.labels());
    }

    /** A tag's value, or empty when the app has no such tag. */
    public String tag(String name) {
        if (NAMESPACE_TAG.equals(name)) {
            return namespace;
        }
        String v = labels.get(name);
        return v == null ? "" : v;
    }

    /** "user alice (groups a, b)", for reasons. */
    public String who() {
        return "user " + (user.isEmpty() ? "<none>" : user)
                + (groups.isEmpty() ? " (no groups)" : " (groups " + String.join(", ", groups) + ")");
    }
}
