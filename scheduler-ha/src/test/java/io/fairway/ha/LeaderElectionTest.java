package io.fairway.ha;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fairway.sandbox.apiserver.ApiServerOptions;
import io.fairway.sandbox.apiserver.LocalApiServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The election on its own, against the local API server: a standby takes over once the lease has been left unchanged
 * for its duration (a crash), at once when it is released (a graceful stop), and never while the leader renews, even
 * when every renewal comes later than the renew deadline; a leader whose lease was taken stops leading.
 */
class LeaderElectionTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final ElectionOptions TIMINGS = ElectionOptions.defaults()
            .withTimings(Duration.ofMillis(1500), Duration.ofMillis(800), Duration.ofMillis(100));
    /** For the tests that must not see a take-over: a lease well longer than anything they inject. */
    private static final ElectionOptions LONG = ElectionOptions.defaults()
            .withTimings(Duration.ofSeconds(5), Duration.ofSeconds(1), Duration.ofMillis(100));

    private LocalApiServer server;
    private KubernetesClient admin;

    @BeforeEach
    void start() {
        server = LocalApiServer.start(ApiServerOptions.defaults().withFaultEndpoints(true));
        admin = client("admin");
        admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("fairway").endMetadata().build())
                .create();
    }

    @AfterEach
    void stop() {
        admin.close();
        server.close();
    }

    private KubernetesClient client(String agent) {
        return new KubernetesClientBuilder().withConfig(new ConfigBuilder().withMasterUrl(server.url())
                .withUserAgent(agent).build()).build();
    }

    private Lease lease() {
        return admin.leases().inNamespace("fairway").withName(ElectionOptions.DEFAULT_NAME).get();
    }

    private static int transitions(Lease l) {
        return l.getSpec().getLeaseTransitions() == null ? 0 : l.getSpec().getLeaseTransitions();
    }

    @Test
    void aStandbyTakesOverWhenTheLeaseRunsOutAndAtOnceWhenItIsReleased() {
        try (KubernetesClient ca = client("fairway/a");
             KubernetesClient cb = client("fairway/b");
             KubernetesClient cc = client("fairway/c")) {
            LeaderElection a = new LeaderElection(ca, TIMINGS, "a").start();
            await().atMost(WAIT).until(a::leaseValid);
            LeaderElection b = new LeaderElection(cb, TIMINGS, "b").start();
            await().atMost(WAIT).until(() -> "a".equals(b.leader()));
            assertThat(b.isLeading()).isFalse();

            // a crash: the lease is left to run out
            long crashed = System.nanoTime();
            a.abandon();
            await().atMost(WAIT).until(b::leaseValid);
            long crashMillis = (System.nanoTime() - crashed) / 1_000_000;
            // the crash comes a renewal gap after b last saw the lease change (a retry period when quiet, more under
            // load), so only half the lease is a bound that holds on a loaded machine; b's own count is exact
            assertThat(crashMillis).as("take-over after a crash, ms").isGreaterThanOrEqualTo(750);
            assertThat(lease().getSpec().getHolderIdentity()).isEqualTo("b");
            assertThat(b.stats().waitedMillis()).isGreaterThanOrEqualTo(1500);

            // a graceful stop: released, and the standby (watching the lease) takes it at once
            LeaderElection c = new LeaderElection(cc, TIMINGS, "c").start();
            await().atMost(WAIT).until(() -> "b".equals(c.leader()));
            b.close();
            await().atMost(WAIT).until(c::leaseValid);
            // taken as released, not after a lease duration of seeing it unchanged (no wall-clock bound: a loaded
            // machine may take any time to get there)
            assertThat(c.stats().waitedMillis()).isZero();
            assertThat(lease().getSpec().getHolderIdentity()).isEqualTo("c");
            assertThat(transitions(lease())).isEqualTo(2);
            c.close();
            assertThat(lease().getSpec().getHolderIdentity()).isNull();
        }
    }

    @Test
    void renewalsLaterThanTheDeadlineHoldTheLeaderButKeepTheLease() throws Exception {
        try (KubernetesClient ca = client("slow/a");
             KubernetesClient cb = client("fairway/b")) {
            LeaderElection a = new LeaderElection(ca, LONG, "a").start();
            await().atMost(WAIT).until(a::leaseValid);
            LeaderElection b = new LeaderElection(cb, LONG, "b").start();
            await().atMost(WAIT).until(() -> "a".equals(b.leader()));
            int before = transitions(lease());

            // every request of a's takes longer than the renew deadline (1 s), but well less than the lease (5 s)
            faults("{\"latencyMs\": 1500, \"agentPrefix\": \"slow/\"}");
            AtomicBoolean invalidSeen = new AtomicBoolean();
            long until = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (System.nanoTime() < until) {
                invalidSeen.compareAndSet(false, !a.leaseValid());
                assertThat(a.isLeading()).as("a leads throughout").isTrue();
                assertThat(b.isLeading()).as("b never takes over").isFalse();
                Thread.sleep(20);
            }
            faults("{}");
            assertThat(invalidSeen).as("a held its decisions while a renewal was late").isTrue();
            assertThat(a.stats().lateRenewals()).isPositive();
            await().atMost(WAIT).until(a::leaseValid);
            assertThat(transitions(lease())).isEqualTo(before);
            assertThat(lease().getSpec().getHolderIdentity()).isEqualTo("a");
            a.close();
            b.close();
        }
    }

    @Test
    void aLeaderWhoseLeaseIsTakenStopsLeading() {
        try (KubernetesClient ca = client("fairway/a")) {
            AtomicBoolean told = new AtomicBoolean();
            LeaderElection a = new LeaderElection(ca, LONG, "a").onChange(() -> told.set(true)).start();
            await().atMost(WAIT).until(a::leaseValid);
            told.set(false);
            Lease l = lease();
            admin.leases().inNamespace("fairway").resource(new LeaseBuilder(l).editSpec().withHolderIdentity("x")
                    .endSpec().build()).update();
            await().atMost(WAIT).until(() -> !a.isLeading());
            assertThat(told).isTrue();
            assertThat(a.leaseValid()).isFalse();
            assertThat(a.leader()).isEqualTo("x");
            a.close();
            // not its lease to release
            assertThat(lease().getSpec().getHolderIdentity()).isEqualTo("x");
        }
    }

    private void faults(String json) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(server.url()
                + "/chaos/faults")).header("content-type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isBetween(200, 299);
    }
}
