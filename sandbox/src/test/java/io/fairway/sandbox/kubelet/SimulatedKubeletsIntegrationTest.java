package io.fairway.sandbox.kubelet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.BindingBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fairway.sandbox.TestApiServer;
import io.fairway.sandbox.apiserver.ApiServerOptions;
import io.fairway.sandbox.apiserver.LocalApiServer;
import io.fairway.sandbox.workload.WorkloadGenerator;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Simulated kubelets against the local API server, through the real fabric8 client. */
class SimulatedKubeletsIntegrationTest {
    private static final String NS = "jobs";
    private static final Duration AWAIT = Duration.ofSeconds(15);

    private LocalApiServer server;
    private KubernetesClient client;
    private SimulatedKubelets kubelets;

    @BeforeEach
    void start() {
        // as a real API server: a running pod deleted gracefully stays until its kubelet deletes it
        server = LocalApiServer.start(ApiServerOptions.defaults().withEventLoops(1)
                .withKubeletsDeletingPods(true));
        client = TestApiServer.client(server);
        WorkloadGenerator.ensureNamespaces(client, List.of(NS));
    }

    @AfterEach
    void stop() {
        if (kubelets != null) {
            kubelets.close();
        }
        client.close();
        server.close();
    }

    private static Pod pod(String name, Map<String, String> annotations) {
        return new PodBuilder()
                .withNewMetadata().withName(name).withNamespace(NS).withAnnotations(new HashMap<>(annotations)).endMetadata()
                .withNewSpec()
                    .withSchedulerName("fairway")
                    .withRestartPolicy("Never")
                    .addNewContainer().withName("main").withImage("busybox:1.36").endContainer()
                .endSpec()
                .build();
    }

    private Pod create(Pod pod) {
        return client.pods().inNamespace(NS).resource(pod).create();
    }

    /** Binds as a scheduler does: {@code POST /api/v1/namespaces/NS/bindings}. */
    private void bind(String pod, String node) {
        client.bindings().inNamespace(NS).resource(new BindingBuilder()
                .withNewMetadata().withName(pod).withNamespace(NS).endMetadata()
                .withNewTarget().withKind("Node").withApiVersion("v1").withName(node).endTarget()
                .build()).create();
    }

    private Pod get(String name) {
        return client.pods().inNamespace(NS).withName(name).get();
    }

    private String phase(String name) {
        Pod p = get(name);
        return p == null || p.getStatus() == null ? null : p.getStatus().getPhase();
    }

    @Test
    void registersNodesWithCapacityLabelsAndTaints() {
        NodeFleet fleet = NodeFleet.mixed(20, 3);
        assertThat(fleet.register(client)).isEqualTo(20);

        List<Node> nodes = client.nodes().list().getItems();
        assertThat(nodes).hasSize(20);
        for (NodeSpec spec : fleet.nodes()) {
            Node n = client.nodes().withName(spec.name()).get();
            assertThat(n.getMetadata().getLabels()).containsAllEntriesOf(spec.labels())
                    .containsEntry(NodeFleet.SIMULATED_LABEL, "true");
            assertThat(n.getStatus().getAllocatable()).containsEntry("pods", new Quantity("110"))
                    .containsEntry("cpu", new Quantity(Long.toString(spec.cpuMillis() / 1000)));
            assertThat(n.getStatus().getCapacity()).isEqualTo(n.getStatus().getAllocatable());
            assertThat(n.getStatus().getConditions()).anySatisfy(c -> {
                assertThat(c.getType()).isEqualTo("Ready");
                assertThat(c.getStatus()).isEqualTo("True");
            });
            assertThat(n.getStatus().getNodeInfo().getKubeletVersion()).isEqualTo(NodeFleet.KUBELET_VERSION);
            if (spec.hasGpus()) {
                assertThat(n.getStatus().getAllocatable()).containsEntry("nvidia.com/gpu", new Quantity(Integer.toString(spec.gpus())));
                assertThat(n.getSpec().getTaints()).singleElement().satisfies(t -> {
                    assertThat(t.getKey()).isEqualTo("nvidia.com/gpu");
                    assertThat(t.getEffect()).isEqualTo("NoSchedule");
                });
            } else {
                assertThat(n.getSpec().getTaints()).isEmpty();
            }
            if (spec.hasFpgas()) {
                spec.fpgas().forEach((k, v) -> assertThat(n.getStatus().getAllocatable())
                        .containsEntry(k, new Quantity(Integer.toString(v))));
                assertThat(n.getStatus().getAllocatable()).containsKey("fpga.intel.com/af-" + spec.fpgaFunctions().keySet()
                        .iterator().next());
            }
        }
        // registering again brings existing nodes up to date instead of failing
        assertThat(fleet.register(client)).isEqualTo(20);
    }

