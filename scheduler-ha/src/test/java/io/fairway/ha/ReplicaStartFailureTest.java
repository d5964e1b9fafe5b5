package io.fairway.ha;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fairway.k8s.Binder;
import io.fairway.k8s.Evictor;
import io.fairway.k8s.WaitingReporter;
import io.fairway.log.InMemoryEventLog;
import io.fairway.sandbox.apiserver.LocalApiServer;
import io.fairway.store.StateFollower;
import io.fairway.store.StoreException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A replica whose start-up fails half way leaves nothing open: the parts opened before the one that failed are
 * closed, newest first.
 */
class ReplicaStartFailureTest {
    @TempDir
    Path tmp;

    /**
     * Recovery fails (another follower holds the store, as a second replica given the same data directory would):
     * the binder, evictor, waiting reporter and metrics opened before it are closed, newest first, and a replica
     * started afterwards on a free directory runs.
     */
    @Test
    void aRecoveryThatFailsClosesThePartsOpenedBeforeIt() {
        Path data = tmp.resolve("data");
        try (LocalApiServer server = LocalApiServer.start();
             KubernetesClient client = new KubernetesClientBuilder()
                     .withConfig(new ConfigBuilder().withMasterUrl(server.url()).build()).build();
             InMemoryEventLog log = new InMemoryEventLog();
             StateFollower holder = StateFollower.recover(data, log)) {
            Closer closer = new Closer();
            assertThatThrownBy(() -> ReplicaParts.open(client, log, ReplicaOptions.defaults("r0", data), closer))
                    .isInstanceOf(StoreException.class);

            assertThat(closer.open()).isEmpty();
            List<AutoCloseable> closed = closer.closed();
            assertThat(closed).extracting(p -> p.getClass().getSimpleName())
                    .containsExactly("WaitingReporter", "Evictor", "Binder", "ReplicaMetrics");
            assertThat(((WaitingReporter) closed.get(0)).isClosed()).isTrue();
            assertThat(((Evictor) closed.get(1)).isClosed()).isTrue();
            assertThat(((Binder) closed.get(2)).isClosed()).isTrue();
            assertThat(((ReplicaMetrics) closed.get(3)).registry().isClosed()).isTrue();
        }
        // the store the failed start could not open is intact: a replica starts on it once it is free
        try (LocalApiServer server = LocalApiServer.start();
             KubernetesClient client = new KubernetesClientBuilder()
                     .withConfig(new ConfigBuilder().withMasterUrl(server.url()).build()).build();
             InMemoryEventLog log = new InMemoryEventLog();
             Replica r = Replica.start(client, log, ReplicaOptions.defaults("r0", data))) {
            assertThat(r.failure()).isNull();
            assertThat(r.metrics().registry().isClosed()).isFalse();
        }
    }

    /** A replica that starts and stops closes every part, newest first. */
    @Test
    void aStoppedReplicaClosesItsPartsNewestFirst() {
        try (LocalApiServer server = LocalApiServer.start();
             KubernetesClient client = new KubernetesClientBuilder()
                     .withConfig(new ConfigBuilder().withMasterUrl(server.url()).build()).build();
             InMemoryEventLog log = new InMemoryEventLog()) {
            Closer closer = new Closer();
            ReplicaParts parts = ReplicaParts.open(client, log, ReplicaOptions.defaults("r0", tmp.resolve("r0")),
                    closer);
            assertThat(closer.open()).hasSize(7);
            parts.close();
            assertThat(closer.open()).isEmpty();
            assertThat(closer.closed()).extracting(p -> p.getClass().getSimpleName()).containsExactly(
                    "ClusterWatcher", "LogAppender", "StateFollower", "WaitingReporter", "Evictor", "Binder",
                    "ReplicaMetrics");
            assertThat(parts.binder().isClosed()).isTrue();
            assertThat(parts.metrics().registry().isClosed()).isTrue();
        }
    }
}
