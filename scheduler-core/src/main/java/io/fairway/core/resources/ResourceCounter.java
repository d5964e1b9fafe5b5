package io.fairway.core.resources;

import java.util.Arrays;

/**
 * A mutable running total of resources (a node's or a queue's usage), indexed by resource id.
 * Adding and subtracting a {@link Resources} allocates nothing once the array has grown to the ids in use.
 */
public final class ResourceCounter {
    private long[] used = new long[ResourceNames.count()];

    public void add(Resources r) {
        ensure(r);
        for (int i = 0, n = r.size(); i < n; i++) {
            used[r.idAt(i)] += r.valueAt(i);
        }
    }

    public void subtract(Resources r) {
        ensure(r);
        for (int i = 0, n = r.size(); i < n; i++) {
            used[r.idAt(i)] -= r.valueAt(i);
        }
    }

    public void add(ResourceCounter other) {
        if (other.used.length > used.length) {
            used = Arrays.copyOf(used, other.used.length);
        }
        for (int i = 0; i < other.used.length; i++) {
            used[i] += other.used[i];
        }
    }

    public void clear() {
        Arrays.fill(used, 0L);
    }

    public long get(int id) {
        return id < used.length ? used[id] : 0L;
    }

    /** The live array, for the allocation-free comparisons of {@link Resources}. Do not modify. */
    public long[] raw() {
        return used;
    }

    public boolean isZero() {
        for (long v : used) {
            if (v != 0) {
                return false;
            }
        }
        return true;
    }

    /** A snapshot holding every non-zero resource. */
    public Resources snapshot() {
        Resources.Builder b = Resources.builder();
        for (int id = 0; id < used.length; id++) {
            if (used[id] != 0) {
                b.set(id, used[id]);
            }
        }
        return b.build();
    }

    private void ensure(Resources r) {
        int n = r.size();
        if (n > 0) {
            int maxId = r.idAt(n - 1);
            if (maxId >= used.length) {
                used = Arrays.copyOf(used, maxId + 1);
            }
        }
    }

    @Override
    public String toString() {
        return snapshot().toString();
    }
}
