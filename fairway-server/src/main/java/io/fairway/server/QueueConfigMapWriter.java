package io.fairway.server;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fairway.k8s.WatcherOptions;
import io.fairway.ui.QueueConfigWriter;
import java.time.Clock;
import java.time.Instant;

/**
 * The console's queue config write: replaces {@code queues.yaml} in the queue ConfigMap, where kubectl and deploys
 * write it too, so the watcher observes it and every replica applies it through the log. The write is conditional on
 * the resourceVersion the operator edited (and on the one read here), so a concurrent change is never overwritten.
 */
public final class QueueConfigMapWriter implements QueueConfigWriter {
    /** Who last changed the config through the console, and when; for whoever reads the ConfigMap later. */
    public static final String CHANGED_BY = "fairway.io/changed-by";
    public static final String CHANGED_AT = "fairway.io/changed-at";

    private final KubernetesClient client;
    private final String namespace;
    private final String name;
    private final Clock clock;

    public QueueConfigMapWriter(KubernetesClient client, String namespace, String name, Clock clock) {
        this.client = client;
        this.namespace = namespace;
        this.name = name;
        this.clock = clock;
    }

    @Override
    public String write(String yaml, String baseVersion, String user) {
        var resource = client.configMaps().inNamespace(namespace).withName(name);
        ConfigMap current = resource.get();
        String at = Instant.now(clock).toString();
        try {
            if (current == null) {
                // Not created from here: the ConfigMap is the deploy's (kustomize, Helm), which would fight over it.
                throw new Conflict("the queue ConfigMap " + namespace + "/" + name + " does not exist; create it "
                        + "with your deploy (or kubectl -n " + namespace + " create configmap " + name
                        + " --from-file=" + WatcherOptions.CONFIG_KEY + "=queues.yaml), then apply here");
            }
            String version = current.getMetadata().getResourceVersion();
            if (!baseVersion.isEmpty() && !baseVersion.equals(version)) {
                throw conflict(baseVersion, version);
            }
            ConfigMap updated = new ConfigMapBuilder(current)
                    .editMetadata().addToAnnotations(CHANGED_BY, user).addToAnnotations(CHANGED_AT, at).endMetadata()
                    .addToData(WatcherOptions.CONFIG_KEY, yaml).build();
            // update() sends the resourceVersion read above: the API server refuses it (409) if anyone wrote since
            return client.configMaps().inNamespace(namespace).resource(updated).update().getMetadata()
                    .getResourceVersion();
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409) {
                ConfigMap now = resource.get();
                throw conflict(baseVersion.isEmpty() ? "the one read" : baseVersion,
                        now == null ? "deleted" : now.getMetadata().getResourceVersion());
            }
            throw new IllegalStateException("the queue ConfigMap " + namespace + "/" + name + " cannot be written: "
                    + (e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage()
                    : e.getMessage()) + " (may the scheduler's service account update configmaps in " + namespace + "?)", e);
        }
    }

    private Conflict conflict(String edited, String now) {
        return new Conflict("the queue config changed since the version you edited (" + edited + "); it is at "
                + now + " now: reload it, apply your change to it and try again");
    }
}
