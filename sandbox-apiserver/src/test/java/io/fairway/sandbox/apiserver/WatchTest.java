package io.fairway.sandbox.apiserver;

import static io.fairway.sandbox.apiserver.RawWatch.name;
import static io.fairway.sandbox.apiserver.RawWatch.rv;
import static io.fairway.sandbox.apiserver.RawWatch.type;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class WatchTest extends ApiServerTestSupport {

    private static String podsUrl(LocalApiServer s, String ns, String query) {
        return s.url() + "/api/v1/namespaces/" + ns + "/pods?watch=true&timeoutSeconds=60" + (query.isEmpty() ? "" : "&" + query);
    }

    @Test
    void watchResumesFromAResourceVersionWithExactlyTheMissedChangesInOrder() {
        String ns = namespace();
        client.resource(pod(ns, "a", Map.of())).create();
        client.resource(pod(ns, "b", Map.of())).create();
        long seen = Long.parseLong(client.pods().inNamespace(ns).list().getMetadata().getResourceVersion());

        // missed while not watching: an add, an update, a delete (and writes elsewhere, which must not show up)
        client.resource(pod(ns, "c", Map.of())).create();
        client.resource(new ConfigMapBuilder().withNewMetadata().withName("noise").withNamespace(ns).endMetadata().build()).create();
        client.pods().inNamespace(ns).withName("a").edit(p -> new PodBuilder(p).editMetadata().addToLabels("v", "2").endMetadata().build());
        client.pods().inNamespace(ns).withName("b").delete();
        String elsewhere = namespace();
        client.resource(pod(elsewhere, "z", Map.of())).create();

        try (RawWatch w = new RawWatch(podsUrl(server, ns, "resourceVersion=" + seen))) {
            assertThat(w.status).isEqualTo(200);
            List<String> got = new ArrayList<>();
            long last = seen;
            for (int i = 0; i < 3; i++) {
                JsonNode e = w.next();
                got.add(type(e) + " " + name(e));
                assertThat(rv(e)).isGreaterThan(last);
                last = rv(e);
            }
            assertThat(got).containsExactly("ADDED c", "MODIFIED a", "DELETED b");
            // and then live changes, nothing in between
            client.resource(pod(ns, "d", Map.of())).create();
            JsonNode live = w.next();
            assertThat(type(live) + " " + name(live)).isEqualTo("ADDED d");
        }
    }

    @Test
    void watchWithoutResourceVersionStartsWithTheCurrentState() {
        String ns = namespace();
        client.resource(pod(ns, "x", Map.of())).create();
        client.resource(pod(ns, "y", Map.of())).create();
        try (RawWatch w = new RawWatch(podsUrl(server, ns, ""))) {
            assertThat(List.of(name(w.next()), name(w.next()))).containsExactly("x", "y");
        }
        try (RawWatch w = new RawWatch(podsUrl(server, ns, "sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true"))) {
            assertThat(type(w.next()) + type(w.next())).isEqualTo("ADDEDADDED");
            JsonNode end = w.next();
            assertThat(type(end)).isEqualTo("BOOKMARK");
            assertThat(end.path("object").path("metadata").path("annotations").path("k8s.io/initial-events-end").asText()).isEqualTo("true");
        }
    }

    @Test
    void tooOldResourceVersionIsGone() {
        try (LocalApiServer small = LocalApiServer.start(ApiServerOptions.defaults().withWatchHistory(5));
             KubernetesClient c = client(small)) {
            long old = Long.parseLong(c.pods().inNamespace("default").list().getMetadata().getResourceVersion());
            for (int i = 0; i < 10; i++) {
                c.resource(pod("default", "p" + i, Map.of())).create();
            }
            try (RawWatch w = new RawWatch(podsUrl(small, "default", "resourceVersion=" + old))) {
                JsonNode e = w.next();
                assertThat(type(e)).isEqualTo("ERROR");
                assertThat(e.path("object").path("kind").asText()).isEqualTo("Status");
                assertThat(e.path("object").path("code").asInt()).isEqualTo(410);
                assertThat(e.path("object").path("reason").asText()).isEqualTo("Expired");
                assertThat(w.nextOrEnd()).as("the stream ends after the error").isNull();
            }
            // the newest 5 changes can still be resumed
            long recent = small.resourceVersion() - 5;
            try (RawWatch w = new RawWatch(podsUrl(small, "default", "resourceVersion=" + recent))) {
                assertThat(name(w.next())).isEqualTo("p5");
            }
            AtomicReference<WatcherException> closed = new AtomicReference<>();
            Watch watch = c.pods().inNamespace("default").withResourceVersion(Long.toString(old)).watch(new Watcher<>() {
                @Override
                public void eventReceived(Action action, Pod resource) {
                }

                @Override
                public void onClose(WatcherException cause) {
                    closed.set(cause);
                }
            });
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(closed.get()).isNotNull());
            assertThat(closed.get().isHttpGone()).isTrue();
            watch.close();
        }
    }

    @Test
    void bookmarksCarryTheCurrentResourceVersion() {
        try (LocalApiServer s = LocalApiServer.start(ApiServerOptions.defaults().withBookmarkInterval(Duration.ofMillis(100)));
             KubernetesClient c = client(s)) {
            long start = s.resourceVersion();
            try (RawWatch w = new RawWatch(podsUrl(s, "default", "allowWatchBookmarks=true&resourceVersion=" + start))) {
                c.resource(pod("default", "b1", Map.of())).create();
                JsonNode added = w.nextChange();
                assertThat(type(added)).isEqualTo("ADDED");
                JsonNode bookmark;
                do {
                    bookmark = w.next();
                } while (!type(bookmark).equals("BOOKMARK"));
                assertThat(bookmark.path("object").path("kind").asText()).isEqualTo("Pod");
                assertThat(rv(bookmark)).isGreaterThanOrEqualTo(rv(added));
            }
            try (RawWatch w = new RawWatch(podsUrl(s, "default", "resourceVersion=" + s.resourceVersion()))) {
                c.resource(pod("default", "b2", Map.of())).create();
                assertThat(type(w.next())).as("no bookmarks unless asked for").isEqualTo("ADDED");
            }
        }
    }

    @Test
    void selectorsApplyToWatchesWithTransitions() {
        String ns = namespace();
        List<String> seen = new CopyOnWriteArrayList<>();
        Watch watch = client.pods().inNamespace(ns).withLabel("app", "web").watch(new Watcher<>() {
            @Override
            public void eventReceived(Action action, Pod p) {
                seen.add(action + " " + p.getMetadata().getName() + " " + p.getMetadata().getLabels().get("app"));
            }

            @Override
            public void onClose(WatcherException cause) {
            }
        });
        try {
            client.resource(pod(ns, "w", Map.of("app", "web"))).create();
            client.resource(pod(ns, "other", Map.of("app", "db"))).create();
            client.pods().inNamespace(ns).withName("w").edit(p -> new PodBuilder(p).editMetadata().addToLabels("app", "db").endMetadata().build());
            client.pods().inNamespace(ns).withName("w").edit(p -> new PodBuilder(p).editMetadata().addToLabels("app", "web").endMetadata().build());
            client.pods().inNamespace(ns).withName("w").delete();
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(seen).hasSize(4));
            assertThat(seen).containsExactly("ADDED w web", "DELETED w db", "ADDED w web", "DELETED w web");
        } finally {
            watch.close();
        }
        try (RawWatch w = new RawWatch(server.url() + "/api/v1/pods?watch=true&timeoutSeconds=60&fieldSelector=spec.nodeName%3D&resourceVersion="
                + server.resourceVersion())) {
            client.resource(pod(ns, "unbound", Map.of())).create();
            client.resource(new PodBuilder(pod(ns, "bound", Map.of())).editSpec().withNodeName("n1").endSpec().build()).create();
            http("POST", "/api/v1/namespaces/" + ns + "/pods/unbound/binding", "application/json",
                    "{\"metadata\":{\"name\":\"unbound\"},\"target\":{\"kind\":\"Node\",\"name\":\"n1\"}}");
            JsonNode added = w.next();
            JsonNode gone = w.next();
            assertThat(type(added) + " " + name(added)).isEqualTo("ADDED unbound");
            assertThat(type(gone) + " " + name(gone)).as("bound: no longer matches spec.nodeName=").isEqualTo("DELETED unbound");
        }
    }

    @Test
    void watchTimeoutEndsTheStream() {
        String ns = namespace();
        try (RawWatch w = new RawWatch(server.url() + "/api/v1/namespaces/" + ns + "/pods?watch=true&timeoutSeconds=1&resourceVersion="
                + server.resourceVersion())) {
            assertThat(w.nextOrEnd()).isNull();
        }
    }

    @Test
    void legacyWatchPathAndWebSocketWatches() throws Exception {
        String ns = namespace();
        long from = server.resourceVersion();
        client.resource(pod(ns, "legacy", Map.of())).create();
        try (RawWatch w = new RawWatch(server.url() + "/api/v1/watch/namespaces/" + ns + "/pods/legacy?resourceVersion=" + from)) {
            assertThat(name(w.next())).isEqualTo("legacy");
        }
        List<String> messages = new CopyOnWriteArrayList<>();
        WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(URI.create(server.url().replace("http:", "ws:") + "/api/v1/namespaces/" + ns + "/pods?watch=true&resourceVersion=" + from),
                        new WebSocket.Listener() {
                            private final StringBuilder part = new StringBuilder();

                            @Override
                            public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                                part.append(data);
                                if (last) {
                                    messages.add(part.toString());
                                    part.setLength(0);
                                }
                                webSocket.request(1);
                                return CompletableFuture.completedFuture(null);
                            }
                        }).get();
        try {
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(messages).hasSize(1));
            assertThat(json(messages.get(0)).path("type").asText()).isEqualTo("ADDED");
            assertThat(json(messages.get(0)).path("object").path("metadata").path("name").asText()).isEqualTo("legacy");
        } finally {
            ws.abort();
        }
    }

    @Test
    void informerSeesAddsUpdatesAndDeletes() {
        String ns = namespace();
        client.resource(pod(ns, "before", Map.of())).create();
        List<String> seen = new CopyOnWriteArrayList<>();
        SharedIndexInformer<Pod> informer = client.pods().inNamespace(ns).inform(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod p) {
                seen.add("add " + p.getMetadata().getName());
            }

            @Override
            public void onUpdate(Pod old, Pod p) {
                if (!old.getMetadata().getResourceVersion().equals(p.getMetadata().getResourceVersion())) {
                    seen.add("update " + p.getMetadata().getName() + " " + p.getStatus().getPhase());
                }
            }

            @Override
            public void onDelete(Pod p, boolean unknownFinalState) {
                seen.add("delete " + p.getMetadata().getName());
            }
        });
        try {
            client.resource(pod(ns, "after", Map.of())).create();
            client.pods().inNamespace(ns).withName("after").editStatus(p -> new PodBuilder(p).editStatus().withPhase("Running").endStatus().build());
            client.pods().inNamespace(ns).withName("before").delete();
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(seen)
                    .containsExactly("add before", "add after", "update after Running", "delete before"));
            assertThat(informer.getStore().list()).extracting(p -> p.getMetadata().getName()).containsExactly("after");
        } finally {
            informer.close();
        }
    }

    @Test
    void informerRelistsAfterGone() {
        ApiServerOptions o = ApiServerOptions.defaults().withWatchHistory(10).withBookmarkInterval(Duration.ofHours(1))
                .withWatchTimeout(Duration.ofSeconds(1));
        try (LocalApiServer s = LocalApiServer.start(o); KubernetesClient c = client(s)) {
            List<String> seen = new CopyOnWriteArrayList<>();
            SharedIndexInformer<ConfigMap> informer = c.configMaps().inNamespace("default").inform(new ResourceEventHandler<>() {
                @Override
                public void onAdd(ConfigMap cm) {
                    seen.add("add " + cm.getMetadata().getName());
                }

                @Override
                public void onUpdate(ConfigMap old, ConfigMap cm) {
                }

                @Override
                public void onDelete(ConfigMap cm, boolean unknownFinalState) {
                    seen.add("delete " + cm.getMetadata().getName());
                }
            });
            try {
                c.resource(new ConfigMapBuilder().withNewMetadata().withName("one").withNamespace("default").endMetadata().build()).create();
                await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(seen).containsExactly("add one"));
                // push the informer's resourceVersion out of the history; its next watch gets 410 and it lists again
                for (int i = 0; i < 30; i++) {
                    c.resource(pod("default", "filler-" + i, Map.of())).create();
                }
                await().atMost(Duration.ofSeconds(30)).until(() -> s.store().expiredWatches() > 0);
                c.resource(new ConfigMapBuilder().withNewMetadata().withName("two").withNamespace("default").endMetadata().build()).create();
                c.configMaps().inNamespace("default").withName("one").delete();
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(informer.getStore().list())
                        .extracting(cm -> cm.getMetadata().getName()).containsExactly("two"));
                assertThat(seen).containsSubsequence("add one", "add two", "delete one");
            } finally {
                informer.close();
            }
        }
    }
}
