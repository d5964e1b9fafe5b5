package io.fairway.core.state;

/**
 * Kubernetes resourceVersions are opaque strings, but every API server in practice hands out increasing integers
 * (etcd revisions). Compare them as numbers when both are; an empty version always counts as new.
 */
public final class ResourceVersions {
    private ResourceVersions() {
    }

    /**
     * True when a deletion at {@code incoming} is older than the object {@code held}. A deletion an informer found
     * in a re-list carries the last version it knew, which can equal the one held: that deletion is real.
     */
    public static boolean isOlder(String incoming, String held) {
        if (incoming.isEmpty() || held.isEmpty()) {
            return false;
        }
        try {
            return Long.parseLong(incoming) < Long.parseLong(held);
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** True when {@code incoming} is not newer than {@code held}, so the observation must be ignored. */
    public static boolean isStale(String incoming, String held) {
        if (incoming.isEmpty() || held.isEmpty()) {
            return false;
        }
        try {
            return Long.parseLong(incoming) <= Long.parseLong(held);
        } catch (NumberFormatException e) {
            return incoming.equals(held);
        }
    }
}
