package io.fairway.chaos.check;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;
import java.util.Collections;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/**
 * Resource amounts by name ({@code cpu} in cores, {@code memory} in bytes, extended resources in units, {@code pods}),
 * computed from the Kubernetes objects themselves with the API's own quantity rules, not Fairway's.
 */
public final class Amounts {
    private final TreeMap<String, BigDecimal> values = new TreeMap<>();

    public static Amounts none() {
        return new Amounts();
    }

    /** A quantity map ({@code {"cpu":"500m","memory":"1Gi"}}); YuniKorn's {@code vcore} is cpu. */
    public static Amounts of(JsonNode quantities) {
        Amounts a = new Amounts();
        if (quantities == null) {
            return a;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = quantities.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = e.getKey().equals("vcore") ? "cpu" : e.getKey();
            a.values.put(name, parse(e.getValue().asText()));
        }
        return a;
    }

    static BigDecimal parse(String quantity) {
        try {
            return Quantity.getAmountInBytes(new Quantity(quantity));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("'" + quantity + "' is not a Kubernetes quantity", e);
        }
    }

    /**
     * What a pod asks of its node, as kube-scheduler counts it: per resource the larger of its containers' sum and its
     * largest init container, plus its overhead, plus one of {@code pods}.
     */
    public static Amounts podRequests(JsonNode pod) {
        JsonNode spec = pod.path("spec");
        Amounts sum = new Amounts();
        for (JsonNode c : spec.path("containers")) {
            sum.add(of(c.path("resources").path("requests")));
        }
        for (JsonNode c : spec.path("initContainers")) {
            Amounts init = of(c.path("resources").path("requests"));
            init.values.forEach((k, v) -> sum.values.merge(k, v, BigDecimal::max));
        }
        sum.add(of(spec.path("overhead")));
        sum.values.merge("pods", BigDecimal.ONE, BigDecimal::add);
        return sum;
    }

    public Amounts add(Amounts other) {
        other.values.forEach((k, v) -> values.merge(k, v, BigDecimal::add));
        return this;
    }

    public Amounts subtract(Amounts other) {
        other.values.forEach((k, v) -> values.merge(k, v.negate(), BigDecimal::add));
        return this;
    }

    public Amounts copy() {
        Amounts a = new Amounts();
        a.values.putAll(values);
        return a;
    }

    public BigDecimal get(String name) {
        return values.getOrDefault(name, BigDecimal.ZERO);
    }

    public boolean has(String name) {
        return values.containsKey(name);
    }

    public Map<String, BigDecimal> asMap() {
        return Collections.unmodifiableMap(values);
    }

    /**
     * The first resource named in {@code limit} that this exceeds, or null. A resource the limit does not name is not
     * limited.
     */
    public String exceeding(Amounts limit) {
        for (Map.Entry<String, BigDecimal> e : limit.values.entrySet()) {
            if (get(e.getKey()).compareTo(e.getValue()) > 0) {
                return e.getKey();
            }
        }
        return null;
    }

    /** The first resource this asks that {@code free} (a node's room) lacks, or null; unnamed resources are 0. */
    public String notFitting(Amounts free) {
        for (Map.Entry<String, BigDecimal> e : values.entrySet()) {
            if (e.getValue().signum() > 0 && free.get(e.getKey()).compareTo(e.getValue()) < 0) {
                return e.getKey();
            }
        }
        return null;
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("{");
        values.forEach((k, v) -> {
            if (b.length() > 1) {
                b.append(", ");
            }
            b.append(k).append('=').append(v.stripTrailingZeros().toPlainString());
        });
        return b.append('}').toString();
    }
}
