package io.fairway.sandbox.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SelectorTest extends ApiServerTestSupport {
    static String ns;
    static String other;

    @BeforeAll
    static void pods() {
        ns = namespace();
        other = namespace();
        client.resource(pod(ns, "a", Map.of("app", "web", "tier", "front"))).create();
        client.resource(pod(ns, "b", Map.of("app", "web", "tier", "back"))).create();
        client.resource(pod(ns, "c", Map.of("app", "db"))).create();
        client.resource(new PodBuilder(pod(ns, "d", Map.of("env", "prod"))).editSpec().withSchedulerName("fairway").withNodeName("n1").endSpec().build()).create();
        client.resource(new PodBuilder(pod(other, "e", Map.of("app", "web"))).editSpec().withSchedulerName("fairway").endSpec().build()).create();
        client.pods().inNamespace(ns).withName("c").editStatus(p -> new PodBuilder(p).editStatus().withPhase("Running").endStatus().build());
    }

    private static List<String> names(List<Pod> pods) {
        return pods.stream().map(p -> p.getMetadata().getName()).sorted().toList();
    }

    private static List<String> raw(String query) {
        var r = http("GET", "/api/v1/pods?" + query, null, null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return json(r.body()).path("items").findValuesAsText("name").stream()
                .filter(n -> n.length() == 1).sorted().toList();
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @Test
    void equalityBasedLabelSelectors() {
        assertThat(names(client.pods().inNamespace(ns).withLabel("app", "web").list().getItems())).containsExactly("a", "b");
        assertThat(names(client.pods().inNamespace(ns).withLabels(Map.of("app", "web", "tier", "back")).list().getItems())).containsExactly("b");
        assertThat(names(client.pods().inNamespace(ns).withLabelNotIn("app", "web").list().getItems())).containsExactly("c", "d");
        assertThat(names(client.pods().inNamespace(ns).withoutLabel("app", "web").list().getItems())).containsExactly("c", "d");
        assertThat(raw("labelSelector=" + enc("app==web,tier!=front"))).containsExactly("b", "e");
    }

    @Test
    void setBasedLabelSelectors() {
        assertThat(names(client.pods().inNamespace(ns).withLabelIn("app", "web", "db").list().getItems())).containsExactly("a", "b", "c");
        assertThat(names(client.pods().inNamespace(ns).withLabel("tier").list().getItems())).containsExactly("a", "b");
        assertThat(names(client.pods().inNamespace(ns).withoutLabel("app").list().getItems())).containsExactly("d");
        assertThat(raw("labelSelector=" + enc("app in (web, db), tier notin (front)"))).containsExactly("b", "c", "e");
        assertThat(raw("labelSelector=" + enc("!tier,app"))).containsExactly("c", "e");
        assertThat(names(client.pods().inNamespace(ns).withLabelSelector(new LabelSelectorBuilder()
                .addNewMatchExpression().withKey("app").withOperator("In").withValues("web").endMatchExpression()
                .addNewMatchExpression().withKey("tier").withOperator("DoesNotExist").endMatchExpression().build()).list().getItems())).isEmpty();
        assertThat(http("GET", "/api/v1/pods?labelSelector=" + enc("app in web"), null, null).statusCode()).isEqualTo(400);
    }

    @Test
    void podFieldSelectors() {
        assertThat(names(client.pods().inAnyNamespace().withField("spec.nodeName", "n1").list().getItems())).containsExactly("d");
        assertThat(names(client.pods().inNamespace(ns).withField("spec.nodeName", "").list().getItems())).containsExactly("a", "b", "c");
        assertThat(names(client.pods().inAnyNamespace().withField("spec.schedulerName", "fairway").list().getItems())).containsExactly("d", "e");
        assertThat(names(client.pods().inNamespace(ns).withField("status.phase", "Running").list().getItems())).containsExactly("c");
        assertThat(names(client.pods().inNamespace(ns).withoutField("status.phase", "Running").list().getItems())).containsExactly("a", "b", "d");
        assertThat(names(client.pods().inAnyNamespace().withField("metadata.name", "e").list().getItems())).containsExactly("e");
        assertThat(raw("fieldSelector=" + enc("metadata.namespace=" + other))).containsExactly("e");
        assertThat(raw("fieldSelector=" + enc("spec.schedulerName=fairway,spec.nodeName=") + "&labelSelector=app")).containsExactly("e");
        var bad = http("GET", "/api/v1/pods?fieldSelector=" + enc("spec.foo=x"), null, null);
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(json(bad.body()).path("message").asText()).isEqualTo("field label not supported: spec.foo");
    }

    @Test
    void pagingWithLimitAndContinue() {
        var first = json(http("GET", "/api/v1/namespaces/" + ns + "/pods?limit=3", null, null).body());
        assertThat(first.path("items").size()).isEqualTo(3);
        String token = first.path("metadata").path("continue").asText();
        assertThat(token).isNotEmpty();
        var second = json(http("GET", "/api/v1/namespaces/" + ns + "/pods?limit=3&continue=" + enc(token), null, null).body());
        assertThat(second.path("items").size()).isEqualTo(1);
        assertThat(second.path("metadata").path("continue").isMissingNode()).isTrue();
        assertThat(second.path("metadata").path("resourceVersion").asText()).isEqualTo(first.path("metadata").path("resourceVersion").asText());
    }
}
