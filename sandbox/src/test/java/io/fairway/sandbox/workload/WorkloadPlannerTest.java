package io.fairway.sandbox.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.fairway.sandbox.kubelet.NodeFleet;
import io.fairway.sandbox.workload.WorkloadOptions.IntRange;
import io.fairway.sandbox.workload.WorkloadOptions.Mix;
import io.fairway.sandbox.workload.WorkloadOptions.PodSize;
import io.fairway.sandbox.workload.WorkloadOptions.Tenant;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class WorkloadPlannerTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private static WorkloadOptions.Builder oneSparkApp(int executors) {
        return WorkloadOptions.builder().mix(Mix.only(AppKind.SPARK)).sparkExecutors(IntRange.exactly(executors)).maxApps(1);
    }

    private static List<String> names(List<PodPlan> pods) {
        return pods.stream().map(p -> p.name().substring(p.name().lastIndexOf('-') + 1)).toList();
    }

    @Test
    void sparkAsksForExecutorsInBatchesOfFiveEverySecondOnceTheDriverRuns() {
        WorkloadPlanner planner = new WorkloadPlanner(oneSparkApp(12).build(), T0);

        List<PodPlan> first = planner.poll(T0);
        assertThat(first).singleElement().satisfies(p -> assertThat(p.role()).isEqualTo("driver"));
        String appId = first.getFirst().appId();

        // the driver is not running yet: nothing more, however long we wait
        assertThat(planner.poll(T0.plusSeconds(10))).isEmpty();
        assertThat(planner.nextDue()).isEmpty();

        assertThat(planner.driverRunning(appId, T0.plusSeconds(10))).isTrue();
        assertThat(planner.nextDue()).contains(T0.plusSeconds(10));
        List<PodPlan> batch1 = planner.poll(T0.plusSeconds(10));
        assertThat(names(batch1)).containsExactly("1", "2", "3", "4", "5");
        assertThat(batch1).allSatisfy(p -> {
            assertThat(p.role()).isEqualTo("executor");
            assertThat(p.batch()).isEqualTo(1);
        });
        assertThat(planner.poll(T0.plusMillis(10_999))).isEmpty();
        assertThat(planner.nextDue()).contains(T0.plusSeconds(11));
        assertThat(names(planner.poll(T0.plusSeconds(11)))).containsExactly("6", "7", "8", "9", "10");
        List<PodPlan> last = planner.poll(T0.plusSeconds(12));
        assertThat(names(last)).containsExactly("11", "12");
        assertThat(last).allSatisfy(p -> assertThat(p.batch()).isEqualTo(3));
        assertThat(planner.poll(T0.plusSeconds(100))).isEmpty();
        assertThat(planner.pendingSparkApps()).isZero();
        // a second "running" for the same driver changes nothing
        assertThat(planner.driverRunning(appId, T0.plusSeconds(101))).isFalse();
    }

    @Test
    void withoutWaitingForTheDriverBatchesStartOneDelayAfterIt() {
        WorkloadPlanner planner = new WorkloadPlanner(oneSparkApp(7).executorsAfterDriverRuns(false)
                .executorBatchDelay(Duration.ofSeconds(2)).build(), T0);

        assertThat(planner.poll(T0)).hasSize(1);
        assertThat(planner.poll(T0.plusMillis(1999))).isEmpty();
        // a late poll catches up, batches in order
        List<PodPlan> late = planner.poll(T0.plusSeconds(10));
        assertThat(names(late)).containsExactly("1", "2", "3", "4", "5", "6", "7");
        assertThat(late).extracting(PodPlan::batch).containsExactly(1, 1, 1, 1, 1, 2, 2);
    }

    @Test
    void anEndedAppAsksForNoMoreExecutors() {
        WorkloadPlanner planner = new WorkloadPlanner(oneSparkApp(20).build(), T0);
        String appId = planner.poll(T0).getFirst().appId();
        planner.driverRunning(appId, T0);
        assertThat(planner.poll(T0)).hasSize(5);

        assertThat(planner.appEnded(appId)).isTrue();
        assertThat(planner.poll(T0.plusSeconds(60))).isEmpty();
    }

    @Test
    void sparkPodsAreLabelledAsSparkLabelsThem() {
        Tenant tenant = new Tenant("team-a", "root.tenants.team-a", "analytics", 1, List.of("alice"));
        WorkloadPlanner planner = new WorkloadPlanner(oneSparkApp(2).tenants(tenant).build(), T0);
        AppPlan app = planner.nextApp(T0);

        assertThat(app.appId()).matches("spark-[0-9a-f]{32}");
        PodPlan driver = app.pods().getFirst();
        PodPlan exec2 = app.pods().get(2);
        assertThat(driver.labels()).isEqualTo(Map.of(
                "spark-app-selector", app.appId(),
                "spark-app-name", app.name(),
                "spark-role", "driver",
                "spark-version", "4.0.2",
                "queue", "root.tenants.team-a"));
        assertThat(exec2.labels()).isEqualTo(Map.of(
                "spark-app-selector", app.appId(),
                "spark-app-name", app.name(),
                "spark-role", "executor",
                "spark-version", "4.0.2",
                "spark-exec-id", "2",
                "spark-exec-resourceprofile-id", "0",
                "queue", "root.tenants.team-a"));
        assertThat(driver.annotations()).containsEntry("yunikorn.apache.org/app-id", app.appId())
                .containsEntry("yunikorn.apache.org/user.info", "{\"user\":\"alice\",\"groups\":[\"team-a\"]}");
        assertThat(driver.namespace()).isEqualTo("analytics");
        assertThat(driver.container()).isEqualTo("spark-kubernetes-driver");
        assertThat(exec2.container()).isEqualTo("spark-kubernetes-executor");
        assertThat(driver.name()).startsWith(app.name() + "-").endsWith("-driver");
        String prefix = driver.name().substring(0, driver.name().length() - "-driver".length());
        assertThat(prefix).matches(app.name() + "-[0-9a-f]{16}");
        assertThat(exec2.name()).isEqualTo(prefix + "-exec-2");
        assertThat(exec2.ownerPod()).isEqualTo(driver.name());
        // the driver outlives its executors' allocation and run
        assertThat(driver.runTime()).isGreaterThan(exec2.runTime());
    }

    @Test
    void batchTrainingAndFpgaJobsCarryTheirLabelsAndResources() {
        WorkloadPlanner batch = new WorkloadPlanner(WorkloadOptions.builder().mix(Mix.only(AppKind.BATCH))
                .batchPods(IntRange.exactly(4)).failureRate(0).build(), T0);
        AppPlan job = batch.nextApp(T0);
        assertThat(job.initialPods()).hasSize(4).allSatisfy(p -> {
            assertThat(p.labels()).containsEntry("yunikorn.apache.org/app-id", job.appId())
                    .containsEntry("yunikorn.apache.org/queue", job.tenant().queue())
                    .containsEntry("job-name", job.appId());
            assertThat(p.cpuMillis()).isEqualTo(job.pods().getFirst().cpuMillis());
            assertThat(p.exitCode()).isZero();
            assertThat(p.gpus()).isZero();
        });

        WorkloadPlanner training = new WorkloadPlanner(WorkloadOptions.builder().mix(Mix.only(AppKind.GPU_TRAINING))
                .trainingWorkers(IntRange.exactly(3)).gpusPerWorker(List.of(2)).build(), T0);
        AppPlan train = training.nextApp(T0);
        assertThat(train.pods()).hasSize(3).allSatisfy(p -> {
            assertThat(p.gpus()).isEqualTo(2);
            assertThat(p.labels()).containsEntry("yunikorn.apache.org/app-id", train.appId())
                    .containsEntry("training.kubeflow.org/replica-type", "worker");
            assertThat(p.annotations()).containsEntry("yunikorn.apache.org/task-group-name", "workers")
                    .containsEntry("yunikorn.apache.org/task-groups",
                            "[{\"name\":\"workers\",\"minMember\":3,\"minResource\":{\"cpu\":\"8\",\"memory\":\"32Gi\",\"nvidia.com/gpu\":\"2\"},"
                                    + "\"tolerations\":[{\"key\":\"nvidia.com/gpu\",\"operator\":\"Exists\",\"effect\":\"NoSchedule\"}]}]")
                    .containsEntry("fairway.io/topology-domain", "nvidia.com/gpu.clique")
                    .containsEntry("fairway.io/topology-mode", "preferred");
        });

        WorkloadPlanner fpga = new WorkloadPlanner(WorkloadOptions.builder().mix(Mix.only(AppKind.FPGA))
                .fpgaPods(IntRange.exactly(2)).build(), T0);
        Set<String> functions = new HashSet<>();
        for (int i = 0; i < 40; i++) {
            AppPlan f = fpga.nextApp(T0);
            String function = f.pods().getFirst().annotations().get("fairway.io/fpga-function");
            functions.add(function);
            assertThat(f.pods()).hasSize(2).allSatisfy(p -> {
                assertThat(p.annotations()).containsEntry("fairway.io/fpga-function", function);
                // a region of the function's interface
                assertThat(p.fpgaResource()).isEqualTo("fpga.intel.com/region-" + function.substring(0, function.indexOf('.')));
                assertThat(p.fpgas()).isEqualTo(1);
                assertThat(p.gpus()).isZero();
            });
        }
        assertThat(functions).containsExactlyInAnyOrderElementsOf(NodeFleet.FPGA_FUNCTIONS);

        // told which functions the fleet holds, jobs ask only for those
        String only = NodeFleet.FPGA_STRATIX10 + ".331";
        WorkloadPlanner fleetBound = new WorkloadPlanner(WorkloadOptions.builder().mix(Mix.only(AppKind.FPGA))
                .fpgaFunctions(List.of(only)).build(), T0);
        assertThat(fleetBound.nextApp(T0).pods()).allSatisfy(p -> assertThat(p.annotations())
                .containsEntry("fairway.io/fpga-function", only));
    }

    @Test
    void sparkAppIsAGangOfDriverAndStartingExecutorsWhosePodsAskSparksMemoryOverhead() {
        WorkloadPlanner planner = new WorkloadPlanner(oneSparkApp(6).sparkDriverSize(PodSize.of("1", "2Gi"))
                .sparkExecutorSizes(List.of(PodSize.of("4", "8Gi"))).build(), T0);
        AppPlan app = planner.nextApp(T0);
        String groups = "[{\"name\":\"spark-driver\",\"minMember\":1,\"minResource\":{\"cpu\":\"1\",\"memory\":\"2Gi\"}},"
                + "{\"name\":\"spark-executor\",\"minMember\":6,\"minResource\":{\"cpu\":\"4\",\"memory\":\"8Gi\"}}]";

        PodPlan driver = app.pods().getFirst();
        assertThat(driver.annotations()).containsEntry("yunikorn.apache.org/task-group-name", "spark-driver")
                .containsEntry("yunikorn.apache.org/task-groups", groups)
                .containsEntry("yunikorn.apache.org/schedulingPolicyParameters",
                        "placeholderTimeoutInSeconds=120 gangSchedulingStyle=Soft")
                .doesNotContainKey("fairway.io/topology-domain");
        // 2Gi + the minimum overhead of 384Mi; 8Gi + 10% (819Mi)
        assertThat(driver.memoryBytes()).isEqualTo((2048L + 384) << 20);
        assertThat(app.executors()).hasSize(6).allSatisfy(e -> {
            assertThat(e.annotations()).containsEntry("yunikorn.apache.org/task-group-name", "spark-executor")
                    .containsEntry("yunikorn.apache.org/task-groups", groups);
            assertThat(e.memoryBytes()).isEqualTo((8192L + 819) << 20);
            assertThat(e.cpuMillis()).isEqualTo(4000);
        });

        AppPlan plain = new WorkloadPlanner(oneSparkApp(2).gangSpark(false).build(), T0).nextApp(T0);
        assertThat(plain.pods()).allSatisfy(p -> assertThat(p.annotations())
                .doesNotContainKeys("yunikorn.apache.org/task-groups", "yunikorn.apache.org/task-group-name"));
        AppPlan noGangTraining = new WorkloadPlanner(WorkloadOptions.builder().mix(Mix.only(AppKind.GPU_TRAINING))
                .gangTraining(false).build(), T0).nextApp(T0);
        assertThat(noGangTraining.pods()).allSatisfy(p -> assertThat(p.annotations())
                .doesNotContainKeys("yunikorn.apache.org/task-groups", "fairway.io/topology-domain"));
    }

    @Test
    void mixAndTenantSharesFollowTheWeights() {
        WorkloadOptions options = WorkloadOptions.builder()
                .tenants(Tenant.of("big").withWeight(3), Tenant.of("small"))
                .build();
        WorkloadPlanner planner = new WorkloadPlanner(options, T0);
        Map<AppKind, Integer> kinds = new EnumMap<>(AppKind.class);
        int big = 0;
        int n = 10_000;
        for (int i = 0; i < n; i++) {
            AppPlan app = planner.nextApp(T0);
            kinds.merge(app.kind(), 1, Integer::sum);
            if (app.tenant().name().equals("big")) {
                big++;
            }
        }
        assertThat(kinds.get(AppKind.SPARK) / (double) n).isCloseTo(0.50, within(0.02));
        assertThat(kinds.get(AppKind.BATCH) / (double) n).isCloseTo(0.30, within(0.02));
        assertThat(kinds.get(AppKind.GPU_TRAINING) / (double) n).isCloseTo(0.15, within(0.02));
        assertThat(kinds.get(AppKind.FPGA) / (double) n).isCloseTo(0.05, within(0.02));
        assertThat(big / (double) n).isCloseTo(0.75, within(0.02));
        assertThat(planner.submittedByKind()).isEqualTo(kinds);
    }

    @Test
    void theSameSeedGivesTheSameAppsAndTheSaltOnlyChangesNames() {
        WorkloadOptions options = WorkloadOptions.builder().seed(99).build();
        WorkloadPlanner a = new WorkloadPlanner(options, T0);
        WorkloadPlanner b = new WorkloadPlanner(options, T0);
        WorkloadPlanner salted = new WorkloadPlanner(options, T0, 12345);
        WorkloadPlanner other = new WorkloadPlanner(options.toBuilder().seed(100).build(), T0);
        boolean differs = false;
        for (int i = 0; i < 200; i++) {
            AppPlan x = a.nextApp(T0);
            AppPlan y = b.nextApp(T0);
            AppPlan s = salted.nextApp(T0);
            AppPlan o = other.nextApp(T0);
            assertThat(y).isEqualTo(x);
            assertThat(s.kind()).isEqualTo(x.kind());
            assertThat(s.tenant()).isEqualTo(x.tenant());
            assertThat(s.pods()).hasSameSizeAs(x.pods());
            assertThat(s.pods().getFirst().runTime()).isEqualTo(x.pods().getFirst().runTime());
            assertThat(s.appId()).isNotEqualTo(x.appId());
            differs |= o.kind() != x.kind() || o.pods().size() != x.pods().size();
        }
        assertThat(differs).isTrue();
    }

    @Test
    void arrivalsFollowTheRateAndStopAtMaxApps() {
        WorkloadOptions options = WorkloadOptions.builder().mix(Mix.only(AppKind.BATCH)).batchPods(IntRange.exactly(1))
                .appsPerMinute(60).build();
        WorkloadPlanner planner = new WorkloadPlanner(options, T0);
        assertThat(planner.poll(T0)).hasSize(1); // the first arrives at the start
        planner.poll(T0.plus(Duration.ofHours(1)));
        assertThat(planner.submitted()).isBetween(3420, 3780);

        WorkloadPlanner capped = new WorkloadPlanner(options.toBuilder().maxApps(10).build(), T0);
        assertThat(capped.poll(T0.plus(Duration.ofHours(1)))).hasSize(10);
        assertThat(capped.nextDue()).isEmpty();

        WorkloadPlanner none = new WorkloadPlanner(options.toBuilder().appsPerMinute(0).build(), T0);
        assertThat(none.poll(T0.plus(Duration.ofHours(1)))).isEmpty();
    }

    @Test
    void burstGivesExactlyThatManyPodsWithUniqueNames() {
        WorkloadPlanner planner = new WorkloadPlanner(WorkloadOptions.defaults(), T0);
        List<PodPlan> pods = planner.burst(1000, T0);
        assertThat(pods).hasSize(1000);
        Set<String> keys = new HashSet<>();
        pods.forEach(p -> keys.add(p.namespace() + "/" + p.name()));
        assertThat(keys).hasSize(1000);
        assertThat(pods).extracting(PodPlan::kind).contains(AppKind.SPARK, AppKind.BATCH, AppKind.GPU_TRAINING);
    }

    @Test
    void sparkAppNameLabelIsSanitisedAsSparkDoes() {
        assertThat(WorkloadPlanner.sparkAppNameLabel("My App_1")).isEqualTo("my-app_1");
        assertThat(WorkloadPlanner.sparkAppNameLabel("--x--")).isEqualTo("x");
        assertThat(WorkloadPlanner.sparkAppNameLabel("a".repeat(80))).hasSize(63);
    }
}
