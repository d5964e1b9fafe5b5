package io.fairway.sandbox.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** {@code ?fieldValidation=Strict|Warn|Ignore} (absent: Warn) on create, update and the patch types, through raw HTTP. */
class FieldValidationTest extends ApiServerTestSupport {

    private static String podJson(String name, String extraSpec, String extraContainer) {
        return "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"" + name + "\",\"labels\":{\"any.key/x\":\"y\"}},"
                + "\"spec\":{" + extraSpec + "\"containers\":[{\"name\":\"c\",\"image\":\"busybox:1.36\"," + extraContainer
                + "\"resources\":{\"requests\":{\"cpu\":\"100m\"}},\"ports\":[{\"containerPort\":80}]}]}}";
    }

    private static HttpResponse<String> createPod(String ns, String query, String body) {
        return http("POST", "/api/v1/namespaces/" + ns + "/pods" + query, "application/json", body);
    }

    @Test
    void strictRefusesUnknownFieldsNamingEachPath() {
        String ns = namespace();
        HttpResponse<String> r = createPod(ns, "?fieldValidation=Strict", podJson("p", "\"foo\":1,", "\"bar\":{\"x\":1},"));
        assertThat(r.statusCode()).isEqualTo(400);
        JsonNode status = json(r.body());
        assertThat(status.path("reason").asText()).isEqualTo("BadRequest");
        assertThat(status.path("message").asText())
                .startsWith("Pod in version \"v1\" cannot be handled as a Pod: strict decoding error: ")
                .contains("unknown field \"spec.foo\"", "unknown field \"spec.containers[0].bar\"", "fieldValidation=Warn or Ignore");
        assertThat(client.pods().inNamespace(ns).withName("p").get()).isNull();

        // known fields of every depth pass, map keys (labels, requests) are not fields
        HttpResponse<String> ok = createPod(ns, "?fieldValidation=Strict", podJson("p", "\"nodeSelector\":{\"a\":\"b\"},", ""));
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(201);
        assertThat(ok.headers().allValues("Warning")).isEmpty();

        // update and the patch types are checked too (the patched object, for patches)
        String current = http("GET", "/api/v1/namespaces/" + ns + "/pods/p", null, null).body();
        String put = current.replace("\"nodeSelector\":", "\"nodeSelektor\":{\"a\":\"b\"},\"nodeSelector\":");
        HttpResponse<String> update = http("PUT", "/api/v1/namespaces/" + ns + "/pods/p?fieldValidation=Strict", "application/json", put);
        assertThat(update.statusCode()).isEqualTo(400);
        assertThat(json(update.body()).path("message").asText()).contains("unknown field \"spec.nodeSelektor\"");
        HttpResponse<String> merge = http("PATCH", "/api/v1/namespaces/" + ns + "/pods/p?fieldValidation=Strict",
                "application/merge-patch+json", "{\"metadata\":{\"labelz\":{\"a\":\"b\"}}}");
        assertThat(merge.statusCode()).isEqualTo(400);
        assertThat(json(merge.body()).path("message").asText()).contains("unknown field \"metadata.labelz\"");
        HttpResponse<String> strategic = http("PATCH", "/api/v1/namespaces/" + ns + "/pods/p?fieldValidation=Strict",
                "application/strategic-merge-patch+json", "{\"spec\":{\"containers\":[{\"name\":\"c\",\"imag\":\"x\"}]}}");
        assertThat(strategic.statusCode()).isEqualTo(400);
        assertThat(json(strategic.body()).path("message").asText()).contains("unknown field \"spec.containers[0].imag\"");
        HttpResponse<String> apply = http("PATCH", "/api/v1/namespaces/" + ns + "/configmaps/cm?fieldValidation=Strict&fieldManager=t",
                "application/apply-patch+yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n  k: v\ndatta:\n  k: v\n");
        assertThat(apply.statusCode()).isEqualTo(400);
        assertThat(json(apply.body()).path("message").asText()).contains("ConfigMap", "unknown field \"datta\"");
    }

