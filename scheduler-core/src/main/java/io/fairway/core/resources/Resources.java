package io.fairway.core.resources;

import java.util.Arrays;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;

/**
 * An immutable vector of resource quantities over interned names.
 *
 * <p>A resource is either <em>defined</em> (named in the vector, possibly with value 0) or not. For a request
 * or a node's allocatable an undefined resource is 0; for a queue's max an undefined resource is unlimited.
 * The comparisons used while scheduling ({@link #fitsWithin}, {@link #withinLimit}) walk the defined ids
 * and allocate nothing.
 */
public final class Resources {
    public static final Resources NONE = new Resources(new int[0], new long[0]);

    /** Defined resource ids, ascending. */
    private final int[] ids;
    /** Dense values by id; length is the largest defined id + 1. */
    private final long[] values;

    private Resources(int[] ids, long[] values) {
        this.ids = ids;
        this.values = values;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Parses Kubernetes quantities, e.g. {@code {cpu: "500m", memory: "1Gi", nvidia.com/gpu: "1"}}. */
    public static Resources parse(Map<String, String> quantities) {
        Builder b = builder();
        quantities.forEach((name, q) -> b.set(name, Quantity.parse(name, q)));
        return b.build();
    }

    public static Resources of(String name, long value) {
        return builder().set(name, value).build();
    }

    public long get(int id) {
        return id < values.length ? values[id] : 0L;
    }

    public long get(String name) {
        return get(ResourceNames.id(name));
    }

    public boolean isDefined(int id) {
        return id < values.length && Arrays.binarySearch(ids, id) >= 0;
    }

    public boolean isEmpty() {
        return ids.length == 0;
    }

    /** How many resources are defined. */
    public int size() {
        return ids.length;
    }

    /** The id of the i-th defined resource, ascending. */
    public int idAt(int index) {
        return ids[index];
    }

    public long valueAt(int index) {
        return values[ids[index]];
    }

    /** True when every value is zero. */
    public boolean isZero() {
        for (int id : ids) {
            if (values[id] != 0) {
                return false;
            }
        }
        return true;
    }

    public Resources plus(Resources other) {
        Builder b = toBuilder();
        for (int i = 0; i < other.ids.length; i++) {
            int id = other.ids[i];
            b.set(id, get(id) + other.values[id]);
        }
        return b.build();
    }

    public Resources minus(Resources other) {
        Builder b = toBuilder();
        for (int i = 0; i < other.ids.length; i++) {
            int id = other.ids[i];
            b.set(id, get(id) - other.values[id]);
        }
        return b.build();
    }

    /**
     * True when {@code used + this} fits in {@code capacity} in every resource this vector defines; a
     * resource that {@code capacity} does not define counts as 0. Allocation-free.
     */
    public boolean fitsWithin(long[] used, Resources capacity) {
        for (int id : ids) {
            long need = values[id];
            if (need == 0) {
                continue;
            }
            long u = id < used.length ? used[id] : 0L;
            if (u + need > capacity.get(id)) {
                return false;
            }
        }
        return true;
    }

    /**
     * True when {@code used + this} stays within {@code limit} for every resource the limit defines; a
     * resource the limit does not define is unlimited. Allocation-free.
     */
    public boolean withinLimit(long[] used, Resources limit) {
        return firstOverLimit(used, limit) < 0;
    }

    /** The first resource id in which {@code used + this} exceeds {@code limit}, or -1. */
    public int firstOverLimit(long[] used, Resources limit) {
        for (int id : ids) {
            long need = values[id];
            if (need == 0 || !limit.isDefined(id)) {
                continue;
            }
            long u = id < used.length ? used[id] : 0L;
            if (u + need > limit.values[id]) {
                return id;
            }
        }
        return -1;
    }

    /**
     * Like {@link #firstOverLimit} but, when several resources are over, the one whose name sorts first: ids depend
     * on the order a JVM first saw the names, and a reason written to the log must not.
     */
    public int overLimitFirstByName(long[] used, Resources limit) {
        int found = -1;
        for (int id : ids) {
            long need = values[id];
            if (need == 0 || !limit.isDefined(id)) {
                continue;
            }
            long u = id < used.length ? used[id] : 0L;
            if (u + need > limit.values[id]
                    && (found < 0 || ResourceNames.name(id).compareTo(ResourceNames.name(found)) < 0)) {
                found = id;
            }
        }
        return found;
    }

    public Builder toBuilder() {
        Builder b = builder();
        for (int id : ids) {
            b.set(id, values[id]);
        }
        return b;
    }

    /** Names to values, in name order. */
    public Map<String, Long> toMap() {
        Map<String, Long> m = new TreeMap<>();
        for (int id : ids) {
            m.put(ResourceNames.name(id), values[id]);
        }
        return m;
    }

    /** Names to quantities for people, e.g. {@code {cpu=1500m, memory=10Gi}}. */
    public Map<String, String> toQuantities() {
        Map<String, String> m = new TreeMap<>();
        for (int id : ids) {
            m.put(ResourceNames.name(id), Quantity.format(id, values[id]));
        }
        return m;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Resources r) || r.ids.length != ids.length) {
            return false;
        }
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] != r.ids[i] || values[ids[i]] != r.values[ids[i]]) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int h = 1;
        for (int id : ids) {
            h = 31 * h + id;
            h = 31 * h + Long.hashCode(values[id]);
        }
        return h;
    }

    @Override
    public String toString() {
        StringJoiner j = new StringJoiner(", ", "{", "}");
        toQuantities().forEach((k, v) -> j.add(k + ": " + v));
        return j.toString();
    }

    public static final class Builder {
        private long[] values = new long[8];
        private boolean[] defined = new boolean[8];

        public Builder set(String name, long value) {
            return set(ResourceNames.id(name), value);
        }

        public Builder set(int id, long value) {
            if (id >= values.length) {
                int n = Math.max(id + 1, values.length * 2);
                values = Arrays.copyOf(values, n);
                defined = Arrays.copyOf(defined, n);
            }
            values[id] = value;
            defined[id] = true;
            return this;
        }

        public Builder add(int id, long value) {
            long current = id < values.length && defined[id] ? values[id] : 0L;
            return set(id, current + value);
        }

        public Resources build() {
            int count = 0;
            int max = -1;
            for (int i = 0; i < defined.length; i++) {
                if (defined[i]) {
                    count++;
                    max = i;
                }
            }
            if (count == 0) {
                return NONE;
            }
            int[] ids = new int[count];
            int k = 0;
            for (int i = 0; i <= max; i++) {
                if (defined[i]) {
                    ids[k++] = i;
                }
            }
            return new Resources(ids, Arrays.copyOf(values, max + 1));
        }
    }
}
