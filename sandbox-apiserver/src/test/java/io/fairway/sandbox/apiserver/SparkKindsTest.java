package io.fairway.sandbox.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Services, ServiceAccounts and PersistentVolumeClaims as Spark's cluster mode uses them (through fabric8), and their errors. */
class SparkKindsTest extends ApiServerTestSupport {

    private static Service service(String ns, String name, Map<String, String> labels, String clusterIp) {
        return new ServiceBuilder().withNewMetadata().withNamespace(ns).withName(name).withLabels(labels).endMetadata()
                .withNewSpec().withClusterIP(clusterIp).withSelector(Map.of("spark-role", "driver"))
                .addNewPort().withName("driver-rpc-port").withPort(7078).endPort()
                .addNewPort().withName("blockmanager").withPort(7079).endPort()
                .endSpec().build();
    }

    private static PersistentVolumeClaim claim(String ns, String name, Map<String, String> labels) {
        return new PersistentVolumeClaimBuilder().withNewMetadata().withNamespace(ns).withName(name).withLabels(labels).endMetadata()
                .withNewSpec().withAccessModes("ReadWriteOnce").withNewResources().addToRequests("storage", new Quantity("1Gi"))
                .endResources().endSpec().build();
    }

    @Test
    void sparkDriverServiceIsAppliedServerSideThenDeletedByLabel() {
        String ns = namespace();
        Map<String, String> app = Map.of("spark-app-selector", "spark-123");
        // what spark-submit does for the driver: server-side apply of a headless Service that does not exist yet
        Service applied = client.resource(service(ns, "spark-pi-driver-svc", app, "None"))
                .fieldManager("fabric8").forceConflicts().serverSideApply();
        assertThat(applied.getMetadata().getUid()).isNotBlank();
        assertThat(applied.getSpec().getClusterIP()).isEqualTo("None");
        assertThat(applied.getSpec().getType()).isEqualTo("ClusterIP");
        assertThat(applied.getSpec().getPorts()).allSatisfy(p -> {
            assertThat(p.getProtocol()).isEqualTo("TCP");
            assertThat(p.getTargetPort().getIntVal()).isEqualTo(p.getPort());
        });
        // applied again: merged, same object
        Service again = client.resource(service(ns, "spark-pi-driver-svc", Map.of("spark-app-selector", "spark-123", "v", "2"), "None"))
                .fieldManager("fabric8").forceConflicts().serverSideApply();
        assertThat(again.getMetadata().getUid()).isEqualTo(applied.getMetadata().getUid());
        assertThat(again.getMetadata().getLabels()).containsEntry("v", "2");

        client.resource(claim(ns, "spark-pi-exec-1-pvc-0", app)).create();
        client.resource(claim(ns, "other-pvc", Map.of())).create();
        client.resource(service(ns, "unrelated", Map.of("team", "a"), null)).create();

        assertThat(client.services().inNamespace(ns).withLabels(app).list().getItems())
                .extracting(s -> s.getMetadata().getName()).containsExactly("spark-pi-driver-svc");

        // what spark-submit does at exit: delete the collections by label selector
        String selector = "spark-app-selector%3Dspark-123";
        HttpResponse<String> svcs = http("DELETE", "/api/v1/namespaces/" + ns + "/services?labelSelector=" + selector, null, null);
        assertThat(svcs.statusCode()).isEqualTo(200);
        JsonNode list = json(svcs.body());
        assertThat(list.path("kind").asText()).isEqualTo("ServiceList");
        assertThat(list.path("items")).hasSize(1);
        HttpResponse<String> pvcs = http("DELETE", "/api/v1/namespaces/" + ns + "/persistentvolumeclaims?labelSelector=" + selector, null, null);
        assertThat(pvcs.statusCode()).isEqualTo(200);
        assertThat(json(pvcs.body()).path("items")).hasSize(1);
        // nothing left to delete: 200 with an empty list, as Spark expects
        HttpResponse<String> none = http("DELETE", "/api/v1/namespaces/" + ns + "/services?labelSelector=" + selector, null, null);
        assertThat(none.statusCode()).isEqualTo(200);
        assertThat(json(none.body()).path("items")).isEmpty();

        assertThat(client.services().inNamespace(ns).list().getItems()).extracting(s -> s.getMetadata().getName())
                .containsExactly("unrelated");
        assertThat(client.persistentVolumeClaims().inNamespace(ns).list().getItems()).extracting(s -> s.getMetadata().getName())
                .containsExactly("other-pvc");
    }

