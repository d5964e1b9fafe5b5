package io.fairway.k8s;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kubernetes Events from Fairway, as {@code kubectl describe} shows them. Writing one is best effort: an Event that
 * cannot be written is logged, never a reason to fail the work it reports on.
 */
public final class KubeEvents {
    private static final Logger LOG = LoggerFactory.getLogger(KubeEvents.class);
    /** The component name users see in {@code kubectl describe} and {@code kubectl get events}. */
    public static final String COMPONENT = "fairway";
    private static final AtomicLong SEQ = new AtomicLong(System.nanoTime());

    private KubeEvents() {
    }

    public static void warning(KubernetesClient client, HasMetadata about, String reason, String message, Clock clock) {
        write(client, about, "Warning", reason, message, clock);
    }

    public static void normal(KubernetesClient client, HasMetadata about, String reason, String message, Clock clock) {
        write(client, about, "Normal", reason, message, clock);
    }

    private static void write(KubernetesClient client, HasMetadata about, String type, String reason, String message,
                              Clock clock) {
        var m = about.getMetadata();
        String namespace = m.getNamespace() == null ? "default" : m.getNamespace();
        String now = Instant.ofEpochMilli(clock.millis()).toString();
        Event e = new EventBuilder()
                .withNewMetadata()
                    .withName(m.getName() + "." + Long.toHexString(SEQ.incrementAndGet()))
                    .withNamespace(namespace)
                .endMetadata()
                .withNewInvolvedObject()
                    .withKind(about.getKind())
                    .withApiVersion(about.getApiVersion())
                    .withName(m.getName())
                    .withNamespace(m.getNamespace())
                    .withUid(m.getUid())
                    .withResourceVersion(m.getResourceVersion())
                .endInvolvedObject()
                .withType(type)
                .withReason(reason)
                .withMessage(message.length() > 1024 ? message.substring(0, 1021) + "..." : message)
                .withNewSource().withComponent(COMPONENT).endSource()
                .withReportingComponent(COMPONENT)
                .withFirstTimestamp(now)
                .withLastTimestamp(now)
                .withCount(1)
                .build();
        try {
            client.v1().events().inNamespace(namespace).resource(e).create();
        } catch (KubernetesClientException ex) {
            LOG.warn("could not write the {} event {} on {} {}/{}: {}", type, reason, about.getKind(), namespace,
                    m.getName(), ex.getMessage());
        }
    }
}
