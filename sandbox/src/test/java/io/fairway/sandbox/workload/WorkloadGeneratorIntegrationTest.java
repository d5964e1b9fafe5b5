package io.fairway.sandbox.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.BindingBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fairway.sandbox.TestApiServer;
import io.fairway.sandbox.apiserver.LocalApiServer;
import io.fairway.sandbox.kubelet.KubeletOptions;
import io.fairway.sandbox.kubelet.NodeFleet;
import io.fairway.sandbox.kubelet.NodeSpec;
import io.fairway.sandbox.kubelet.SimulatedKubelets;
import io.fairway.sandbox.workload.WorkloadOptions.IntRange;
import io.fairway.sandbox.workload.WorkloadOptions.Mix;
import io.fairway.sandbox.workload.WorkloadOptions.Tenant;
import io.fairway.sandbox.workload.WorkloadOptions.TimeRange;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The workload generator against the local API server, through the real fabric8 client. */
class WorkloadGeneratorIntegrationTest {
    private static final Duration AWAIT = Duration.ofSeconds(15);

    private LocalApiServer server;
    private KubernetesClient client;
    private ScheduledExecutorService scheduler;
    private WorkloadGenerator generator;
    private SimulatedKubelets kubelets;

    @BeforeEach
    void start() {
        server = TestApiServer.start();
        client = TestApiServer.client(server);
        scheduler = Executors.newSingleThreadScheduledExecutor();
    }

    @AfterEach
    void stop() {
        if (generator != null) {
            generator.stop();
        }
        if (kubelets != null) {
            kubelets.close();
        }
        scheduler.shutdownNow();
        client.close();
        server.close();
    }

    private List<Pod> sparkPods(String role) {
        return client.pods().inNamespace("team-a").withLabel("spark-role", role).list().getItems();
    }

    private int executors() {
        return sparkPods("executor").size();
    }

    @Test
    void sparkAppCreatesItsDriverThenExecutorsInBatchesOfFive() {
        NodeFleet.of(NodeSpec.cpu("big", 64, 256)).register(client);
        kubelets = SimulatedKubelets.start(client, KubeletOptions.defaults().withStartDelay(Duration.ZERO));
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        generator = new WorkloadGenerator(WorkloadOptions.builder()
                .tenants(Tenant.of("team-a"))
                .mix(Mix.only(AppKind.SPARK))
                .sparkExecutors(IntRange.exactly(12))
                .sparkRunTime(TimeRange.seconds(600, 600))
                .maxApps(1)
                .build(), clock);

        generator.start(client, scheduler);

        await().atMost(AWAIT).until(() -> sparkPods("driver").size() == 1);
        Pod driver = sparkPods("driver").getFirst();
        String appId = driver.getMetadata().getLabels().get("spark-app-selector");
        assertThat(driver.getMetadata().getLabels()).containsEntry("spark-role", "driver")
                .containsEntry("queue", "root.tenants.team-a");
        assertThat(driver.getSpec().getSchedulerName()).isEqualTo("fairway");
        assertThat(driver.getSpec().getRestartPolicy()).isEqualTo("Never");
        assertThat(driver.getMetadata().getAnnotations()).containsKey("fairway.io/run-seconds");
        // no executor before the driver runs: nobody scheduled it yet
        assertThat(executors()).isZero();

        client.bindings().inNamespace("team-a").resource(new BindingBuilder()
                .withNewMetadata().withName(driver.getMetadata().getName()).endMetadata()
                .withNewTarget().withKind("Node").withName("big").endTarget()
                .build()).create();

        // the clock stands still: one batch, and no more until it moves on a second
        await().atMost(AWAIT).until(() -> executors() == 5);
        await().during(Duration.ofMillis(400)).atMost(AWAIT).until(() -> executors() == 5);
        clock.advance(Duration.ofSeconds(1));
        await().atMost(AWAIT).until(() -> executors() == 10);
        await().during(Duration.ofMillis(400)).atMost(AWAIT).until(() -> executors() == 10);
        clock.advance(Duration.ofSeconds(1));
        await().atMost(AWAIT).until(() -> executors() == 12);

        List<Pod> execs = sparkPods("executor").stream()
                .sorted(Comparator.comparingInt(p -> Integer.parseInt(p.getMetadata().getLabels().get("spark-exec-id"))))
                .toList();
        assertThat(execs).extracting(p -> p.getMetadata().getLabels().get("spark-exec-id"))
                .containsExactly("1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12");
        assertThat(execs).allSatisfy(p -> {
            assertThat(p.getMetadata().getLabels()).containsEntry("spark-app-selector", appId)
                    .containsEntry("queue", "root.tenants.team-a");
            assertThat(p.getMetadata().getOwnerReferences()).singleElement()
                    .satisfies(o -> assertThat(o.getUid()).isEqualTo(driver.getMetadata().getUid()));
            assertThat(p.getSpec().getNodeName()).isNull();
        });
        assertThat(generator.stats().podsCreated()).isEqualTo(13);
        assertThat(generator.stats().createErrors()).isZero();

        // the driver completes (its status written as a kubelet would): like Spark, the generator deletes its executors
        client.pods().inNamespace("team-a").resource(driver).subresource("status")
                .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"status\":{\"phase\":\"Succeeded\"}}");
        await().atMost(AWAIT).until(() -> executors() == 0);
        assertThat(generator.stats().executorsDeleted()).isEqualTo(12);
        assertThat(sparkPods("driver")).hasSize(1);
    }

    @Test
    void steadyWorkloadSubmitsEveryKindIntoTheTenantsNamespaces() {
        generator = new WorkloadGenerator(WorkloadOptions.builder()
                .appsPerMinute(6000)
                .mix(new Mix(1, 1, 1, 1))
                .maxApps(24)
                .build());

        generator.start(client, scheduler);

        await().atMost(AWAIT).until(() -> generator.stats().appsSubmitted() == 24
                && generator.stats().podsCreated() > 0 && client.pods().inAnyNamespace().list().getItems().size()
                == generator.stats().podsCreated());
        List<Pod> pods = client.pods().inAnyNamespace().list().getItems();
        assertThat(pods).extracting(p -> p.getMetadata().getNamespace()).containsOnly("team-a", "team-b", "team-c");
        assertThat(pods).allSatisfy(p -> {
            assertThat(p.getSpec().getSchedulerName()).isEqualTo("fairway");
            assertThat(p.getMetadata().getAnnotations()).containsKeys("fairway.io/run-seconds", "yunikorn.apache.org/user.info");
        });
        assertThat(pods).anySatisfy(p -> assertThat(p.getMetadata().getLabels()).containsKey("yunikorn.apache.org/app-id"));
        assertThat(pods).anySatisfy(p -> assertThat(p.getSpec().getTolerations()).isNotEmpty());
        assertThat(generator.stats().appsByKind().values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(24);
        assertThat(generator.stats().createErrors()).isZero();
    }

    @Test
    void burstCreatesThatManyPods() {
        generator = new WorkloadGenerator(WorkloadOptions.builder().parallelism(16).build());

        WorkloadGenerator.BurstResult result = generator.burst(client, 300);

        assertThat(result.requested()).isEqualTo(300);
        assertThat(result.created()).isEqualTo(300);
        assertThat(result.failed()).isZero();
        assertThat(client.pods().inAnyNamespace().list().getItems()).hasSize(300)
                .allSatisfy(p -> assertThat(p.getSpec().getNodeName()).isNull());
    }
}
