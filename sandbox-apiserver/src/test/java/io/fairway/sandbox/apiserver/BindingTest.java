package io.fairway.sandbox.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Binding;
import io.fabric8.kubernetes.api.model.BindingBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BindingTest extends ApiServerTestSupport {

    private static Binding binding(String ns, String pod, String node, String uid) {
        return new BindingBuilder().withNewMetadata().withName(pod).withNamespace(ns).withUid(uid).endMetadata()
                .withNewTarget().withApiVersion("v1").withKind("Node").withName(node).endTarget().build();
    }

    private static String bindBody(String pod, String node, String uid) {
        return "{\"apiVersion\":\"v1\",\"kind\":\"Binding\",\"metadata\":{\"name\":\"" + pod + "\""
                + (uid == null ? "" : ",\"uid\":\"" + uid + "\"") + "},\"target\":{\"kind\":\"Node\",\"name\":\"" + node + "\"}}";
    }

    @Test
    void bindingSetsTheNodeOnceThenConflicts() {
        String ns = namespace();
        client.resource(pod(ns, "p", Map.of())).create();

        HttpResponse<String> ok = http("POST", "/api/v1/namespaces/" + ns + "/pods/p/binding", "application/json", bindBody("p", "n1", null));
        assertThat(ok.statusCode()).isEqualTo(201);
        assertThat(json(ok.body()).path("status").asText()).isEqualTo("Success");
        Pod bound = client.pods().inNamespace(ns).withName("p").get();
        assertThat(bound.getSpec().getNodeName()).isEqualTo("n1");
        assertThat(bound.getStatus().getConditions()).extracting(PodCondition::getType, PodCondition::getStatus)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("PodScheduled", "True"));

        HttpResponse<String> again = http("POST", "/api/v1/namespaces/" + ns + "/pods/p/binding", "application/json", bindBody("p", "n2", null));
        assertThat(again.statusCode()).isEqualTo(409);
        JsonNode status = json(again.body());
        assertThat(status.path("reason").asText()).isEqualTo("Conflict");
        assertThat(status.path("message").asText())
                .isEqualTo("Operation cannot be fulfilled on pods/binding \"p\": pod p is already assigned to node \"n1\"");
        assertThat(client.pods().inNamespace(ns).withName("p").get().getSpec().getNodeName()).isEqualTo("n1");
    }

    @Test
    void fabric8BindingsCollectionWorksWithUidPrecondition() {
        String ns = namespace();
        Pod p = client.resource(pod(ns, "q", Map.of())).create();
        Pod other = client.resource(pod(ns, "r", Map.of())).create();

        client.bindings().inNamespace(ns).resource(binding(ns, "q", "n7", p.getMetadata().getUid())).create();
        assertThat(client.pods().inNamespace(ns).withName("q").get().getSpec().getNodeName()).isEqualTo("n7");

        assertThatThrownBy(() -> client.bindings().inNamespace(ns).resource(binding(ns, "r", "n7", "not-the-uid")).create())
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(409);
                    assertThat(e.getStatus().getMessage()).contains("Precondition failed: UID in precondition: not-the-uid");
                });
        assertThat(client.pods().inNamespace(ns).withName("r").get().getSpec().getNodeName()).isNull();
        assertThat(other.getSpec().getNodeName()).isNull();
    }

    @Test
    void bindingAMissingPodIsNotFound() {
        String ns = namespace();
        HttpResponse<String> r = http("POST", "/api/v1/namespaces/" + ns + "/pods/ghost/binding", "application/json", bindBody("ghost", "n1", null));
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(json(r.body()).path("message").asText()).isEqualTo("pods \"ghost\" not found");
        assertThatThrownBy(() -> client.bindings().inNamespace(ns).resource(binding(ns, "ghost", "n1", null)).create())
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(404));
    }

    @Test
    void nodeNameCannotBeSetOrChangedByPatchOrUpdate() {
        String ns = namespace();
        client.resource(pod(ns, "free", Map.of())).create();

        assertThatThrownBy(() -> client.pods().inNamespace(ns).withName("free")
                .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"nodeName\":\"n1\"}}"))
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(422);
                    assertThat(e.getStatus().getReason()).isEqualTo("Invalid");
                });
        assertThatThrownBy(() -> client.pods().inNamespace(ns).withName("free")
                .edit(p -> new PodBuilder(p).editSpec().withNodeName("n1").endSpec().build()))
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(422));
        Pod current = client.pods().inNamespace(ns).withName("free").get();
        current.getSpec().setNodeName("n1");
        assertThatThrownBy(() -> client.resource(current).update())
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(422));
        assertThat(client.pods().inNamespace(ns).withName("free").get().getSpec().getNodeName()).isNull();

        http("POST", "/api/v1/namespaces/" + ns + "/pods/free/binding", "application/json", bindBody("free", "n1", null));
        assertThatThrownBy(() -> client.pods().inNamespace(ns).withName("free")
                .patch(PatchContext.of(PatchType.STRATEGIC_MERGE), "{\"spec\":{\"nodeName\":\"n2\"}}"))
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(422));
        assertThat(client.pods().inNamespace(ns).withName("free").get().getSpec().getNodeName()).isEqualTo("n1");

        // other changes of a bound pod are fine and keep the node
        Pod labelled = client.pods().inNamespace(ns).withName("free").edit(p -> new PodBuilder(p).editMetadata().addToLabels("x", "y").endMetadata().build());
        assertThat(labelled.getSpec().getNodeName()).isEqualTo("n1");
    }

    @Test
    void aPodMayBeCreatedWithANode() {
        String ns = namespace();
        Pod p = client.resource(new PodBuilder(pod(ns, "pinned", Map.of())).editSpec().withNodeName("n3").endSpec().build()).create();
        assertThat(p.getSpec().getNodeName()).isEqualTo("n3");
        assertThat(p.getStatus().getPhase()).isEqualTo("Pending");
    }
}
