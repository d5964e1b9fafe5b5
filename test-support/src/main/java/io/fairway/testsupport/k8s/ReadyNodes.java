package io.fairway.testsupport.k8s;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;
import java.util.Map;

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
        List<Taint> own = node.getSpec() == null || node.getSpec().getTaints() == null ? List.of()
                : node.getSpec().getTaints();
        return untaint(admin, created, own);
    }

    /**
     * The node as stored, its taints set back to {@code own} (one merge patch, no read) when admission added the
     * not-ready taint; unchanged otherwise (the local API server adds none).
     */
    public static Node untaint(KubernetesClient admin, Node stored, List<Taint> own) {
        List<Taint> taints = stored.getSpec() == null || stored.getSpec().getTaints() == null ? List.of()
                : stored.getSpec().getTaints();
        if (taints.stream().noneMatch(t -> NOT_READY.equals(t.getKey()))) {
            return stored;
        }
        Node ref = new NodeBuilder().withNewMetadata().withName(stored.getMetadata().getName()).endMetadata().build();
        return admin.nodes().resource(ref).patch(PatchContext.of(PatchType.JSON_MERGE),
                Serialization.asJson(Map.of("spec", Map.of("taints", own))));
    }
}
