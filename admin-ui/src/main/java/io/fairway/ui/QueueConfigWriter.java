package io.fairway.ui;

/**
 * Writes a new queue config where the replicas read it from (the ConfigMap, in Kubernetes). The watcher then observes
 * it like any other change, so a config applied through the console and one applied with kubectl take the same path.
 */
public interface QueueConfigWriter {
    /**
     * @param baseVersion the version the operator edited; empty to write whatever is there now
     * @param user        who writes it, for the object's annotations
     * @return the version written (the ConfigMap's new resourceVersion)
     * @throws Conflict when the config is no longer at {@code baseVersion}
     */
    String write(String yaml, String baseVersion, String user);

    /** The config changed since the version the operator edited. */
    final class Conflict extends RuntimeException {
        public Conflict(String message) {
            super(message);
        }
    }
}
