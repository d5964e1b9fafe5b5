package io.fairway.sandbox.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The eviction subresource, as kubectl drain and fabric8's evict() use it. */
class EvictionTest extends ApiServerTestSupport {

    private static String eviction(String ns, String name, String deleteOptions) {
        return "{\"apiVersion\":\"policy/v1\",\"kind\":\"Eviction\",\"metadata\":{\"name\":\"" + name + "\",\"namespace\":\"" + ns + "\"}"
                + (deleteOptions == null ? "" : ",\"deleteOptions\":" + deleteOptions) + "}";
    }

    private static HttpResponse<String> evict(String ns, String name, String body) {
        return http("POST", "/api/v1/namespaces/" + ns + "/pods/" + name + "/eviction", "application/json", body);
    }

    @Test
    void anEvictionDeletesThePodAndAnswersASuccessStatus() {
        String ns = namespace();
        client.resource(pod(ns, "victim", Map.of())).create();
        HttpResponse<String> r = evict(ns, "victim", eviction(ns, "victim", "{\"gracePeriodSeconds\":0}"));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        JsonNode status = json(r.body());
        assertThat(status.path("kind").asText()).isEqualTo("Status");
        assertThat(status.path("status").asText()).isEqualTo("Success");
        assertThat(status.path("code").asInt()).isEqualTo(201);
        assertThat(client.pods().inNamespace(ns).withName("victim").get()).isNull();

        // fabric8's evict() sends the same request
        client.resource(pod(ns, "second", Map.of())).create();
        assertThat(client.pods().inNamespace(ns).withName("second").evict()).isTrue();
        assertThat(client.pods().inNamespace(ns).withName("second").get()).isNull();
    }

    @Test
    void aBoundPodIsEvictedGracefully() {
        String ns = namespace();
        client.resource(node("evict-node-" + ns)).create();
        client.resource(pod(ns, "bound", Map.of())).create();
        assertThat(http("POST", "/api/v1/namespaces/" + ns + "/pods/bound/binding", "application/json",
                "{\"apiVersion\":\"v1\",\"kind\":\"Binding\",\"metadata\":{\"name\":\"bound\"},\"target\":{\"kind\":\"Node\",\"name\":\"evict-node-"
                        + ns + "\"}}").statusCode()).isEqualTo(201);
        // no delete options: the pod's own grace period, as a graceful delete (this server has no kubelet to wait for)
        assertThat(evict(ns, "bound", eviction(ns, "bound", null)).statusCode()).isEqualTo(201);
        assertThat(client.pods().inNamespace(ns).withName("bound").get()).isNull();
    }

    @Test
    void errorsNameThePodAndWhatToDo() {
        String ns = namespace();
        HttpResponse<String> missing = evict(ns, "nope", eviction(ns, "nope", null));
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(json(missing.body()).path("message").asText()).isEqualTo("pods \"nope\" not found");
        assertThat(json(missing.body()).path("reason").asText()).isEqualTo("NotFound");

        client.resource(pod(ns, "kept", Map.of())).create();
        HttpResponse<String> mismatch = evict(ns, "kept", eviction(ns, "other", null));
        assertThat(mismatch.statusCode()).isEqualTo(400);
        assertThat(json(mismatch.body()).path("message").asText()).contains("name in URL does not match name in Eviction object", "kept", "other");

        HttpResponse<String> wrongKind = evict(ns, "kept", "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"kept\"}}");
        assertThat(wrongKind.statusCode()).isEqualTo(400);
        assertThat(json(wrongKind.body()).path("message").asText()).contains("must be an Eviction (policy/v1)", "Pod");

        // a dry run deletes nothing
        HttpResponse<String> dry = http("POST", "/api/v1/namespaces/" + ns + "/pods/kept/eviction?dryRun=All", "application/json",
                eviction(ns, "kept", null));
        assertThat(dry.statusCode()).isEqualTo(201);
        // the subresource is only created: GET and DELETE on it are 405 and leave the pod alone
        assertThat(http("GET", "/api/v1/namespaces/" + ns + "/pods/kept/eviction", null, null).statusCode()).isEqualTo(405);
        HttpResponse<String> delete = http("DELETE", "/api/v1/namespaces/" + ns + "/pods/kept/eviction", null, null);
        assertThat(delete.statusCode()).isEqualTo(405);
        assertThat(json(delete.body()).path("message").asText()).contains("pods/eviction", "delete the pod itself");
        assertThat(client.pods().inNamespace(ns).withName("kept").get()).isNotNull();
    }

    @Test
    void discoveryListsTheSubresource() {
        JsonNode v1 = json(http("GET", "/api/v1", null, null).body());
        JsonNode eviction = null;
        for (JsonNode r : v1.path("resources")) {
            if (r.path("name").asText().equals("pods/eviction")) {
                eviction = r;
            }
        }
        assertThat(eviction).isNotNull();
        assertThat(eviction.path("group").asText()).isEqualTo("policy");
        assertThat(eviction.path("version").asText()).isEqualTo("v1");
        assertThat(eviction.path("kind").asText()).isEqualTo("Eviction");
        assertThat(eviction.path("verbs").toString()).isEqualTo("[\"create\"]");
    }
}
