package io.fairway.sandbox.workload;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fairway.sandbox.Quantities;
import io.fairway.sandbox.kubelet.NodeSpec;
import io.fairway.sandbox.kubelet.PodLifecycle;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@link PodPlan}s as Kubernetes pods: {@code schedulerName}, {@code restartPolicy: Never}, one container with
 * requests (cpu, memory, {@code nvidia.com/gpu}, FPGA) and limits (memory and extended resources equal to their
 * requests, as Spark and device plugins want), the GPU toleration for GPU pods, Spark executors owned by their driver
 * pod, and the simulated kubelet's annotations {@value PodLifecycle#RUN_SECONDS} and, when non-zero,
 * {@value PodLifecycle#EXIT_CODE}.
 */
public final class PodTemplates {
    /** The toleration of GPU pods: {@code nvidia.com/gpu} Exists, NoSchedule (what the NVIDIA operator's docs use). */
    public static final Toleration GPU_TOLERATION = new TolerationBuilder()
            .withKey(NodeSpec.GPU_RESOURCE).withOperator("Exists").withEffect("NoSchedule").build();

    private PodTemplates() {
    }

    /** {@code plan} as a pod to create with {@code schedulerName} and {@code image}; {@code ownerUid} is the driver's uid for executors (null: no owner). */
    public static Pod toPod(PodPlan plan, String schedulerName, String image, String ownerUid) {
        Map<String, String> annotations = new LinkedHashMap<>(plan.annotations());
        if (plan.runTime() != null) {
            annotations.put(PodLifecycle.RUN_SECONDS, seconds(plan.runTime().toMillis()));
        }
        if (plan.exitCode() != 0) {
            annotations.put(PodLifecycle.EXIT_CODE, Integer.toString(plan.exitCode()));
        }
        Map<String, Quantity> requests = new LinkedHashMap<>();
        Map<String, Quantity> limits = new LinkedHashMap<>();
        requests.put("cpu", new Quantity(Quantities.cpu(plan.cpuMillis())));
        requests.put("memory", new Quantity(Quantities.memory(plan.memoryBytes())));
        limits.put("memory", new Quantity(Quantities.memory(plan.memoryBytes())));
        if (plan.gpus() > 0) {
            requests.put(NodeSpec.GPU_RESOURCE, new Quantity(Integer.toString(plan.gpus())));
            limits.put(NodeSpec.GPU_RESOURCE, new Quantity(Integer.toString(plan.gpus())));
        }
        if (plan.fpgaResource() != null && plan.fpgas() > 0) {
            requests.put(plan.fpgaResource(), new Quantity(Integer.toString(plan.fpgas())));
            limits.put(plan.fpgaResource(), new Quantity(Integer.toString(plan.fpgas())));
        }
        PodBuilder b = new PodBuilder()
                .withNewMetadata()
                    .withName(plan.name())
                    .withNamespace(plan.namespace())
                    .withLabels(new LinkedHashMap<>(plan.labels()))
                    .withAnnotations(annotations)
                .endMetadata()
                .withNewSpec()
                    .withSchedulerName(schedulerName)
                    .withRestartPolicy("Never")
                    .withTerminationGracePeriodSeconds(30L)
                    .addNewContainer()
                        .withName(plan.container())
                        .withImage(image)
                        .withImagePullPolicy("IfNotPresent")
                        .withNewResources().withRequests(requests).withLimits(limits).endResources()
                    .endContainer()
                .endSpec();
        if (plan.gpus() > 0) {
            b.editSpec().withTolerations(List.of(GPU_TOLERATION)).endSpec();
        }
        if (plan.ownerPod() != null && ownerUid != null) {
            b.editMetadata().addNewOwnerReference()
                    .withApiVersion("v1").withKind("Pod").withName(plan.ownerPod()).withUid(ownerUid)
                    .withController(true)
                    .endOwnerReference().endMetadata();
        }
        return b.build();
    }

    private static String seconds(long millis) {
        return BigDecimal.valueOf(millis, 3).stripTrailingZeros().toPlainString();
    }
}