    @Test
    void warnDropsTheFieldAndSaysSoInAWarningHeaderAndIsTheDefault() {
        String ns = namespace();
        for (String query : new String[] {"?fieldValidation=Warn", ""}) {
            String name = query.isEmpty() ? "default-mode" : "warn";
            HttpResponse<String> r = createPod(ns, query, podJson(name, "\"foo\":1,", ""));
            assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
            assertThat(r.headers().allValues("Warning")).containsExactly("299 - \"unknown field \\\"spec.foo\\\"\"");
            assertThat(json(r.body()).path("spec").has("foo")).isFalse();
            assertThat(json(http("GET", "/api/v1/namespaces/" + ns + "/pods/" + name, null, null).body()).path("spec").has("foo")).isFalse();
        }
        HttpResponse<String> patched = http("PATCH", "/api/v1/namespaces/" + ns + "/pods/warn", "application/merge-patch+json",
                "{\"metadata\":{\"labels\":{\"a\":\"b\"},\"labelz\":{\"a\":\"b\"}}}");
        assertThat(patched.statusCode()).isEqualTo(200);
        assertThat(patched.headers().allValues("Warning")).containsExactly("299 - \"unknown field \\\"metadata.labelz\\\"\"");
        assertThat(json(patched.body()).path("metadata").path("labels").path("a").asText()).isEqualTo("b");
    }

    @Test
    void ignoreDropsSilently() {
        String ns = namespace();
        HttpResponse<String> r = createPod(ns, "?fieldValidation=Ignore", podJson("ignored", "\"foo\":1,", ""));
        assertThat(r.statusCode()).isEqualTo(201);
        assertThat(r.headers().allValues("Warning")).isEmpty();
        assertThat(json(r.body()).path("spec").has("foo")).isFalse();
    }

    @Test
    void anUnknownModeIsABadRequestNamingTheChoices() {
        String ns = namespace();
        HttpResponse<String> r = createPod(ns, "?fieldValidation=strict", podJson("x", "", ""));
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(json(r.body()).path("message").asText())
                .isEqualTo("fieldValidation: Unsupported value: \"strict\": supported values: \"Ignore\", \"Strict\", \"Warn\"");
    }

    @Test
    void eachViewHasItsOwnSchema() {
        String ns = namespace();
        // events.k8s.io/v1 calls it "note"; "message" is the core v1 name
        String v1 = "{\"apiVersion\":\"events.k8s.io/v1\",\"kind\":\"Event\",\"metadata\":{\"name\":\"e\"},\"eventTime\":\"2026-01-01T00:00:00.000000Z\","
                + "\"reportingController\":\"fairway\",\"reportingInstance\":\"r\",\"action\":\"Scheduling\",\"reason\":\"R\",\"type\":\"Normal\","
                + "\"regarding\":{\"kind\":\"Pod\",\"name\":\"p\",\"namespace\":\"" + ns + "\"},%s}";
        HttpResponse<String> good = http("POST", "/apis/events.k8s.io/v1/namespaces/" + ns + "/events?fieldValidation=Strict",
                "application/json", v1.formatted("\"note\":\"hello\""));
        assertThat(good.statusCode()).as(good.body()).isEqualTo(201);
        HttpResponse<String> bad = http("POST", "/apis/events.k8s.io/v1/namespaces/" + ns + "/events?fieldValidation=Strict",
                "application/json", v1.replace("\"name\":\"e\"", "\"name\":\"e2\"").formatted("\"message\":\"hello\""));
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(json(bad.body()).path("message").asText()).contains("unknown field \"message\"");
        // the core view of the same event has a message
        assertThat(json(http("GET", "/api/v1/namespaces/" + ns + "/events/e", null, null).body()).path("message").asText())
                .isEqualTo("hello");

        HttpResponse<String> svc = http("POST", "/api/v1/namespaces/" + ns + "/services?fieldValidation=Strict", "application/json",
                "{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"name\":\"s\"},\"spec\":{\"ports\":[{\"port\":80,\"targetPort\":\"http\","
                        + "\"prot\":\"TCP\"}]}}");
        assertThat(svc.statusCode()).isEqualTo(400);
        assertThat(json(svc.body()).path("message").asText()).contains("Service in version \"v1\"", "unknown field \"spec.ports[0].prot\"");
    }
}