    @Test
    void serverSideApplyOfRawYamlCreatesAService() {
        String ns = namespace();
        String yaml = """
                apiVersion: v1
                kind: Service
                metadata:
                  name: web
                spec:
                  selector: {app: web}
                  ports:
                  - port: 80
                    targetPort: 8080
                """;
        HttpResponse<String> r = http("PATCH", "/api/v1/namespaces/" + ns + "/services/web?fieldManager=fabric8&force=true",
                "application/apply-patch+yaml", yaml);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        JsonNode svc = json(r.body());
        assertThat(svc.at("/spec/clusterIP").asText()).startsWith("10.");
        assertThat(Services.offsetInRange(svc.at("/spec/clusterIP").asText())).isPositive();
        assertThat(svc.at("/spec/clusterIPs/0").asText()).isEqualTo(svc.at("/spec/clusterIP").asText());
        assertThat(svc.at("/spec/ports/0/targetPort").asInt()).isEqualTo(8080);
        HttpResponse<String> again = http("PATCH", "/api/v1/namespaces/" + ns + "/services/web?fieldManager=fabric8&force=true",
                "application/apply-patch+yaml", yaml.replace("port: 80", "port: 81"));
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(json(again.body()).at("/spec/clusterIP").asText()).isEqualTo(svc.at("/spec/clusterIP").asText());
    }

