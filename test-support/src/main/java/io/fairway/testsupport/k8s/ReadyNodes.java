package io.fairway.testsupport.k8s;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;

/**
 * Nodes on a bare control plane. kube-apiserver's TaintNodesByCondition admission gives every new node the
 * {@code node.kubernetes.io/not-ready:NoSchedule} taint, and the node lifecycle controller (controller manager) takes
 * it off once the kubelet reports Ready; with neither here, this does the controller's part.
 */
public final class ReadyNodes {
    public static final String NOT_READY = "node.kubernetes.io/not-ready";

    private ReadyNodes() {
    }

    /** Creates the node (its status says Ready) and removes the not-ready taint admission added. */
    public static Node create(KubernetesClient admin, Node node) {
        Node created = admin.nodes().resource(node).create();
        List<Taint> taints = created.getSpec() == null || created.getSpec().getTaints() == null ? List.of()
                : created.getSpec().getTaints();
        if (taints.stream().noneMatch(t -> NOT_READY.equals(t.getKey()))) {
            return created;
        }
        return admin.nodes().withName(created.getMetadata().getName()).edit(n -> {
            n.getSpec().setTaints(n.getSpec().getTaints().stream().filter(t -> !NOT_READY.equals(t.getKey()))
                    .toList());
            return n;
        });
    }
}
