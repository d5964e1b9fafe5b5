package io.fairway.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fairway.core.events.Observation;
import io.fairway.core.events.PodGone;
import io.fairway.core.events.PodObserved;
import io.fairway.core.state.ClusterState;
import io.fairway.sandbox.apiserver.ApiServerOptions;
import io.fairway.sandbox.apiserver.LocalApiServer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The watcher's connection to the API server is cut while pods come and go. When it is back, the state built from what
 * the watcher observed is the cluster as it is: every pod created during the cut is there, every pod deleted is gone,
 * whether the informer resumed its watch from its resourceVersion or, the history being too short, listed again.
 */
class LostWatchTest {
    @Test
    void aWatchResumedAfterACutMissesNothing() throws Exception {
        check(ApiServerOptions.defaults());
    }

    @Test
    void aWatchTooOldForTheServersHistoryListsAgainAndMissesNothing() throws Exception {
        // a history of 10 changes: the cut below makes more, so the resumed watch gets 410 Gone
        check(ApiServerOptions.defaults().withWatchHistory(10));
    }

    private void check(ApiServerOptions options) throws Exception {
        try (LocalApiServer server = LocalApiServer.start(options);
             TcpProxy proxy = new TcpProxy("127.0.0.1", server.port());
             KubernetesClient direct = client(server.url());
             KubernetesClient watched = client(proxy.url())) {
            direct.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("lw").endMetadata().build())
                    .create();
            for (int i = 0; i < 5; i++) {
                direct.pods().inNamespace("lw").resource(pod("before-" + i)).create();
            }
            ClusterState state = new ClusterState();
            List<Observation> seen = Collections.synchronizedList(new ArrayList<>());
            ObservationSink sink = o -> {
                seen.add(o);
                synchronized (state) {
                    state.apply(o);
                }
            };
            try (ClusterWatcher watcher = new ClusterWatcher(watched, sink, WatcherOptions.defaults(),
                    Clock.systemUTC()).start()) {
                await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(podNames(state))
                        .containsExactlyInAnyOrder("before-0", "before-1", "before-2", "before-3", "before-4"));

                proxy.cut();
                for (int i = 0; i < 3; i++) {
                    direct.pods().inNamespace("lw").withName("before-" + i).delete();
                }
                for (int i = 0; i < 15; i++) {
                    direct.pods().inNamespace("lw").resource(pod("during-" + i)).create();
                }
                proxy.restore();

                Set<String> expected = direct.pods().inNamespace("lw").list().getItems().stream()
                        .map(p -> p.getMetadata().getName()).collect(Collectors.toSet());
                assertThat(expected).hasSize(17);
                await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(podNames(state))
                        .containsExactlyInAnyOrderElementsOf(expected));
                assertThat(List.copyOf(seen)).filteredOn(PodGone.class::isInstance).hasSizeGreaterThanOrEqualTo(3);
                assertThat(List.copyOf(seen)).filteredOn(PodObserved.class::isInstance).hasSizeGreaterThanOrEqualTo(20);
            }
        }
    }

    private static Set<String> podNames(ClusterState state) {
        synchronized (state) {
            return state.pods().stream().map(p -> p.pod().name()).collect(Collectors.toSet());
        }
    }

    private static KubernetesClient client(String url) {
        return new KubernetesClientBuilder().withConfig(new ConfigBuilder().withMasterUrl(url)
                .withRequestRetryBackoffLimit(3).build()).build();
    }

    private static io.fabric8.kubernetes.api.model.Pod pod(String name) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace("lw").endMetadata()
                .withNewSpec().withSchedulerName("fairway").addNewContainer().withName("c").withImage("x")
                .endContainer().endSpec().build();
    }
}