    @Test
    void boundPodGoesRunningThenSucceedsAfterItsRunTime() {
        NodeFleet.of(NodeSpec.cpu("node-a", 8, 32)).register(client);
        kubelets = SimulatedKubelets.start(client, KubeletOptions.defaults().withStartDelay(Duration.ofMillis(200)));
        create(pod("short", Map.of(PodLifecycle.RUN_SECONDS, "0.5")));
        assertThat(phase("short")).isEqualTo("Pending");

        bind("short", "node-a");

        await().atMost(AWAIT).until(() -> "Running".equals(phase("short")) || "Succeeded".equals(phase("short")));
        await().atMost(AWAIT).until(() -> "Succeeded".equals(phase("short")));
        Pod done = get("short");
        assertThat(done.getSpec().getNodeName()).isEqualTo("node-a");
        assertThat(done.getStatus().getHostIP()).isEqualTo(NodeFleet.internalIp(0));
        assertThat(done.getStatus().getPodIP()).startsWith("10.0.0.");
        assertThat(done.getStatus().getStartTime()).isNotBlank();
        assertThat(done.getStatus().getContainerStatuses()).singleElement().satisfies(c -> {
            assertThat(c.getState().getTerminated().getExitCode()).isZero();
            assertThat(c.getState().getTerminated().getReason()).isEqualTo("Completed");
        });
        assertThat(done.getStatus().getConditions()).extracting(PodCondition::getType).contains("PodScheduled", "Ready");
        await().atMost(AWAIT).untilAsserted(() -> {
            KubeletStats s = kubelets.stats();
            assertThat(s.podsStarted()).isEqualTo(1);
            assertThat(s.podsSucceeded()).isEqualTo(1);
            assertThat(s.podsRunning()).isZero();
            assertThat(s.writeErrors()).isZero();
        });
    }

    @Test
    void runningPodReportsWhatAKubeletReports() {
        NodeFleet.of(NodeSpec.cpu("node-a", 8, 32)).register(client);
        kubelets = SimulatedKubelets.start(client, KubeletOptions.defaults().withStartDelay(Duration.ZERO));
        create(pod("forever", Map.of()));
        bind("forever", "node-a");

        await().atMost(AWAIT).until(() -> "Running".equals(phase("forever")));
        Pod running = get("forever");
        assertThat(running.getStatus().getHostIP()).isEqualTo(NodeFleet.internalIp(0));
        assertThat(running.getStatus().getPodIP()).isNotBlank();
        assertThat(running.getStatus().getConditions())
                .filteredOn(c -> List.of("Initialized", "ContainersReady", "Ready", "PodScheduled").contains(c.getType()))
                .hasSize(4).allSatisfy(c -> assertThat(c.getStatus()).isEqualTo("True"));
        assertThat(running.getStatus().getContainerStatuses()).singleElement().satisfies(c -> {
            assertThat(c.getReady()).isTrue();
            assertThat(c.getState().getRunning()).isNotNull();
        });
        // the kubelets count the pod once their write is answered, which may come after the watch saw it
        await().atMost(AWAIT).untilAsserted(() -> assertThat(kubelets.stats().podsRunning()).isEqualTo(1));
    }

