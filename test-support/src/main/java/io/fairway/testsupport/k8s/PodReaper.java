package io.fairway.testsupport.k8s;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a kubelet does last for a pod being deleted: a real kube-apiserver keeps a bound pod, gracefully deleted, until
 * its node's kubelet says its containers stopped. There are no kubelets beside a bare control plane, so this removes
 * such pods at once (grace period 0), as if their containers had stopped.
 */
public final class PodReaper implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PodReaper.class);
    private final SharedIndexInformer<Pod> informer;

    private PodReaper(KubernetesClient admin) {
        informer = admin.pods().inAnyNamespace().inform(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod pod) {
                reap(admin, pod);
            }

            @Override
            public void onUpdate(Pod old, Pod pod) {
                reap(admin, pod);
            }

            @Override
            public void onDelete(Pod pod, boolean unknownFinalState) {
            }
        });
    }

    public static PodReaper start(KubernetesClient admin) {
        return new PodReaper(admin);
    }

    private static void reap(KubernetesClient admin, Pod pod) {
        if (pod.getMetadata().getDeletionTimestamp() == null) {
            return;
        }
        try {
            admin.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName())
                    .withGracePeriod(0).delete();
        } catch (KubernetesClientException e) {
            LOG.warn("could not finish deleting pod {}/{}: {}", pod.getMetadata().getNamespace(),
                    pod.getMetadata().getName(), e.getMessage());
        }
    }

    @Override
    public void close() {
        informer.close();
    }
}