    @Test
    void clusterIpsAreAllocatedUniqueAndNeverChange() {
        String ns = namespace();
        Service a = client.resource(service(ns, "a", Map.of(), null)).create();
        Service b = client.resource(service(ns, "b", Map.of(), null)).create();
        assertThat(a.getSpec().getClusterIP()).isNotEqualTo(b.getSpec().getClusterIP());
        assertThat(Services.offsetInRange(a.getSpec().getClusterIP())).isPositive();
        assertThat(a.getSpec().getIpFamilies()).containsExactly("IPv4");
        assertThat(a.getSpec().getSessionAffinity()).isEqualTo("None");
        assertThat(client.services().inNamespace("default").withName("kubernetes").get().getSpec().getClusterIP())
                .isEqualTo("10.96.0.1");

        // a chosen IP: taken, out of range, fine
        assertThatThrownBy(() -> client.resource(service(ns, "c", Map.of(), a.getSpec().getClusterIP())).create())
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(422);
                    assertThat(e.getStatus().getMessage()).contains("spec.clusterIPs", a.getSpec().getClusterIP(),
                            "provided IP is already allocated");
                });
        assertThatThrownBy(() -> client.resource(service(ns, "c", Map.of(), "192.168.0.1")).create())
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(422);
                    assertThat(e.getStatus().getMessage()).contains("192.168.0.1", "not in the valid range", Services.RANGE);
                });
        assertThat(client.resource(service(ns, "c", Map.of(), "10.96.0.53")).create().getSpec().getClusterIP()).isEqualTo("10.96.0.53");

        // an update without the IP keeps it; one that changes it is refused
        Service replaced = client.resource(service(ns, "a", Map.of("x", "y"), null)).update();
        assertThat(replaced.getSpec().getClusterIP()).isEqualTo(a.getSpec().getClusterIP());
        assertThatThrownBy(() -> client.services().inNamespace(ns).withName("a")
                .edit(s -> new ServiceBuilder(s).editSpec().withClusterIP("10.96.0.54").withClusterIPs("10.96.0.54").endSpec().build()))
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(422);
                    assertThat(e.getStatus().getMessage()).contains("spec.clusterIP", "10.96.0.54", "field is immutable");
                });

        // a deleted service's IP can be asked for again
        client.services().inNamespace(ns).withName("c").delete();
        assertThat(client.resource(service(ns, "d", Map.of(), "10.96.0.53")).create().getSpec().getClusterIP()).isEqualTo("10.96.0.53");

        assertThatThrownBy(() -> client.resource(new ServiceBuilder().withNewMetadata().withNamespace(ns).withName("noports")
                .endMetadata().withNewSpec().endSpec().build()).create())
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(422);
                    assertThat(e.getStatus().getMessage()).contains("spec.ports: Required value");
                });
        Service nodePort = client.resource(new ServiceBuilder(service(ns, "np", Map.of(), null)).editSpec().withType("NodePort")
                .endSpec().build()).create();
        assertThat(nodePort.getSpec().getPorts()).allSatisfy(p -> assertThat(p.getNodePort()).isBetween(30000, 32767));
    }

    @Test
    void serviceAccountsAndClaimsAreStoredWatchedAndValidated() throws Exception {
        String ns = namespace();
        BlockingQueue<String> events = new LinkedBlockingQueue<>();
        try (Watch w = client.serviceAccounts().inNamespace(ns).watch(new Watcher<>() {
            @Override
            public void eventReceived(Action action, ServiceAccount sa) {
                events.add(action + " " + sa.getMetadata().getName());
            }

            @Override
            public void onClose(WatcherException cause) { }
        })) {
            ServiceAccount sa = client.resource(new ServiceAccountBuilder().withNewMetadata().withNamespace(ns).withName("spark")
                    .addToLabels("app", "spark").endMetadata().build()).create();
            assertThat(client.serviceAccounts().inNamespace(ns).withName("spark").get().getMetadata().getUid())
                    .isEqualTo(sa.getMetadata().getUid());
            assertThat(client.serviceAccounts().inNamespace(ns).withLabel("app", "spark").list().getItems()).hasSize(1);
            assertThat(client.serviceAccounts().inNamespace(ns).withLabel("app", "other").list().getItems()).isEmpty();
            client.serviceAccounts().inNamespace(ns).withName("spark").delete();
            assertThat(events.poll(10, TimeUnit.SECONDS)).isEqualTo("ADDED spark");
            assertThat(events.poll(10, TimeUnit.SECONDS)).isEqualTo("DELETED spark");
        }

        PersistentVolumeClaim pvc = client.resource(claim(ns, "data", Map.of())).create();
        assertThat(pvc.getStatus().getPhase()).isEqualTo("Pending");
        assertThat(pvc.getSpec().getVolumeMode()).isEqualTo("Filesystem");
        // expansion is allowed, other spec changes are not
        PersistentVolumeClaim bigger = client.persistentVolumeClaims().inNamespace(ns).withName("data").edit(c -> new PersistentVolumeClaimBuilder(c)
                .editSpec().editResources().addToRequests("storage", new Quantity("2Gi")).endResources().endSpec().build());
        assertThat(bigger.getSpec().getResources().getRequests().get("storage")).isEqualTo(new Quantity("2Gi"));
        assertThatThrownBy(() -> client.persistentVolumeClaims().inNamespace(ns).withName("data").edit(c -> new PersistentVolumeClaimBuilder(c)
                .editSpec().withAccessModes("ReadWriteMany").endSpec().build()))
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(422);
                    assertThat(e.getStatus().getMessage()).contains("spec: Forbidden: spec is immutable after creation");
                });
        assertThatThrownBy(() -> client.resource(new PersistentVolumeClaimBuilder().withNewMetadata().withNamespace(ns)
                .withName("bad").endMetadata().withNewSpec().endSpec().build()).create())
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(422);
                    assertThat(e.getStatus().getMessage()).contains("spec.accessModes: Required value");
                });
    }

    @Test
    void discoveryListsThem() {
        JsonNode v1 = json(http("GET", "/api/v1", null, null).body());
        List<String> names = new ArrayList<>();
        v1.path("resources").forEach(r -> names.add(r.path("name").asText()));
        assertThat(names).contains("services", "services/status", "serviceaccounts", "persistentvolumeclaims",
                "persistentvolumeclaims/status");
        assertThat(client.getApiResources("v1").getResources()).anySatisfy(r -> {
            assertThat(r.getName()).isEqualTo("services");
            assertThat(r.getShortNames()).containsExactly("svc");
            assertThat(r.getVerbs()).contains("deletecollection", "watch");
        });
    }
}
