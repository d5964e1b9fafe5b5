package io.fairway.sandbox.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StatusAndConcurrencyTest extends ApiServerTestSupport {

    @Test
    void podStatusChangesOnlyThroughTheStatusSubresource() {
        String ns = namespace();
        client.resource(pod(ns, "s", Map.of())).create();

        Pod running = client.pods().inNamespace(ns).withName("s")
                .editStatus(p -> new PodBuilder(p).editStatus().withPhase("Running").withPodIP("10.1.0.5").endStatus()
                        .editSpec().withActiveDeadlineSeconds(99L).endSpec().build());
        assertThat(running.getStatus().getPhase()).isEqualTo("Running");
        assertThat(running.getSpec().getActiveDeadlineSeconds()).as("spec is not changed through /status").isNull();

        Pod viaMain = client.pods().inNamespace(ns).withName("s")
                .edit(p -> new PodBuilder(p).editStatus().withPhase("Failed").endStatus().editMetadata().addToLabels("k", "v").endMetadata().build());
        assertThat(viaMain.getStatus().getPhase()).as("status is ignored on the main resource").isEqualTo("Running");
        assertThat(viaMain.getMetadata().getLabels()).containsEntry("k", "v");

        Pod patched = client.resource(new PodBuilder(viaMain).editStatus().withPhase("Succeeded").endStatus().build()).patchStatus();
        assertThat(patched.getStatus().getPhase()).isEqualTo("Succeeded");
        assertThat(patched.getStatus().getPodIP()).isEqualTo("10.1.0.5");

        Pod fresh = client.pods().inNamespace(ns).withName("s").get();
        fresh.getStatus().setPhase("Failed");
        Pod updated = client.resource(fresh).updateStatus();
        assertThat(updated.getStatus().getPhase()).isEqualTo("Failed");

        assertThat(http("GET", "/api/v1/namespaces/" + ns + "/pods/s/status", null, null).body()).contains("\"phase\":\"Failed\"");
    }

    @Test
    void nodeStatusSubresource() {
        client.resource(node("status-node")).create();
        Node n = client.nodes().withName("status-node").editStatus(x -> new NodeBuilder(x).editStatus()
                .editFirstCondition().withStatus("False").endCondition().endStatus().build());
        assertThat(n.getStatus().getConditions().get(0).getStatus()).isEqualTo("False");
        Node main = client.nodes().withName("status-node").edit(x -> new NodeBuilder(x).editSpec().withUnschedulable(true).endSpec()
                .editStatus().editFirstCondition().withStatus("True").endCondition().endStatus().build());
        assertThat(main.getSpec().getUnschedulable()).isTrue();
        assertThat(main.getStatus().getConditions().get(0).getStatus()).isEqualTo("False");
        client.nodes().withName("status-node").delete();
    }

    @Test
    void staleResourceVersionIsAConflict() {
        String ns = namespace();
        ConfigMap v1 = client.resource(new ConfigMapBuilder().withNewMetadata().withName("occ").withNamespace(ns).endMetadata()
                .addToData("n", "1").build()).create();
        ConfigMap v2 = client.resource(new ConfigMapBuilder(v1).addToData("n", "2").build()).update();
        assertThat(Long.parseLong(v2.getMetadata().getResourceVersion())).isGreaterThan(Long.parseLong(v1.getMetadata().getResourceVersion()));

        assertThatThrownBy(() -> client.resource(new ConfigMapBuilder(v1).addToData("n", "3").build()).update())
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(409);
                    assertThat(e.getStatus().getReason()).isEqualTo("Conflict");
                    assertThat(e.getStatus().getMessage()).isEqualTo("Operation cannot be fulfilled on configmaps \"occ\": "
                            + "the object has been modified; please apply your changes to the latest version and try again");
                });
        assertThatThrownBy(() -> client.configMaps().inNamespace(ns).withName("occ").patch(PatchContext.of(PatchType.JSON_MERGE),
                "{\"metadata\":{\"resourceVersion\":\"" + v1.getMetadata().getResourceVersion() + "\"},\"data\":{\"n\":\"4\"}}"))
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(409));
        assertThat(client.configMaps().inNamespace(ns).withName("occ").get().getData()).containsEntry("n", "2");

        Pod p = client.resource(pod(ns, "st", Map.of())).create();
        client.pods().inNamespace(ns).withName("st").edit(x -> new PodBuilder(x).editMetadata().addToLabels("a", "b").endMetadata().build());
        p.getStatus().setPhase("Running");
        assertThatThrownBy(() -> client.resource(p).updateStatus())
                .as("a /status write checks the resourceVersion too")
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(409));
    }

    @Test
    void leaseUpdatesAreOptimistic() {
        String ns = namespace();
        Lease l = client.resource(new LeaseBuilder().withNewMetadata().withName("l").withNamespace(ns).endMetadata()
                .withNewSpec().withHolderIdentity("a").endSpec().build()).create();
        Lease mine = new LeaseBuilder(l).editSpec().withHolderIdentity("b").endSpec().build();
        Lease theirs = new LeaseBuilder(l).editSpec().withHolderIdentity("c").endSpec().build();
        client.resource(mine).update();
        assertThatThrownBy(() -> client.resource(theirs).update())
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(409));
        assertThat(client.leases().inNamespace(ns).withName("l").get().getSpec().getHolderIdentity()).isEqualTo("b");
    }
}
