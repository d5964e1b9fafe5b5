package io.fairway.core.objects;

import io.fairway.core.resources.Resources;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One group of a gang app, as YuniKorn's {@code yunikorn.apache.org/task-groups} annotation declares it: the app
 * needs {@code minMember} pods of {@code minResource} each, on nodes that pass the group's own predicates, before any
 * of its pods run.
 */
public record TaskGroup(String name, int minMember, Resources minResource, Map<String, String> nodeSelector,
                        List<Toleration> tolerations, NodeAffinity affinity) {
    public TaskGroup {
        minResource = minResource == null ? Resources.NONE : minResource;
        nodeSelector = Collections.unmodifiableSortedMap(new TreeMap<>(nodeSelector == null ? Map.of() : nodeSelector));
        tolerations = List.copyOf(tolerations == null ? List.of() : tolerations);
        affinity = affinity == null ? NodeAffinity.NONE : affinity;
    }

    /** What the whole group reserves: {@code minMember × minResource}. */
    public Resources total() {
        Resources.Builder b = Resources.builder();
        for (int i = 0; i < minResource.size(); i++) {
            b.set(minResource.idAt(i), minResource.valueAt(i) * minMember);
        }
        return b.build();
    }
}
