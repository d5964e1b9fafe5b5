package io.fairway.k8s;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The user and groups a namespace gives its pods that carry no readable {@code yunikorn.apache.org/user.info}: the
 * namespace annotations {@value #USER_ANNOTATION} and {@value #GROUPS_ANNOTATION} (comma-separated). An administrator
 * sets them once per tenant namespace instead of asking every job to annotate its pods.
 *
 * @param user   the user; {@link KubeObjects#DEFAULT_USER} when the namespace names groups but no user
 * @param groups the groups, trimmed, without empty entries, in the order written
 */
public record NamespaceDefaults(String user, List<String> groups) {
    public static final String USER_ANNOTATION = "fairway.io/default-user";
    public static final String GROUPS_ANNOTATION = "fairway.io/default-groups";

    public NamespaceDefaults {
        Objects.requireNonNull(user, "user");
        groups = List.copyOf(groups);
    }

    /**
     * What a namespace's annotations give; null when they give nothing (neither annotation, or both blank), so that
     * its pods are {@link KubeObjects#DEFAULT_USER}, as in YuniKorn.
     */
    public static NamespaceDefaults of(Map<String, String> annotations) {
        if (annotations == null) {
            return null;
        }
        String user = annotations.get(USER_ANNOTATION);
        user = user == null ? "" : user.trim();
        List<String> groups = groups(annotations.get(GROUPS_ANNOTATION));
        if (user.isEmpty() && groups.isEmpty()) {
            return null;
        }
        // Groups without a user still count: group limits and ACLs read them even for "nobody".
        return new NamespaceDefaults(user.isEmpty() ? KubeObjects.DEFAULT_USER : user, groups);
    }

    /** {@code "a, b,,c "} is {@code [a, b, c]}: people write lists with spaces and stray commas. */
    static List<String> groups(String csv) {
        if (csv == null || csv.isBlank()) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (String g : csv.split(",")) {
            String t = g.trim();
            if (!t.isEmpty() && !out.contains(t)) {
                out.add(t);
            }
        }
        return List.copyOf(out);
    }
}
