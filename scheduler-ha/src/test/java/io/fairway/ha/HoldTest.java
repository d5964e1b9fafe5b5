package io.fairway.ha;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fairway.core.events.Allocated;
import io.fairway.core.events.NodeObserved;
import io.fairway.core.events.PodObserved;
import io.fairway.k8s.Binder;
import io.fairway.k8s.BinderOptions;
import io.fairway.k8s.Evictor;
import io.fairway.k8s.KubeObjects;
import io.fairway.k8s.WaitingReporter;
import io.fairway.log.InMemoryEventLog;
import io.fairway.sandbox.apiserver.LocalApiServer;
import io.fairway.store.StateFollower;
import io.fairway.testsupport.k8s.ReplicaFixtures;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A leader that holds its decisions for a late renewal keeps its loop and its scheduler: a cycle whose decisions were
 * dropped uncommitted (the lease turned not known valid between the check and the commit) must not leave its pods in
 * flight for ever; once the lease is valid again they are decided, committed and bound.
 */
class HoldTest {
    @TempDir
    Path tmp;

    @Test
    void decisionsDroppedDuringAHoldAreDecidedAgainAfterIt() {
        InMemoryEventLog log = new InMemoryEventLog();
        AtomicBoolean valid = new AtomicBoolean(true);
        try (LocalApiServer server = LocalApiServer.start();
             KubernetesClient client = new KubernetesClientBuilder().withConfig(new ConfigBuilder()
                     .withMasterUrl(server.url()).build()).build();
             StateFollower follower = StateFollower.recover(tmp.resolve("data"), log);
             Binder binder = new Binder(client, BinderOptions.defaults(), valid::get, (code, nanos) -> { });
             Evictor evictor = new Evictor(client, BinderOptions.defaults(), Clock.systemUTC(), valid::get);
             WaitingReporter waiting = new WaitingReporter(client, Clock.systemUTC(), 2)) {
            ReplicaFixtures.namespaces(client, "jobs");
            ReplicaFixtures.node(client, "n0", "8", "64Gi");
            LeaderLoop loop = new LeaderLoop(new LeaderLoop.Parts(log, follower, binder, evictor, waiting,
                    Clock.systemUTC(), state -> List.of(), valid::get, LeaderLoop.Listener.NONE),
                    LeaderLoop.Options.defaults("us"));
            follower.subscribe(loop);
            log.append(List.of(new NodeObserved(1, KubeObjects.node(client.nodes().withName("n0").get()))));
            loop.becomeLeader();

            // the lease turns not known valid just before the commit: the cycle's decision is dropped
            valid.set(false);
            var pod = client.pods().inNamespace("jobs").resource(ReplicaFixtures.pod("p0")).create();
            log.append(List.of(new PodObserved(2, KubeObjects.pod(pod, n -> 0, ns -> null))));
            for (int i = 0; i < 5; i++) {
                loop.runOnce();
            }
            assertThat(HaFixtures.all(log)).noneMatch(e -> e.event() instanceof Allocated);

            // renewed: the same leader decides it again, commits and binds it
            valid.set(true);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                loop.runOnce();
                assertThat(client.pods().inNamespace("jobs").withName("p0").get().getSpec().getNodeName())
                        .isEqualTo("n0");
            });
            assertThat(HaFixtures.all(log)).filteredOn(e -> e.event() instanceof Allocated).hasSize(1);
        }
    }
}
