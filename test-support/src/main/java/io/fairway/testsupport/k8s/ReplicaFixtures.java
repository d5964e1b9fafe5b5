package io.fairway.testsupport.k8s;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Map;

/** What replica tests build over and over on an API server: namespaces, ready nodes, Fairway's pods. */
public final class ReplicaFixtures {
    private ReplicaFixtures() {
    }

    /** A pod in namespace {@code jobs} for Fairway, its own app, queue {@code root.default}, 1 cpu and 1Gi. */
    public static Pod pod(String name) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace("jobs")
                .withLabels(Map.of("yunikorn.apache.org/app-id", "app-" + name, "queue", "root.default")).endMetadata()
                .withNewSpec().withSchedulerName("fairway").addNewContainer().withName("main").withImage("busybox")
                .withNewResources().withRequests(Map.of("cpu", new Quantity("1"), "memory", new Quantity("1Gi")))
                .endResources().endContainer().endSpec().build();
    }

    public static void namespaces(KubernetesClient client, String... names) {
        for (String ns : names) {
            client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
                    .create();
        }
    }

    /** A ready node with {@code cpu} and {@code memory} and room for 110 pods (untainted on a real API server too). */
    public static void node(KubernetesClient client, String name, String cpu, String memory) {
        ReadyNodes.create(client, new NodeBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewStatus().withCapacity(Map.of("cpu", new Quantity(cpu), "memory", new Quantity(memory),
                        "pods", new Quantity("110")))
                .addNewCondition().withType("Ready").withStatus("True").endCondition().endStatus().build());
    }
}
