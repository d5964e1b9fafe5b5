package io.fairway.sandbox.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fairway.core.objects.Fpga;
import io.fairway.core.objects.GangAnnotations;
import io.fairway.core.objects.GangSpec;
import io.fairway.core.objects.SchedulingHints;
import io.fairway.core.objects.Taint;
import io.fairway.core.objects.TaskGroup;
import io.fairway.core.objects.Topology;
import io.fairway.core.resources.Resources;
import io.fairway.sandbox.kubelet.NodeFleet;
import io.fairway.sandbox.workload.WorkloadOptions.IntRange;
import io.fairway.sandbox.workload.WorkloadOptions.Mix;
import io.fairway.sandbox.workload.WorkloadOptions.PodSize;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class PodTemplatesTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void gpuWorkerAsksForGpusAndToleratesTheTaint() {
        PodPlan plan = new PodPlan(AppKind.GPU_TRAINING, "job-1", "worker", 0, "team-a", "job-1-worker-0",
                Map.of("yunikorn.apache.org/app-id", "job-1"), Map.of("a", "b"), "pytorch", 8000, 32L << 30, 2, null, 0,
                null, Duration.ofMillis(90_500), 0);
        Pod pod = PodTemplates.toPod(plan, "fairway", "busybox:1.36", null);

        assertThat(pod.getMetadata().getNamespace()).isEqualTo("team-a");
        assertThat(pod.getMetadata().getLabels()).containsEntry("yunikorn.apache.org/app-id", "job-1");
        assertThat(pod.getMetadata().getAnnotations()).containsEntry("a", "b")
                .containsEntry("fairway.io/run-seconds", "90.5").doesNotContainKey("fairway.io/exit-code");
        assertThat(pod.getSpec().getSchedulerName()).isEqualTo("fairway");
        assertThat(pod.getSpec().getRestartPolicy()).isEqualTo("Never");
        assertThat(pod.getSpec().getContainers()).singleElement().satisfies(c -> {
            assertThat(c.getName()).isEqualTo("pytorch");
            assertThat(c.getResources().getRequests()).containsEntry("cpu", new Quantity("8"))
                    .containsEntry("memory", new Quantity("32Gi")).containsEntry("nvidia.com/gpu", new Quantity("2"));
            assertThat(c.getResources().getLimits()).containsEntry("nvidia.com/gpu", new Quantity("2"))
                    .doesNotContainKey("cpu");
        });
        assertThat(pod.getSpec().getTolerations()).singleElement().satisfies(t -> {
            assertThat(t.getKey()).isEqualTo("nvidia.com/gpu");
            assertThat(t.getOperator()).isEqualTo("Exists");
            assertThat(t.getEffect()).isEqualTo("NoSchedule");
        });
        assertThat(pod.getMetadata().getOwnerReferences()).isEmpty();
    }

    @Test
    void executorIsOwnedByItsDriverAndFailingPodsCarryTheirExitCode() {
        PodPlan exec = new PodPlan(AppKind.SPARK, "spark-1", "executor", 1, "team-a", "app-exec-1", Map.of(), Map.of(),
                "spark-kubernetes-executor", 1000, 2L << 30, 0, null, 0, "app-driver", Duration.ofSeconds(60), 1);
        Pod pod = PodTemplates.toPod(exec, "fairway", "busybox:1.36", "uid-of-driver");

        assertThat(pod.getMetadata().getOwnerReferences()).singleElement().satisfies(o -> {
            assertThat(o.getKind()).isEqualTo("Pod");
            assertThat(o.getName()).isEqualTo("app-driver");
            assertThat(o.getUid()).isEqualTo("uid-of-driver");
        });
        assertThat(pod.getMetadata().getAnnotations()).containsEntry("fairway.io/run-seconds", "60")
                .containsEntry("fairway.io/exit-code", "1");
        assertThat(pod.getSpec().getTolerations()).isEmpty();
    }

    @Test
    void fpgaPodAsksForARegionAndNamesItsFunction() {
        WorkloadPlanner planner = new WorkloadPlanner(WorkloadOptions.builder().mix(Mix.only(AppKind.FPGA))
                .fpgaFunctions(List.of(NodeFleet.FPGA_ARRIA10 + ".f7d")).build(), T0);
        Pod pod = PodTemplates.toPod(planner.nextApp(T0).pods().getFirst(), "fairway", "busybox:1.36", null);

        String region = "fpga.intel.com/region-" + NodeFleet.FPGA_ARRIA10;
        assertThat(pod.getSpec().getContainers().getFirst().getResources().getRequests()).containsEntry(region, new Quantity("1"));
        assertThat(pod.getSpec().getContainers().getFirst().getResources().getLimits()).containsEntry(region, new Quantity("1"));
        SchedulingHints hints = GangAnnotations.hints(pod.getMetadata().getAnnotations());
        assertThat(hints.fpgaFunction()).isEqualTo(NodeFleet.FPGA_ARRIA10 + ".f7d");
        assertThat(hints.fpgaInterface()).isEqualTo(NodeFleet.FPGA_ARRIA10);
        assertThat(hints.gang().isNone()).isTrue();
        // the node resource the scheduler looks for the function under is one the fleet offers
        assertThat(Fpga.function(hints.fpgaFunction())).isEqualTo("fpga.intel.com/af-" + NodeFleet.FPGA_ARRIA10 + ".f7d");
        assertThat(Fpga.region(hints.fpgaInterface())).isEqualTo(region);
    }

    /** The annotations as the watcher reads them off the created pod. */
    private static SchedulingHints hints(PodPlan plan) {
        Pod pod = PodTemplates.toPod(plan, "fairway", "busybox:1.36", "uid-of-driver");
        return GangAnnotations.hints(pod.getMetadata().getAnnotations());
    }

    private static Resources requests(PodPlan plan) {
        Pod pod = PodTemplates.toPod(plan, "fairway", "busybox:1.36", "uid-of-driver");
        Map<String, String> q = new TreeMap<>();
        pod.getSpec().getContainers().getFirst().getResources().getRequests().forEach((k, v) -> q.put(k, v.toString()));
        return Resources.parse(q);
    }

    @Test
    void sparkPodsReadAsOneValidGangWithEachPodInItsGroup() {
        WorkloadPlanner planner = new WorkloadPlanner(WorkloadOptions.builder().mix(Mix.only(AppKind.SPARK))
                .sparkExecutors(IntRange.exactly(7)).sparkExecutorSizes(List.of(PodSize.of("2", "4Gi"))).build(), T0);
        AppPlan app = planner.nextApp(T0);

        SchedulingHints driver = hints(app.pods().getFirst());
        assertThat(driver.gang().problem()).isEmpty();
        assertThat(driver.gang().isGang()).isTrue();
        assertThat(driver.taskGroup()).isEqualTo("spark-driver");
        assertThat(driver.gang().style()).isEqualTo(GangSpec.Style.SOFT);
        assertThat(driver.gang().timeoutMillis()).isEqualTo(120_000);
        assertThat(driver.gang().groups()).extracting(TaskGroup::name, TaskGroup::minMember)
                .containsExactly(tuple("spark-driver", 1), tuple("spark-executor", 7));
        TaskGroup executors = driver.gang().group("spark-executor");
        assertThat(executors.minResource()).isEqualTo(Resources.parse(Map.of("cpu", "2", "memory", "4Gi")));
        assertThat(driver.gang().group("spark-driver").minResource()).isEqualTo(Resources.parse(Map.of("cpu", "1", "memory", "2Gi")));
        assertThat(driver.topology().isNone()).isTrue();
        // the driver pod asks more memory than its slot (Spark's overhead) and the same cpu: it grows its slot
        Resources driverAsks = requests(app.pods().getFirst());
        assertThat(driverAsks.get("memory")).isEqualTo(driver.gang().group("spark-driver").minResource().get("memory") + (384L << 20));
        assertThat(driverAsks.get("cpu")).isEqualTo(driver.gang().group("spark-driver").minResource().get("cpu"));

        for (PodPlan e : app.executors()) {
            SchedulingHints h = hints(e);
            assertThat(h.taskGroup()).isEqualTo("spark-executor");
            // every member declares the same gang, so whichever pod the state sees first defines it
            assertThat(h.gang()).isEqualTo(driver.gang());
            Resources asks = requests(e);
            assertThat(asks.get("memory")).isGreaterThan(executors.minResource().get("memory"))
                    .isLessThan(executors.minResource().get("memory") + (1L << 30));
        }
    }

    @Test
    void trainingPodsReadAsAGangOfGpuWorkersThatToleratesGpuNodesAndPrefersOneClique() {
        WorkloadPlanner planner = new WorkloadPlanner(WorkloadOptions.builder().mix(Mix.only(AppKind.GPU_TRAINING))
                .trainingWorkers(IntRange.exactly(4)).gpusPerWorker(List.of(8)).build(), T0);
        AppPlan job = planner.nextApp(T0);

        for (PodPlan p : job.pods()) {
            SchedulingHints h = hints(p);
            assertThat(h.gang().problem()).isEmpty();
            assertThat(h.gang().isGang()).isTrue();
            assertThat(h.taskGroup()).isEqualTo("workers");
            assertThat(h.topology()).isEqualTo(new Topology("nvidia.com/gpu.clique", false));
            TaskGroup g = h.gang().groups().getFirst();
            assertThat(h.gang().groups()).hasSize(1);
            assertThat(g.minMember()).isEqualTo(4);
            assertThat(g.minResource()).isEqualTo(Resources.parse(Map.of("cpu", "8", "memory", "32Gi", "nvidia.com/gpu", "8")));
            assertThat(requests(p)).isEqualTo(g.minResource());
            // the slots are held on GPU nodes only if the group tolerates their taint
            assertThat(g.tolerations()).anySatisfy(t -> assertThat(t.tolerates(
                    new Taint("nvidia.com/gpu", "present", "NoSchedule"))).isTrue());
        }
    }
}