    @Test
    void podWithNonZeroExitCodeFails() {
        NodeFleet.of(NodeSpec.cpu("node-a", 8, 32)).register(client);
        kubelets = SimulatedKubelets.start(client, KubeletOptions.defaults().withStartDelay(Duration.ZERO));
        create(pod("crash", Map.of(PodLifecycle.RUN_SECONDS, "0.2", PodLifecycle.EXIT_CODE, "3")));
        bind("crash", "node-a");

        await().atMost(AWAIT).until(() -> "Failed".equals(phase("crash")));
        assertThat(get("crash").getStatus().getContainerStatuses()).singleElement().satisfies(c -> {
            assertThat(c.getState().getTerminated().getExitCode()).isEqualTo(3);
            assertThat(c.getState().getTerminated().getReason()).isEqualTo("Error");
        });
        await().atMost(AWAIT).untilAsserted(() -> assertThat(kubelets.stats().podsFailed()).isEqualTo(1));
    }

    @Test
    void aRunningPodDeletedGracefullyStopsThenItsKubeletDeletesIt() {
        NodeFleet.of(NodeSpec.cpu("node-a", 8, 32)).register(client);
        kubelets = SimulatedKubelets.start(client, KubeletOptions.defaults().withStartDelay(Duration.ZERO)
                .withStopTime(Duration.ofMillis(1500)));
        create(pod("victim", Map.of()));
        bind("victim", "node-a");
        await().atMost(AWAIT).until(() -> "Running".equals(phase("victim")));
        String uid = get("victim").getMetadata().getUid();

        // the pod's own grace period (30 s, admission's default): marked, not gone
        client.pods().inNamespace(NS).withName("victim").delete();

        Pod terminating = get("victim");
        assertThat(terminating).isNotNull();
        assertThat(terminating.getMetadata().getDeletionTimestamp()).isNotNull();
        assertThat(terminating.getMetadata().getDeletionGracePeriodSeconds()).isEqualTo(30L);
        await().atMost(AWAIT).untilAsserted(() -> assertThat(kubelets.stats().podsRunning()).isZero());
        // after the containers' stop time the kubelet deletes it for good, and a successor of the name is left alone
        await().atMost(AWAIT).until(() -> get("victim") == null);
        create(pod("victim", Map.of()));
        bind("victim", "node-a");
        await().atMost(AWAIT).until(() -> "Running".equals(phase("victim")));
        assertThat(get("victim").getMetadata().getUid()).isNotEqualTo(uid);
        assertThat(kubelets.stats().writeErrors()).isZero();
    }

    @Test
    void deletedPodsAreForgotten() {
        NodeFleet.of(NodeSpec.cpu("node-a", 8, 32)).register(client);
        kubelets = SimulatedKubelets.start(client, KubeletOptions.defaults().withStartDelay(Duration.ZERO));
        create(pod("running", Map.of()));
        bind("running", "node-a");
        await().atMost(AWAIT).until(() -> "Running".equals(phase("running")));

        client.pods().inNamespace(NS).withName("running").withGracePeriod(0).delete();

        await().atMost(AWAIT).untilAsserted(() -> {
            assertThat(kubelets.trackedPods()).isZero();
            assertThat(kubelets.stats().podsRunning()).isZero();
            assertThat(kubelets.stats().podsForgotten()).isEqualTo(1);
        });
        assertThat(kubelets.stats().podsFinished()).isZero();
        assertThat(kubelets.stats().writeErrors()).isZero();
    }

    @Test
    void aPodFinishedByAnotherWriterIsLeftAlone() {
        NodeFleet.of(NodeSpec.cpu("node-a", 8, 32)).register(client);
        kubelets = SimulatedKubelets.start(client, KubeletOptions.defaults().withStartDelay(Duration.ZERO));
        create(pod("evicted", Map.of(PodLifecycle.RUN_SECONDS, "600")));
        bind("evicted", "node-a");
        await().atMost(AWAIT).until(() -> "Running".equals(phase("evicted")));

        client.pods().inNamespace(NS).resource(get("evicted")).subresource("status")
                .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"status\":{\"phase\":\"Failed\",\"reason\":\"Evicted\"}}");

