package io.fairway.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fairway.sandbox.apiserver.ApiServerOptions;
import io.fairway.sandbox.apiserver.LocalApiServer;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The evictor against the sandbox's API server as a real one behaves with kubelets: a running pod deleted gracefully
 * is marked and stays (no kubelet here finishes it), so what the evictor sent can be read back.
 */
class EvictorTest {
    private static final String NS = "evict";
    private static LocalApiServer server;
    private static KubernetesClient client;

    @BeforeAll
    static void start() {
        server = LocalApiServer.start(ApiServerOptions.defaults().withEventLoops(1).withKubeletsDeletingPods(true));
        client = new KubernetesClientBuilder().withConfig(new ConfigBuilder().withMasterUrl(server.url()).build())
                .build();
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build())
                .create();
    }

    @AfterAll
    static void stop() {
        client.close();
        server.close();
    }

    /** A pod running on {@code n0} with a grace period of 7 s. */
    private static Pod running(String name) {
        return client.pods().inNamespace(NS).resource(new PodBuilder().withNewMetadata().withName(name)
                .withNamespace(NS).endMetadata().withNewSpec().withNodeName("n0").withTerminationGracePeriodSeconds(7L)
                .addNewContainer().withName("main").withImage("busybox").endContainer().endSpec().build()).create();
    }

    private static Evictor.PodRef ref(Pod p) {
        return new Evictor.PodRef(NS, p.getMetadata().getName(), p.getMetadata().getUid());
    }

    private static List<Event> eventsOn(String pod, String reason) {
        return client.v1().events().inNamespace(NS).list().getItems().stream()
                .filter(e -> pod.equals(e.getInvolvedObject().getName()) && reason.equals(e.getReason())).toList();
    }

    @Test
    void aVictimIsDeletedWithItsOwnGracePeriodAndToldWhyOnce() throws Exception {
        Pod victim = running("victim");
        try (Evictor evictor = new Evictor(client, BinderOptions.defaults(), Clock.systemUTC(), () -> true)) {
            Evictor.Outcome first = evictor.evict(ref(victim), "n0", "Preempted by pod evict/a-0 (queue root.a)")
                    .get(10, TimeUnit.SECONDS);
            assertThat(first).isEqualTo(new Evictor.Terminating(victim.getMetadata().getUid(), false, 1));
            Pod terminating = client.pods().inNamespace(NS).withName("victim").get();
            assertThat(terminating.getMetadata().getDeletionTimestamp()).isNotNull();
            assertThat(terminating.getMetadata().getDeletionGracePeriodSeconds()).isEqualTo(7L);
            await().atMost(Duration.ofSeconds(10)).until(() -> eventsOn("victim", Evictor.PREEMPTED).size() == 1);
            Event e = eventsOn("victim", Evictor.PREEMPTED).getFirst();
            assertThat(e.getType()).isEqualTo("Warning");
            assertThat(e.getMessage()).isEqualTo("Preempted by pod evict/a-0 (queue root.a)");
            assertThat(e.getInvolvedObject().getUid()).isEqualTo(victim.getMetadata().getUid());

            // a new leader deletes it again: it is on its way out already, nothing is sent and nobody is told twice
            assertThat(evictor.evict(ref(victim), "n0", "again").get(10, TimeUnit.SECONDS))
                    .isEqualTo(new Evictor.Terminating(victim.getMetadata().getUid(), true, 1));
            assertThat(eventsOn("victim", Evictor.PREEMPTED)).hasSize(1);
            assertThat(evictor.deletedCount()).isEqualTo(1);
            assertThat(evictor.failedCount()).isZero();
        }
    }

    @Test
    void aPodGoneOrReplacedIsNeverDeleted() throws Exception {
        Pod old = running("reborn");
        client.pods().inNamespace(NS).withName("reborn").withGracePeriod(0).delete();
        await().atMost(Duration.ofSeconds(10)).until(() -> client.pods().inNamespace(NS).withName("reborn").get() == null);
        try (Evictor evictor = new Evictor(client, BinderOptions.defaults(), Clock.systemUTC(), () -> true)) {
            assertThat(evictor.evict(ref(old), "n0", "x").get(10, TimeUnit.SECONDS))
                    .isInstanceOf(Evictor.Gone.class);
            Pod successor = running("reborn");
            assertThat(evictor.evict(ref(old), "n0", "x").get(10, TimeUnit.SECONDS))
                    .isInstanceOfSatisfying(Evictor.Gone.class, g -> assertThat(g.why()).contains("another pod now"));
            assertThat(client.pods().inNamespace(NS).withName("reborn").get().getMetadata())
                    .satisfies(m -> {
                        assertThat(m.getUid()).isEqualTo(successor.getMetadata().getUid());
                        assertThat(m.getDeletionTimestamp()).isNull();
                    });
            assertThat(eventsOn("reborn", Evictor.PREEMPTED)).isEmpty();
        }
    }

    @Test
    void nothingIsDeletedWhileTheLeaseIsNotKnownValid() throws Exception {
        Pod victim = running("kept");
        AtomicBoolean leading = new AtomicBoolean(false);
        try (Evictor evictor = new Evictor(client, BinderOptions.defaults(), Clock.systemUTC(), leading::get)) {
            assertThat(evictor.evict(ref(victim), "n0", "x").get(10, TimeUnit.SECONDS))
                    .isInstanceOf(Evictor.Withdrawn.class);
            assertThat(client.pods().inNamespace(NS).withName("kept").get().getMetadata().getDeletionTimestamp())
                    .isNull();
            leading.set(true);
            assertThat(evictor.evict(ref(victim), "n0", "x").get(10, TimeUnit.SECONDS))
                    .isInstanceOf(Evictor.Terminating.class);
        }
    }

    @Test
    void thePreemptorIsToldInANormalEvent() {
        Pod preemptor = client.pods().inNamespace(NS).resource(new PodBuilder().withNewMetadata().withName("a-0")
                .withNamespace(NS).endMetadata().withNewSpec().addNewContainer().withName("main").withImage("busybox")
                .endContainer().endSpec().build()).create();
        try (Evictor evictor = new Evictor(client, BinderOptions.defaults(), Clock.systemUTC(), () -> true)) {
            evictor.preempting(ref(preemptor), "preempting 1 pod(s) on node n0 (guaranteed)");
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(eventsOn("a-0", Evictor.PREEMPTING))
                    .singleElement().satisfies(e -> {
                        assertThat(e.getType()).isEqualTo("Normal");
                        assertThat(e.getMessage()).isEqualTo("preempting 1 pod(s) on node n0 (guaranteed)");
                    }));
        }
    }
}
