package io.fairway.sandbox.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PatchTest extends ApiServerTestSupport {

    @Test
    void serverSideApplyCreatesThenMerges() {
        String ns = namespace();
        ConfigMap desired = new ConfigMapBuilder().withNewMetadata().withName("spark-conf").withNamespace(ns).addToLabels("a", "1")
                .endMetadata().addToData("x", "1").build();
        ConfigMap created = client.resource(desired).fieldManager("spark").forceConflicts().serverSideApply();
        assertThat(created.getMetadata().getUid()).isNotBlank();
        assertThat(created.getData()).containsExactly(Map.entry("x", "1"));

        ConfigMap more = new ConfigMapBuilder().withNewMetadata().withName("spark-conf").withNamespace(ns).addToLabels("b", "2")
                .endMetadata().addToData("y", "2").build();
        ConfigMap merged = client.resource(more).fieldManager("spark").forceConflicts().serverSideApply();
        assertThat(merged.getMetadata().getUid()).isEqualTo(created.getMetadata().getUid());
        assertThat(merged.getData()).containsEntry("x", "1").containsEntry("y", "2");
        assertThat(merged.getMetadata().getLabels()).containsEntry("a", "1").containsEntry("b", "2");

        String yaml = """
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: from-yaml
                data:
                  k: v
                """;
        HttpResponse<String> r = http("PATCH", "/api/v1/namespaces/" + ns + "/configmaps/from-yaml?fieldManager=test&force=true",
                "application/apply-patch+yaml", yaml);
        assertThat(r.statusCode()).isEqualTo(201);
        assertThat(client.configMaps().inNamespace(ns).withName("from-yaml").get().getData()).containsEntry("k", "v");
        assertThat(http("PATCH", "/api/v1/namespaces/" + ns + "/configmaps/from-yaml?fieldManager=test", "application/apply-patch+yaml",
                yaml.replace("k: v", "k: w")).statusCode()).isEqualTo(200);
        assertThat(client.configMaps().inNamespace(ns).withName("from-yaml").get().getData()).containsEntry("k", "w");
    }

    @Test
    void serverSideApplyOfAPod() {
        String ns = namespace();
        Pod p = client.resource(pod(ns, "ssa", Map.of("v", "1"))).fieldManager("fairway").serverSideApply();
        assertThat(p.getStatus().getPhase()).isEqualTo("Pending");
        Pod again = client.resource(pod(ns, "ssa", Map.of("v", "2"))).fieldManager("fairway").serverSideApply();
        assertThat(again.getMetadata().getLabels()).containsEntry("v", "2");
        assertThat(again.getSpec().getContainers()).hasSize(1);
    }

    @Test
    void jsonPatchAsFabric8EditSendsIt() {
        String ns = namespace();
        client.resource(new ConfigMapBuilder().withNewMetadata().withName("jp").withNamespace(ns).endMetadata()
                .addToData("a", "1").addToData("b", "2").build()).create();
        ConfigMap edited = client.configMaps().inNamespace(ns).withName("jp")
                .edit(c -> new ConfigMapBuilder(c).removeFromData("a").addToData("c", "3").build());
        assertThat(edited.getData()).containsOnlyKeys("b", "c");

        ConfigMap patched = client.configMaps().inNamespace(ns).withName("jp").patch(PatchContext.of(PatchType.JSON),
                "[{\"op\":\"test\",\"path\":\"/data/b\",\"value\":\"2\"},{\"op\":\"replace\",\"path\":\"/data/b\",\"value\":\"20\"},"
                        + "{\"op\":\"add\",\"path\":\"/metadata/labels\",\"value\":{\"x/y\":\"z\"}},"
                        + "{\"op\":\"copy\",\"from\":\"/data/c\",\"path\":\"/data/d\"},{\"op\":\"remove\",\"path\":\"/data/c\"}]");
        assertThat(patched.getData()).containsExactlyInAnyOrderEntriesOf(Map.of("b", "20", "d", "3"));
        assertThat(patched.getMetadata().getLabels()).containsEntry("x/y", "z");
        assertThatThrownBy(() -> client.configMaps().inNamespace(ns).withName("jp").patch(PatchContext.of(PatchType.JSON),
                "[{\"op\":\"test\",\"path\":\"/data/b\",\"value\":\"nope\"},{\"op\":\"remove\",\"path\":\"/data/b\"}]"))
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(422));
        assertThat(client.configMaps().inNamespace(ns).withName("jp").get().getData()).containsKey("b");
    }

    @Test
    void mergePatchRemovesWithNullAndStrategicMergeMergesContainersByName() {
        String ns = namespace();
        client.resource(new PodBuilder(pod(ns, "sm", Map.of("keep", "1", "drop", "1"))).editSpec().addNewContainer()
                .withName("side").withImage("side:1").endContainer().endSpec().build()).create();

        Pod merged = client.pods().inNamespace(ns).withName("sm").patch(PatchContext.of(PatchType.JSON_MERGE),
                "{\"metadata\":{\"labels\":{\"drop\":null,\"new\":\"1\"}}}");
        assertThat(merged.getMetadata().getLabels()).containsOnlyKeys("keep", "new");

        Pod strategic = client.pods().inNamespace(ns).withName("sm").patch(PatchContext.of(PatchType.STRATEGIC_MERGE),
                "{\"spec\":{\"$setElementOrder/containers\":[{\"name\":\"main\"},{\"name\":\"side\"}],"
                        + "\"containers\":[{\"name\":\"side\",\"image\":\"side:2\"}]}}");
        assertThat(strategic.getSpec().getContainers()).extracting(c -> c.getName() + "=" + c.getImage())
                .containsExactly("main=busybox:1.36", "side=side:2");
        assertThat(strategic.getSpec().getContainers().get(0).getResources().getRequests()).containsKey("cpu");

        HttpResponse<String> bad = http("PATCH", "/api/v1/namespaces/" + ns + "/pods/sm", "text/plain", "{}");
        assertThat(bad.statusCode()).isEqualTo(415);
        assertThat(http("PATCH", "/api/v1/namespaces/" + ns + "/pods/none", "application/merge-patch+json", "{}").statusCode()).isEqualTo(404);
    }

    @Test
    void patchesUnitLevel() {
        JsonNode target = json("{\"a\":{\"b\":1,\"c\":[1,2]},\"finalizers\":[\"x\"],\"conditions\":[{\"type\":\"Ready\",\"status\":\"False\"}]}");
        JsonNode merged = Patches.strategicMerge(target.deepCopy(), json(
                "{\"a\":{\"$retainKeys\":[\"c\"],\"c\":[3]},\"finalizers\":[\"y\"],\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\"},"
                        + "{\"type\":\"PodScheduled\",\"status\":\"True\"}]}"));
        assertThat(merged.toString()).isEqualTo("{\"a\":{\"c\":[3]},\"finalizers\":[\"x\",\"y\"],\"conditions\":[{\"type\":\"Ready\","
                + "\"status\":\"True\"},{\"type\":\"PodScheduled\",\"status\":\"True\"}]}");
        JsonNode deleted = Patches.strategicMerge(target.deepCopy(), json("{\"conditions\":[{\"type\":\"Ready\",\"$patch\":\"delete\"}],"
                + "\"$deleteFromPrimitiveList/finalizers\":[\"x\"]}"));
        assertThat(deleted.path("conditions").size()).isZero();
        assertThat(deleted.path("finalizers").size()).isZero();
        JsonNode moved = Patches.jsonPatch(target.deepCopy(), json("[{\"op\":\"move\",\"from\":\"/a/b\",\"path\":\"/b\"},"
                + "{\"op\":\"add\",\"path\":\"/a/c/-\",\"value\":9},{\"op\":\"add\",\"path\":\"/a/c/0\",\"value\":0}]"));
        assertThat(moved.path("b").asInt()).isEqualTo(1);
        assertThat(moved.path("a").path("c").toString()).isEqualTo("[0,1,2,9]");
    }
}
