package io.fairway.sandbox.workload;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PodTemplatesTest {

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
    void fpgaPodAsksForItsFpga() {
        PodPlan plan = new PodPlan(AppKind.FPGA, "f", "worker", 0, "team-a", "f-0", Map.of(), Map.of(), "accelerator",
                2000, 4L << 30, 0, "fpga.intel.com/arria10", 1, null, Duration.ofSeconds(5), 0);
        Pod pod = PodTemplates.toPod(plan, "fairway", "busybox:1.36", null);
        assertThat(pod.getSpec().getContainers().getFirst().getResources().getLimits())
                .containsEntry("fpga.intel.com/arria10", new Quantity("1"));
    }
}
