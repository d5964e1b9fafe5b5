package io.fairway.sandbox.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ConfigMapList;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code limit} and {@code continue}: the pages of one list show one snapshot, and an expired token is 410 Gone. */
class PagedListTest extends ApiServerTestSupport {

    private static void configMap(String ns, String name) {
        client.resource(new ConfigMapBuilder().withNewMetadata().withNamespace(ns).withName(name).addToLabels("app", "paged")
                .endMetadata().addToData("v", "1").build()).create();
    }

    private static JsonNode page(String base, String ns, String query) {
        HttpResponse<String> r = get(base, "/api/v1/namespaces/" + ns + "/configmaps?" + query);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return json(r.body());
    }

    private static HttpResponse<String> get(String base, String path) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(base + path)).GET().build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> names(JsonNode list) {
        List<String> out = new ArrayList<>();
        list.path("items").forEach(i -> out.add(i.path("metadata").path("name").asText()));
        return out;
    }

    @Test
    void laterPagesShowTheStateOfTheFirst() {
        String ns = namespace();
        for (String n : new String[] {"a", "b", "c", "d", "e"}) {
            configMap(ns, n);
        }
        JsonNode first = page(server.url(), ns, "limit=2");
        assertThat(names(first)).containsExactly("a", "b");
        String rv = first.path("metadata").path("resourceVersion").asText();
        assertThat(first.path("metadata").path("remainingItemCount").asLong()).isEqualTo(3);
        String token = first.path("metadata").path("continue").asText();
        assertThat(token).isNotEmpty();

        // meanwhile: one deleted, one created after the first page's position, one changed
        client.configMaps().inNamespace(ns).withName("c").delete();
        configMap(ns, "bb");
        client.configMaps().inNamespace(ns).withName("d").edit(cm -> new ConfigMapBuilder(cm).addToData("v", "2").build());

        JsonNode second = page(server.url(), ns, "limit=2&continue=" + token);
        assertThat(names(second)).containsExactly("c", "d");
        assertThat(second.path("items").get(1).path("data").path("v").asText()).as("d as it was").isEqualTo("1");
        assertThat(second.path("metadata").path("resourceVersion").asText()).isEqualTo(rv);
        assertThat(second.path("metadata").path("remainingItemCount").asLong()).isEqualTo(1);

        JsonNode last = page(server.url(), ns, "limit=2&continue=" + second.path("metadata").path("continue").asText());
        assertThat(names(last)).containsExactly("e");
        assertThat(last.path("metadata").has("continue")).isFalse();
        assertThat(last.path("metadata").has("remainingItemCount")).isFalse();

        // a new list sees the present
        assertThat(names(page(server.url(), ns, "limit=10"))).containsExactly("a", "b", "bb", "d", "e");
    }

    @Test
    void fabric8PagesThroughTheSameSnapshotAndSelectorsHaveNoCount() {
        String ns = namespace();
        for (int i = 0; i < 7; i++) {
            configMap(ns, "cm" + i);
        }
        ConfigMapList p1 = client.configMaps().inNamespace(ns).list(new ListOptionsBuilder().withLimit(3L).build());
        assertThat(p1.getItems()).extracting(c -> c.getMetadata().getName()).containsExactly("cm0", "cm1", "cm2");
        assertThat(p1.getMetadata().getRemainingItemCount()).isEqualTo(4L);
        client.configMaps().inNamespace(ns).withName("cm5").delete();
        List<String> rest = new ArrayList<>();
        String cont = p1.getMetadata().getContinue();
        while (cont != null && !cont.isEmpty()) {
            ConfigMapList p = client.configMaps().inNamespace(ns).list(new ListOptionsBuilder().withLimit(3L).withContinue(cont).build());
            p.getItems().forEach(c -> rest.add(c.getMetadata().getName()));
            cont = p.getMetadata().getContinue();
        }
        assertThat(rest).containsExactly("cm3", "cm4", "cm5", "cm6");

        // with a label selector the count is not given, as kube-apiserver does (it would not be exact)
        JsonNode selected = page(server.url(), ns, "limit=2&labelSelector=app%3Dpaged");
        assertThat(selected.path("metadata").path("continue").asText()).isNotEmpty();
        assertThat(selected.path("metadata").has("remainingItemCount")).isFalse();
    }

    @Test
    void aTokenOutsideTheHistoryIsGoneAndABrokenOneIsABadRequest() {
        try (LocalApiServer small = LocalApiServer.start(ApiServerOptions.defaults().withWatchHistory(8));
             var c = client(small)) {
            String ns = "paged";
            c.namespaces().resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder().withNewMetadata().withName(ns)
                    .endMetadata().build()).create();
            for (int i = 0; i < 4; i++) {
                c.resource(new ConfigMapBuilder().withNewMetadata().withNamespace(ns).withName("x" + i).endMetadata().build()).create();
            }
            JsonNode first = page(small.url(), ns, "limit=1");
            String token = first.path("metadata").path("continue").asText();
            // more writes than the history keeps: the first page's state can no longer be rebuilt
            for (int i = 0; i < 10; i++) {
                c.configMaps().inNamespace(ns).withName("x3").edit(cm -> new ConfigMapBuilder(cm).addToData("n", "" + System.nanoTime()).build());
            }
            HttpResponse<String> gone = get(small.url(), "/api/v1/namespaces/" + ns + "/configmaps?limit=1&continue=" + token);
            assertThat(gone.statusCode()).isEqualTo(410);
            JsonNode status = json(gone.body());
            assertThat(status.path("reason").asText()).isEqualTo("Expired");
            assertThat(status.path("message").asText()).contains("The provided continue parameter is too old",
                    "start a new list without the continue parameter", "resourceVersion " + first.path("metadata").path("resourceVersion").asText());

            // a token from a future resourceVersion (the server restarted since): gone as well, the client relists
            HttpResponse<String> future = get(small.url(), "/api/v1/namespaces/" + ns + "/configmaps?limit=1&continue="
                    + ListSnapshot.encode(1_000_000, ns + "/x0"));
            assertThat(future.statusCode()).isEqualTo(410);
            assertThat(json(future.body()).path("message").asText()).contains("newer than this server's", "restarted");

            HttpResponse<String> broken = get(small.url(), "/api/v1/namespaces/" + ns + "/configmaps?limit=1&continue=not-a-token");
            assertThat(broken.statusCode()).isEqualTo(400);
            assertThat(json(broken.body()).path("message").asText()).contains("invalid continue token \"not-a-token\"",
                    "start a new list without the continue parameter");
            // and a new list works
            assertThat(names(page(small.url(), ns, "limit=10"))).containsExactly("x0", "x1", "x2", "x3");
        }
    }
}
