package io.fairway.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Pod;
import io.fairway.core.state.AppState;
import io.fairway.core.state.ClusterState;
import io.fairway.core.state.Gang;
import io.fairway.core.state.ReservedSlot;
import io.fairway.ha.LeaderLoop;
import io.fairway.sandbox.kubelet.KubeletOptions;
import io.fairway.sandbox.kubelet.NodeFleet;
import io.fairway.sandbox.kubelet.NodeSpec;
import io.fairway.sandbox.workload.AppKind;
import io.fairway.sandbox.workload.AppPlan;
import io.fairway.sandbox.workload.PodPlan;
import io.fairway.sandbox.workload.PodTemplates;
import io.fairway.sandbox.workload.WorkloadGenerator;
import io.fairway.sandbox.workload.WorkloadOptions;
import io.fairway.sandbox.workload.WorkloadOptions.IntRange;
import io.fairway.sandbox.workload.WorkloadOptions.Mix;
import io.fairway.sandbox.workload.WorkloadOptions.PodSize;
import io.fairway.sandbox.workload.WorkloadOptions.Tenant;
import io.fairway.sandbox.workload.WorkloadOptions.TimeRange;
import io.fairway.sandbox.workload.WorkloadPlanner;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Gangs end to end in the sandbox: a real Kafka broker, the local API server, simulated kubelets and one scheduler
 * replica. A Spark app from the workload generator (driver first, executors once the driver runs) and a GPU training
 * job are each reserved whole and every member pod binds into its slot; the training job lands in the one NVLink clique
 * that holds it all, although packing alone would have split it.
 */
class SandboxGangIntegrationTest {
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final int EXECUTORS = 4;
    private static final int WORKERS = 3;

    /**
     * Two CPU nodes for Spark; three 8-GPU nodes, gpu-1 alone in one clique and gpu-2, gpu-3 in another. Three workers
     * of 4 GPUs fit only the second clique; without the topology hint, packing would put two of them on gpu-1.
     */
    private static NodeFleet fleet() {
        return NodeFleet.of(
                NodeSpec.cpu("cpu-1", 8, 32).withLabel(NodeSpec.ZONE_LABEL, "zone-a"),
                NodeSpec.cpu("cpu-2", 8, 32).withLabel(NodeSpec.ZONE_LABEL, "zone-a"),
                gpu("gpu-1", "clique-b"),
                gpu("gpu-2", "clique-a"),
                gpu("gpu-3", "clique-a"));
    }

    private static NodeSpec gpu(String name, String clique) {
        return NodeSpec.cpu(name, 32, 256).withGpus(8, "NVIDIA-H100-80GB-HBM3")
                .withLabel(NodeSpec.GPU_CLIQUE_LABEL, "8f0c2a4e-54d1-4b6e-9a57-0d1c3e5f7a9b." + clique)
                .withLabel(NodeSpec.ZONE_LABEL, "zone-a");
    }

    @Test
    void sparkAndTrainingGangsAreReservedWholeAndEveryMemberBindsIntoItsSlot() {
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        WorkloadOptions options = WorkloadOptions.builder()
                .tenants(Tenant.of("team-a"))
                .mix(Mix.only(AppKind.SPARK))
                .sparkExecutors(IntRange.exactly(EXECUTORS))
                .sparkExecutorSizes(List.of(PodSize.of("2", "4Gi")))
                .runTime(TimeRange.seconds(600, 600))
                .maxApps(1)
                .build();
        try (SandboxCluster cluster = SandboxCluster.start(fleet(), KubeletOptions.defaults().withStartDelay(Duration.ZERO),
                SandboxCluster.demoQueues(), LeaderLoop.Options.defaults("replica-0"));
             WorkloadGenerator spark = new WorkloadGenerator(options)) {
            spark.start(cluster.client(), timer);
            AppPlan training = new WorkloadPlanner(options.toBuilder().mix(Mix.only(AppKind.GPU_TRAINING))
                    .trainingWorkers(IntRange.exactly(WORKERS)).gpusPerWorker(List.of(4)).build(), Instant.now())
                    .nextApp(Instant.now());
            for (PodPlan p : training.pods()) {
                cluster.client().pods().inNamespace(p.namespace())
                        .resource(PodTemplates.toPod(p, "fairway", "busybox:1.36", null)).create();
            }

            // the API server: every pod of both apps bound, none left pending
            await().atMost(WAIT).untilAsserted(() -> {
                assertThat(cluster.replica().failure()).isNull();
                // name → node ("" while pending), so that a failure reads short
                Map<String, String> nodes = cluster.client().pods().inNamespace("team-a").list().getItems().stream()
                        .collect(Collectors.toMap(p -> p.getMetadata().getName(),
                                p -> Objects.requireNonNullElse(p.getSpec().getNodeName(), ""), (a, b) -> a, TreeMap::new));
                assertThat(nodes).hasSize(1 + EXECUTORS + WORKERS).doesNotContainValue("");
            });
            List<Pod> pods = cluster.client().pods().inNamespace("team-a").list().getItems();
            String sparkId = pods.stream().map(p -> p.getMetadata().getLabels().get("spark-app-selector"))
                    .filter(Objects::nonNull).findFirst().orElseThrow();
            Map<String, String> nodeByUid = pods.stream()
                    .collect(Collectors.toMap(p -> p.getMetadata().getUid(), p -> p.getSpec().getNodeName()));

            // the scheduler: both gangs reserved, every slot used by one of the app's pods, on the node it was bound to
            // (read while the leader runs, so a read that trips over a change is tried again)
            await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
                ClusterState state = cluster.replica().follower().state();
                assertWholeGang(state.app(sparkId), Map.of("spark-driver", 1, "spark-executor", EXECUTORS), nodeByUid);
                assertWholeGang(state.app(training.appId()), Map.of("workers", WORKERS), nodeByUid);
                assertThat(Demo.gangsLine(state)).startsWith("gangs: 2 reserved, 0 waiting");
            });
            assertThat(pods).filteredOn(p -> training.appId().equals(p.getMetadata().getLabels().get("yunikorn.apache.org/app-id")))
                    .hasSize(WORKERS)
                    .allSatisfy(p -> assertThat(p.getSpec().getNodeName()).isIn("gpu-2", "gpu-3"));
            assertThat(pods).filteredOn(p -> p.getMetadata().getLabels().containsKey("spark-role"))
                    .allSatisfy(p -> assertThat(p.getSpec().getNodeName()).isIn("cpu-1", "cpu-2"));
        } finally {
            timer.shutdownNow();
        }
    }

    private static void assertWholeGang(AppState app, Map<String, Integer> members, Map<String, String> nodeByUid) {
        assertThat(app).isNotNull();
        Gang gang = app.gang();
        assertThat(gang.status()).as("gang of %s: %s", app.appId(), gang.reason()).isEqualTo(Gang.Status.RESERVED);
        assertThat(gang.hasFreeSlots()).isFalse();
        Map<String, Integer> used = new TreeMap<>();
        for (ReservedSlot slot : gang.slots()) {
            used.merge(slot.group(), 1, Integer::sum);
            assertThat(nodeByUid).as("pod of slot %s", slot).containsEntry(slot.podUid(), slot.node());
        }
        assertThat(used).isEqualTo(members);
        assertThat(gang.slots()).extracting(ReservedSlot::podUid).doesNotHaveDuplicates();
        assertThat(gang.counts(app)).allSatisfy(c -> {
            assertThat(c.used()).isEqualTo(c.minMember());
            assertThat(c.reserved()).isZero();
            assertThat(c.waiting()).isZero();
        });
    }
}
