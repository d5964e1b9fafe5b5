package io.fairway.ui.yunikorn;

import io.fairway.core.resources.ResourceCounter;
import io.fairway.core.resources.Resources;
import java.util.Map;
import java.util.TreeMap;

/**
 * Resource vectors under YuniKorn's names and units, as its k8shim hands them to the core: Kubernetes {@code cpu}
 * becomes {@code vcore} in millicores (the unit Fairway already keeps), {@code memory} stays bytes, {@code pods} a
 * count, and every other resource ({@code ephemeral-storage}, {@code nvidia.com/gpu}, ...) keeps its Kubernetes name
 * and value. Keys are sorted, as Go writes a map.
 */
final class YuniKornResources {
    static final String VCORE = "vcore";

    private YuniKornResources() {
    }

    static Map<String, Long> of(Resources r) {
        Map<String, Long> out = new TreeMap<>();
        r.toMap().forEach((name, value) -> out.put(name(name), value));
        return out;
    }

    static Map<String, Long> of(ResourceCounter c) {
        return of(c.snapshot());
    }

    /** YuniKorn's name of a Kubernetes resource. */
    static String name(String kubernetesName) {
        return kubernetesName.equals("cpu") ? VCORE : kubernetesName;
    }

    /**
     * {@code used} as whole percents of {@code total} per resource, as YuniKorn's {@code CalculateAbsUsedCapacity}
     * reports utilisation: only resources that both name, 0 where the total is 0.
     */
    static Map<String, Long> percent(Resources total, Resources used) {
        Map<String, Long> out = new TreeMap<>();
        Map<String, Long> t = total.toMap();
        used.toMap().forEach((name, value) -> {
            Long of = t.get(name);
            if (of != null) {
                out.put(name(name), of <= 0 ? 0 : (long) (value * 100.0 / of));
            }
        });
        return out;
    }
}