        await().atMost(AWAIT).untilAsserted(() -> {
            assertThat(kubelets.stats().podsRunning()).isZero();
            assertThat(kubelets.stats().podsForgotten()).isEqualTo(1);
        });
        assertThat(kubelets.stats().podsFinished()).isZero();
        assertThat(get("evicted").getStatus().getReason()).isEqualTo("Evicted");
    }

    @Test
    void podDeletedBeforeItStartsNeverStarts() {
        NodeFleet.of(NodeSpec.cpu("node-a", 8, 32)).register(client);
        kubelets = SimulatedKubelets.start(client, KubeletOptions.defaults().withStartDelay(Duration.ofHours(1)));
        create(pod("doomed", Map.of()));
        bind("doomed", "node-a");
        await().atMost(AWAIT).until(() -> kubelets.trackedPods() == 1);

        client.pods().inNamespace(NS).withName("doomed").withGracePeriod(0).delete();

        await().atMost(AWAIT).until(() -> kubelets.trackedPods() == 0);
        assertThat(kubelets.stats().podsStarted()).isZero();
        assertThat(kubelets.stats().podsForgotten()).isEqualTo(1);
    }

    @Test
    void aRemovedNodeStopsItsKubelet() {
        NodeFleet.of(NodeSpec.cpu("node-a", 8, 32), NodeSpec.cpu("node-b", 8, 32)).register(client);
        // one writer: pod starts are written in the order the kubelets saw the pods
        kubelets = SimulatedKubelets.start(client, KubeletOptions.defaults().withStartDelay(Duration.ZERO).withParallelism(1));
        assertThat(kubelets.nodes()).containsExactlyInAnyOrder("node-a", "node-b");
        create(pod("on-b", Map.of()));
        bind("on-b", "node-b");
        await().atMost(AWAIT).until(() -> "Running".equals(phase("on-b")));

        NodeFleet.remove(client, "node-b");

        await().atMost(AWAIT).until(() -> kubelets.nodes().equals(Set.of("node-a")));
        assertThat(kubelets.trackedPods()).isZero();
        // a pod put on the removed node (created bound, as a DaemonSet's would be) is not started; one on node-a is
        Pod late = pod("late-on-b", Map.of());
        late.getSpec().setNodeName("node-b");
        create(late);
        Pod onA = pod("on-a", Map.of());
        onA.getSpec().setNodeName("node-a");
        create(onA);
        await().atMost(AWAIT).until(() -> "Running".equals(phase("on-a")));
        assertThat(phase("late-on-b")).isEqualTo("Pending");
        assertThat(kubelets.stats().podsStarted()).isEqualTo(2);
    }

    @Test
    void aRestartedKubeletFinishesPodsThatWereRunning() {
        NodeFleet.of(NodeSpec.cpu("node-a", 8, 32)).register(client);
        kubelets = SimulatedKubelets.start(client, KubeletOptions.defaults().withStartDelay(Duration.ZERO));
        create(pod("survivor", Map.of(PodLifecycle.RUN_SECONDS, "1")));
        bind("survivor", "node-a");
        await().atMost(AWAIT).until(() -> "Running".equals(phase("survivor")) || "Succeeded".equals(phase("survivor")));
        kubelets.close();

        kubelets = SimulatedKubelets.start(client, KubeletOptions.defaults());

        await().atMost(AWAIT).until(() -> "Succeeded".equals(phase("survivor")));
    }

    @Test
    void finishedPodsAreDeletedWhenAskedAndNodesRenewLeases() {
        NodeFleet.of(NodeSpec.cpu("node-a", 8, 32)).register(client);
        kubelets = SimulatedKubelets.start(client, KubeletOptions.defaults().withStartDelay(Duration.ZERO)
                .withDeleteFinishedAfter(Duration.ZERO).withHeartbeatInterval(Duration.ofMillis(200)));
        create(pod("ephemeral", Map.of(PodLifecycle.RUN_SECONDS, "0")));
        bind("ephemeral", "node-a");

        await().atMost(AWAIT).until(() -> get("ephemeral") == null);
        assertThat(kubelets.stats().podsSucceeded()).isEqualTo(1);
        await().atMost(AWAIT).untilAsserted(() -> {
            Lease lease = client.leases().inNamespace(SimulatedKubelets.NODE_LEASE_NAMESPACE).withName("node-a").get();
            assertThat(lease).isNotNull();
            assertThat(lease.getSpec().getHolderIdentity()).isEqualTo("node-a");
            assertThat(lease.getSpec().getRenewTime()).isNotNull();
        });
    }
}
