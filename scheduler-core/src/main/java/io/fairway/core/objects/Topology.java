package io.fairway.core.objects;

/**
 * That all pods of an app (or its gang) should land in one topology domain: the nodes that share a value of the
 * label {@code key} (a zone, a rack, an NVLink clique). From {@code fairway.io/topology-domain} and
 * {@code fairway.io/topology-mode}.
 */
public record Topology(String key, boolean required) {
    public static final Topology NONE = new Topology("", false);

    public Topology {
        key = key == null ? "" : key;
    }

    public boolean isNone() {
        return key.isEmpty();
    }
}
