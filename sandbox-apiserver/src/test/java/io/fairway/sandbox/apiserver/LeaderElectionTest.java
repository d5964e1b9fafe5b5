package io.fairway.sandbox.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElector;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LeaderElectionTest extends ApiServerTestSupport {

    private LeaderElector elector(String ns, String identity, List<String> log) {
        return client.leaderElector().withConfig(new LeaderElectionConfigBuilder()
                .withName("fairway-scheduler")
                .withLock(new LeaseLock(ns, "fairway-scheduler", identity))
                .withLeaseDuration(Duration.ofSeconds(4))
                .withRenewDeadline(Duration.ofSeconds(3))
                .withRetryPeriod(Duration.ofMillis(200))
                .withReleaseOnCancel(true)
                .withLeaderCallbacks(new LeaderCallbacks(() -> log.add("start " + identity), () -> log.add("stop " + identity),
                        leader -> log.add("leader " + leader)))
                .build()).build();
    }

    @Test
    void leaderElectorAcquiresTheLeaseAndHandsItOver() {
        String ns = namespace();
        List<String> log = new CopyOnWriteArrayList<>();
        LeaderElector first = elector(ns, "replica-a", log);
        CompletableFuture<?> a = first.start();
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(log).contains("start replica-a"));
        Lease lease = client.leases().inNamespace(ns).withName("fairway-scheduler").get();
        assertThat(lease.getSpec().getHolderIdentity()).isEqualTo("replica-a");

        LeaderElector second = elector(ns, "replica-b", log);
        CompletableFuture<?> b = second.start();
        a.cancel(true);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(log).contains("start replica-b"));
        assertThat(client.leases().inNamespace(ns).withName("fairway-scheduler").get().getSpec().getHolderIdentity()).isEqualTo("replica-b");
        assertThat(log).containsSubsequence("start replica-a", "stop replica-a", "start replica-b");
        b.cancel(true);
    }
}
