package io.fairway.sandbox.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClass;
import io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClassBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CrudTest extends ApiServerTestSupport {

    @Test
    void podsAreCreatedPendingWithSystemMetadataAndDefaults() {
        String ns = namespace();
        Pod created = client.resource(pod(ns, "p1", Map.of("app", "a"))).create();

        assertThat(created.getMetadata().getUid()).isNotBlank();
        assertThat(created.getMetadata().getCreationTimestamp()).isNotBlank();
        assertThat(Long.parseLong(created.getMetadata().getResourceVersion())).isPositive();
        assertThat(created.getStatus().getPhase()).isEqualTo("Pending");
        assertThat(created.getStatus().getQosClass()).isEqualTo("Burstable");
        assertThat(created.getSpec().getSchedulerName()).isEqualTo("default-scheduler");
        assertThat(created.getSpec().getPriority()).isZero();

        Pod got = client.pods().inNamespace(ns).withName("p1").get();
        assertThat(got.getMetadata().getUid()).isEqualTo(created.getMetadata().getUid());
        assertThat(client.pods().inNamespace(ns).list().getItems()).extracting(p -> p.getMetadata().getName()).containsExactly("p1");
        assertThat(client.pods().inAnyNamespace().list().getItems()).extracting(p -> p.getMetadata().getName()).contains("p1");
    }

    @Test
    void podsGetTheServiceAccountAndTheNotReadyAndUnreachableTolerationsAsOnACluster() {
        String ns = namespace();
        Pod created = client.resource(pod(ns, "sa", Map.of())).create();
        assertThat(created.getSpec().getServiceAccountName()).isEqualTo("default");
        assertThat(created.getSpec().getTolerations()).extracting(t -> t.getKey() + " " + t.getOperator() + " "
                + t.getEffect() + " " + t.getTolerationSeconds()).containsExactlyInAnyOrder(
                "node.kubernetes.io/not-ready Exists NoExecute 300", "node.kubernetes.io/unreachable Exists NoExecute 300");

        // a pod that tolerates them already, or everything, keeps its own
        Pod own = pod(ns, "own", Map.of());
        own.getSpec().setServiceAccountName("runner");
        own.getSpec().setTolerations(List.of(new io.fabric8.kubernetes.api.model.TolerationBuilder()
                .withKey("node.kubernetes.io/not-ready").withOperator("Exists").withEffect("NoExecute")
                .withTolerationSeconds(5L).build(), new io.fabric8.kubernetes.api.model.TolerationBuilder()
                .withOperator("Exists").build()));
        Pod kept = client.resource(own).create();
        assertThat(kept.getSpec().getServiceAccountName()).isEqualTo("runner");
        assertThat(kept.getSpec().getTolerations()).hasSize(2)
                .anySatisfy(t -> assertThat(t.getTolerationSeconds()).isEqualTo(5L));
    }

    @Test
    void aPodsSpecChangesOnlyWhereKubeApiserverLetsIt() {
        String ns = namespace();
        client.resource(pod(ns, "fixed", Map.of())).create();
        var pods = client.pods().inNamespace(ns).withName("fixed");
        Throwable grow = org.assertj.core.api.Assertions.catchThrowable(() -> pods.edit(p -> {
            p.getSpec().getContainers().get(0).getResources().getRequests().put("cpu",
                    new io.fabric8.kubernetes.api.model.Quantity("64"));
            return p;
        }));
        assertThat(grow).isInstanceOf(io.fabric8.kubernetes.client.KubernetesClientException.class)
                .hasMessageContaining("pod updates may not change fields other than");
        assertThat(pods.get().getSpec().getContainers().get(0).getResources().getRequests().get("cpu"))
                .isNotEqualTo(new io.fabric8.kubernetes.api.model.Quantity("64"));
        // what it lets change: an image, a toleration added, the labels
        pods.edit(p -> {
            p.getSpec().getContainers().get(0).setImage("busybox:2");
            p.getSpec().getTolerations().add(new io.fabric8.kubernetes.api.model.TolerationBuilder().withKey("x")
                    .withOperator("Exists").withEffect("NoSchedule").build());
            p.getMetadata().getLabels().put("v", "2");
            return p;
        });
        Pod now = pods.get();
        assertThat(now.getSpec().getContainers().get(0).getImage()).isEqualTo("busybox:2");
        assertThat(now.getSpec().getTolerations()).hasSize(3);
        // and a replace of the manifest as written (without the server's defaults) is the same pod
        Pod manifest = pod(ns, "fixed", Map.of("v", "3"));
        manifest.getSpec().getContainers().get(0).setImage("busybox:2");
        manifest.getSpec().setTolerations(now.getSpec().getTolerations());
        client.resource(manifest).update();
        assertThat(pods.get().getMetadata().getLabels()).containsEntry("v", "3");
    }

    @Test
    void resourceVersionsIncreaseGloballyAndListsCarryTheCurrentOne() {
        String ns = namespace();
        Pod a = client.resource(pod(ns, "a", Map.of())).create();
        ConfigMap cm = client.resource(new ConfigMapBuilder().withNewMetadata().withName("c").withNamespace(ns).endMetadata()
                .addToData("k", "v").build()).create();
        Pod b = client.resource(pod(ns, "b", Map.of())).create();
        long ra = Long.parseLong(a.getMetadata().getResourceVersion());
        long rc = Long.parseLong(cm.getMetadata().getResourceVersion());
        long rb = Long.parseLong(b.getMetadata().getResourceVersion());
        assertThat(ra).isLessThan(rc);
        assertThat(rc).isLessThan(rb);
        long listRv = Long.parseLong(client.pods().inNamespace(ns).list().getMetadata().getResourceVersion());
        assertThat(listRv).isGreaterThanOrEqualTo(rb);
    }

    @Test
    void generateNameGivesUniqueNames() {
        String ns = namespace();
        Pod template = new PodBuilder(pod(ns, null, Map.of())).editMetadata().withGenerateName("job-").endMetadata().build();
        Pod one = client.resource(template).create();
        Pod two = client.resource(template).create();
        assertThat(one.getMetadata().getName()).startsWith("job-").hasSize(9);
        assertThat(two.getMetadata().getName()).startsWith("job-").isNotEqualTo(one.getMetadata().getName());
    }

    @Test
    void createErrorsAreStatusObjectsLikeTheRealServer() {
        String ns = namespace();
        client.resource(pod(ns, "dup", Map.of())).create();
        assertThatThrownBy(() -> client.resource(pod(ns, "dup", Map.of())).create())
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(409);
                    assertThat(e.getStatus().getReason()).isEqualTo("AlreadyExists");
                    assertThat(e.getStatus().getMessage()).isEqualTo("pods \"dup\" already exists");
                });
        assertThatThrownBy(() -> client.resource(pod("no-such-ns", "x", Map.of())).create())
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(404);
                    assertThat(e.getStatus().getMessage()).isEqualTo("namespaces \"no-such-ns\" not found");
                });
        Pod noContainers = new PodBuilder().withNewMetadata().withName("bad").withNamespace(ns).endMetadata().withNewSpec().endSpec().build();
        assertThatThrownBy(() -> client.resource(noContainers).create())
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(422);
                    assertThat(e.getStatus().getReason()).isEqualTo("Invalid");
                });
        assertThat(client.pods().inNamespace(ns).withName("missing").get()).isNull();

        HttpResponse<String> r = http("GET", "/api/v1/namespaces/" + ns + "/pods/missing", null, null);
        assertThat(r.statusCode()).isEqualTo(404);
        JsonNode status = json(r.body());
        assertThat(status.path("kind").asText()).isEqualTo("Status");
        assertThat(status.path("reason").asText()).isEqualTo("NotFound");
        assertThat(status.path("code").asInt()).isEqualTo(404);
        assertThat(http("PUT", "/api/v1/namespaces/" + ns + "/pods", "application/json", "{}").statusCode()).isEqualTo(405);
    }

    @Test
    void systemNamespacesExistAtStart() {
        assertThat(client.namespaces().list().getItems()).extracting(n -> n.getMetadata().getName())
                .contains("default", "kube-system", "kube-public", "kube-node-lease");
        assertThat(client.namespaces().withName("default").get().getStatus().getPhase()).isEqualTo("Active");
        assertThat(client.namespaces().withName("default").get().getMetadata().getLabels())
                .containsEntry("kubernetes.io/metadata.name", "default");
    }

    @Test
    void nodesKeepTheirStatusOnCreateAndAreClusterScoped() {
        Node n = client.resource(node("crud-node")).create();
        assertThat(n.getStatus().getCapacity()).containsKey("cpu");
        assertThat(n.getMetadata().getNamespace()).isNull();
        assertThat(client.nodes().withName("crud-node").get().getStatus().getConditions()).hasSize(1);
        assertThat(client.nodes().withName("crud-node").delete()).hasSize(1);
        assertThat(client.nodes().withName("crud-node").get()).isNull();
    }

    @Test
    void configMapsUpdateAndDelete() {
        String ns = namespace();
        client.resource(new ConfigMapBuilder().withNewMetadata().withName("cfg").withNamespace(ns).endMetadata()
                .addToData("a", "1").build()).create();
        ConfigMap edited = client.configMaps().inNamespace(ns).withName("cfg").edit(c -> new ConfigMapBuilder(c).addToData("b", "2").build());
        assertThat(edited.getData()).containsEntry("a", "1").containsEntry("b", "2");
        ConfigMap replaced = client.configMaps().inNamespace(ns).withName("cfg").get();
        replaced.setData(Map.of("c", "3"));
        ConfigMap updated = client.resource(replaced).update();
        assertThat(updated.getData()).containsOnlyKeys("c");
        assertThat(client.configMaps().inNamespace(ns).withName("cfg").delete()).hasSize(1);
        assertThat(client.configMaps().inNamespace(ns).withName("cfg").get()).isNull();
    }

    @Test
    void noOpUpdatesKeepTheResourceVersion() {
        String ns = namespace();
        ConfigMap cm = client.resource(new ConfigMapBuilder().withNewMetadata().withName("same").withNamespace(ns).endMetadata()
                .addToData("a", "1").build()).create();
        ConfigMap again = client.resource(cm).update();
        assertThat(again.getMetadata().getResourceVersion()).isEqualTo(cm.getMetadata().getResourceVersion());
    }

    @Test
    void eventsInBothApiGroups() {
        String ns = namespace();
        Pod p = client.resource(pod(ns, "ev-pod", Map.of())).create();
        Event core = new EventBuilder().withNewMetadata().withName("ev-pod.1").withNamespace(ns).endMetadata()
                .withNewInvolvedObject().withKind("Pod").withName("ev-pod").withNamespace(ns).withUid(p.getMetadata().getUid()).endInvolvedObject()
                .withReason("Scheduled").withMessage("assigned").withType("Normal").build();
        client.resource(core).create();
        io.fabric8.kubernetes.api.model.events.v1.Event v1 = new io.fabric8.kubernetes.api.model.events.v1.EventBuilder()
                .withNewMetadata().withName("ev-pod.2").withNamespace(ns).endMetadata()
                .withNewRegarding().withKind("Pod").withName("ev-pod").withNamespace(ns).withUid(p.getMetadata().getUid()).endRegarding()
                .withReason("Started").withNote("started").withType("Normal").withReportingController("fairway")
                .withReportingInstance("fairway-0").withAction("Start").withEventTime(new io.fabric8.kubernetes.api.model.MicroTime("2026-01-01T00:00:00.000000Z"))
                .build();
        client.resource(v1).create();

        List<Event> coreList = client.v1().events().inNamespace(ns).withField("involvedObject.uid", p.getMetadata().getUid()).list().getItems();
        assertThat(coreList).extracting(Event::getReason).containsExactlyInAnyOrder("Scheduled", "Started");
        assertThat(coreList).filteredOn(e -> e.getReason().equals("Started")).first()
                .satisfies(e -> assertThat(e.getMessage()).isEqualTo("started"));
        List<io.fabric8.kubernetes.api.model.events.v1.Event> v1List = client.events().v1().events().inNamespace(ns).list().getItems();
        assertThat(v1List).filteredOn(e -> e.getReason().equals("Scheduled")).first()
                .satisfies(e -> assertThat(e.getNote()).isEqualTo("assigned"));
        assertThat(client.v1().events().inNamespace(ns).withField("involvedObject.name", "other").list().getItems()).isEmpty();
    }

    @Test
    void leasesAndPriorityClasses() {
        String ns = namespace();
        Lease lease = client.resource(new LeaseBuilder().withNewMetadata().withName("lock").withNamespace(ns).endMetadata()
                .withNewSpec().withHolderIdentity("a").withLeaseDurationSeconds(10).endSpec().build()).create();
        lease.getSpec().setHolderIdentity("b");
        assertThat(client.resource(lease).update().getSpec().getHolderIdentity()).isEqualTo("b");

        client.resource(new PriorityClassBuilder().withNewMetadata().withName("crud-high").endMetadata().withValue(1000).build()).create();
        assertThat(client.scheduling().v1().priorityClasses().withName("crud-high").get().getPreemptionPolicy()).isEqualTo("PreemptLowerPriority");
        assertThat(client.scheduling().v1().priorityClasses().withName("system-node-critical").get().getValue()).isEqualTo(2000001000);
        Pod high = client.resource(new PodBuilder(pod(ns, "hp", Map.of())).editSpec().withPriorityClassName("crud-high").endSpec().build()).create();
        assertThat(high.getSpec().getPriority()).isEqualTo(1000);
        assertThatThrownBy(() -> client.resource(new PodBuilder(pod(ns, "bad-pc", Map.of())).editSpec().withPriorityClassName("nope").endSpec().build()).create())
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(403));
        PriorityClass pc = client.scheduling().v1().priorityClasses().withName("crud-high").get();
        pc.setValue(5);
        assertThatThrownBy(() -> client.resource(pc).update())
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(422));
    }

    @Test
    void deleteReturnsTheObjectAndDeleteCollectionHonoursSelectors() {
        String ns = namespace();
        client.resource(pod(ns, "x1", Map.of("grp", "x"))).create();
        client.resource(pod(ns, "x2", Map.of("grp", "x"))).create();
        client.resource(pod(ns, "y1", Map.of("grp", "y"))).create();
        HttpResponse<String> r = http("DELETE", "/api/v1/namespaces/" + ns + "/pods/y1", null, null);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(json(r.body()).path("metadata").path("name").asText()).isEqualTo("y1");
        assertThat(client.pods().inNamespace(ns).withLabel("grp", "x").delete()).hasSize(2);
        assertThat(client.pods().inNamespace(ns).list().getItems()).isEmpty();
    }

    @Test
    void ownerReferencesAreGarbageCollected() {
        String ns = namespace();
        Pod driver = client.resource(pod(ns, "driver", Map.of())).create();
        var ref = new OwnerReferenceBuilder().withApiVersion("v1").withKind("Pod").withName("driver")
                .withUid(driver.getMetadata().getUid()).withController(true).build();
        client.resource(new PodBuilder(pod(ns, "exec-1", Map.of())).editMetadata().withOwnerReferences(ref).endMetadata().build()).create();
        client.resource(new ConfigMapBuilder().withNewMetadata().withName("driver-conf").withNamespace(ns).withOwnerReferences(ref).endMetadata()
                .build()).create();
        client.resource(pod(ns, "unrelated", Map.of())).create();
        assertThat(client.configMaps().inNamespace(ns).withName("driver-conf").get()).isNotNull();

        client.pods().inNamespace(ns).withName("driver").delete();

        assertThat(client.pods().inNamespace(ns).list().getItems()).extracting(p -> p.getMetadata().getName()).containsExactly("unrelated");
        assertThat(client.configMaps().inNamespace(ns).withName("driver-conf").get()).isNull();
    }

    @Test
    void finalizersDeferDeletion() {
        String ns = namespace();
        client.resource(new ConfigMapBuilder().withNewMetadata().withName("held").withNamespace(ns).addToFinalizers("fairway.io/hold")
                .endMetadata().build()).create();
        HttpResponse<String> r = http("DELETE", "/api/v1/namespaces/" + ns + "/configmaps/held", null, null);
        assertThat(r.statusCode()).isEqualTo(202);
        ConfigMap held = client.configMaps().inNamespace(ns).withName("held").get();
        assertThat(held.getMetadata().getDeletionTimestamp()).isNotNull();
        client.configMaps().inNamespace(ns).withName("held").edit(c -> new ConfigMapBuilder(c).editMetadata().withFinalizers().endMetadata().build());
        assertThat(client.configMaps().inNamespace(ns).withName("held").get()).isNull();
    }

    @Test
    void deletingANamespaceDeletesItsContents() {
        String ns = namespace();
        client.resource(pod(ns, "a", Map.of())).create();
        client.resource(new ConfigMapBuilder().withNewMetadata().withName("c").withNamespace(ns).endMetadata().build()).create();
        long before = server.objectCount();
        client.namespaces().withName(ns).delete();
        assertThat(client.namespaces().withName(ns).get()).isNull();
        assertThat(client.pods().inNamespace(ns).list().getItems()).isEmpty();
        assertThat(server.objectCount()).isEqualTo(before - 3);
    }

    @Test
    void discoveryAndVersion() {
        JsonNode version = json(http("GET", "/version", null, null).body());
        assertThat(version.path("gitVersion").asText()).isEqualTo("v1.32.0");
        assertThat(client.getKubernetesVersion().getMinor()).isEqualTo("32");
        JsonNode v1 = json(http("GET", "/api/v1", null, null).body());
        assertThat(v1.path("resources").findValuesAsText("name")).contains("pods", "pods/binding", "pods/status", "nodes", "nodes/status",
                "namespaces", "configmaps", "events", "bindings");
        assertThat(client.supports(Lease.class)).isTrue();
        assertThat(client.supports(PriorityClass.class)).isTrue();
    }
}
