package io.fairway.sandbox.kubelet;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.HostIP;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodIP;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a simulated kubelet reads from a pod and the statuses it writes: the pure part of {@link SimulatedKubelets}.
 *
 * <p>Two pod annotations drive a simulated pod:
 * <ul>
 *   <li>{@value #RUN_SECONDS} — how long the pod's containers run once started, in seconds (a decimal such as
 *       {@code "90"} or {@code "2.5"}; {@code "0"} finishes at once). Absent, empty or invalid: the kubelet's
 *       {@link KubeletOptions#defaultRunTime()}, which by default is forever (the pod runs until deleted).</li>
 *   <li>{@value #EXIT_CODE} — the containers' exit code when they finish: {@code 0} (the default) makes the pod
 *       {@code Succeeded}, anything else {@code Failed}.</li>
 * </ul>
 */
public final class PodLifecycle {
    /** Annotation: the pod's run time in seconds once Running (decimal). Absent: the kubelet's default, forever unless set. */
    public static final String RUN_SECONDS = "fairway.io/run-seconds";
    /** Annotation: the containers' exit code when the run time is over; non-zero makes the pod {@code Failed}. Default 0. */
    public static final String EXIT_CODE = "fairway.io/exit-code";

    private PodLifecycle() {
    }

    /** The pod's run time from {@value #RUN_SECONDS}, empty when absent or not a non-negative number. */
    public static Optional<Duration> runTime(Pod pod) {
        String v = annotation(pod, RUN_SECONDS);
        if (v == null || v.isBlank()) {
            return Optional.empty();
        }
        try {
            BigDecimal seconds = new BigDecimal(v.trim());
            if (seconds.signum() < 0) {
                return Optional.empty();
            }
            return Optional.of(Duration.ofMillis(seconds.movePointRight(3).setScale(0, RoundingMode.HALF_UP).longValueExact()));
        } catch (NumberFormatException | ArithmeticException e) {
            return Optional.empty();
        }
    }

    /** The exit code from {@value #EXIT_CODE}; 0 when absent or not an integer. */
    public static int exitCode(Pod pod) {
        String v = annotation(pod, EXIT_CODE);
        if (v == null || v.isBlank()) {
            return 0;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static String annotation(Pod pod, String key) {
        Map<String, String> a = pod.getMetadata() == null ? null : pod.getMetadata().getAnnotations();
        return a == null ? null : a.get(key);
    }

    /** Kubernetes' timestamp form: RFC 3339, whole seconds, UTC. */
    public static String time(Instant t) {
        return t.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    /** A container ID for container {@code index} of pod {@code uid}, in containerd's form. */
    static String containerId(String uid, int index) {
        long h = (uid == null ? 0 : uid.hashCode()) * 31L + index;
        return "containerd://" + HexFormat.of().toHexDigits(h) + HexFormat.of().toHexDigits(Long.reverse(h));
    }

    /**
     * The status a kubelet reports once the pod's containers run: phase {@code Running}, the pod and host IPs,
     * {@code startTime}, every container running and ready, init containers terminated with exit code 0, and the
     * conditions {@code PodReadyToStartContainers}, {@code Initialized}, {@code ContainersReady}, {@code Ready} and
     * {@code PodScheduled}, all {@code True}.
     */
    public static PodStatus running(Pod pod, String hostIp, String podIp, Instant startedAt) {
        String t = time(startedAt);
        String uid = pod.getMetadata().getUid();
        List<ContainerStatus> containers = new ArrayList<>();
        List<Container> specContainers = pod.getSpec().getContainers() == null ? List.of() : pod.getSpec().getContainers();
        for (int i = 0; i < specContainers.size(); i++) {
            Container c = specContainers.get(i);
            containers.add(base(c, uid, i)
                    .withReady(true).withStarted(true)
                    .withNewState().withNewRunning().withStartedAt(t).endRunning().endState()
                    .build());
        }
        return new PodStatusBuilder()
                .withPhase("Running")
                .withConditions(List.of(
                        condition("PodReadyToStartContainers", "True", null, t),
                        condition("Initialized", "True", null, t),
                        condition("Ready", "True", null, t),
                        condition("ContainersReady", "True", null, t),
                        condition("PodScheduled", "True", null, t)))
                .withHostIP(hostIp)
                .withHostIPs(hostIp == null ? List.of() : List.of(new HostIP(hostIp)))
                .withPodIP(podIp)
                .withPodIPs(podIp == null ? List.of() : List.of(new PodIP(podIp)))
                .withStartTime(t)
                .withContainerStatuses(containers)
                .withInitContainerStatuses(initStatuses(pod, uid, t))
                .build();
    }

    /**
     * The status a kubelet reports when the containers exited with {@code exitCode}: phase {@code Succeeded} for 0,
     * else {@code Failed}; every container terminated ({@code Completed} or {@code Error}); {@code Ready} and
     * {@code ContainersReady} {@code False} with reason {@code PodCompleted} (or {@code PodFailed}).
     */
    public static PodStatus terminated(Pod pod, String hostIp, String podIp, Instant startedAt, Instant finishedAt, int exitCode) {
        String started = time(startedAt);
        String finished = time(finishedAt);
        String uid = pod.getMetadata().getUid();
        boolean ok = exitCode == 0;
        List<ContainerStatus> containers = new ArrayList<>();
        List<Container> specContainers = pod.getSpec().getContainers() == null ? List.of() : pod.getSpec().getContainers();
        for (int i = 0; i < specContainers.size(); i++) {
            Container c = specContainers.get(i);
            containers.add(base(c, uid, i)
                    .withReady(false).withStarted(false)
                    .withNewState().withNewTerminated()
                        .withExitCode(exitCode)
                        .withReason(ok ? "Completed" : "Error")
                        .withStartedAt(started)
                        .withFinishedAt(finished)
                        .withContainerID(containerId(uid, i))
                    .endTerminated().endState()
                    .build());
        }
        String reason = ok ? "PodCompleted" : "PodFailed";
        return new PodStatusBuilder()
                .withPhase(ok ? "Succeeded" : "Failed")
                .withConditions(List.of(
                        condition("PodReadyToStartContainers", "False", null, finished),
                        condition("Initialized", "True", reason, started),
                        condition("Ready", "False", reason, finished),
                        condition("ContainersReady", "False", reason, finished),
                        condition("PodScheduled", "True", null, started)))
                .withHostIP(hostIp)
                .withHostIPs(hostIp == null ? List.of() : List.of(new HostIP(hostIp)))
                .withPodIP(podIp)
                .withPodIPs(podIp == null ? List.of() : List.of(new PodIP(podIp)))
                .withStartTime(started)
                .withContainerStatuses(containers)
                .withInitContainerStatuses(initStatuses(pod, uid, started))
                .build();
    }

    private static List<ContainerStatus> initStatuses(Pod pod, String uid, String t) {
        List<Container> init = pod.getSpec().getInitContainers() == null ? List.of() : pod.getSpec().getInitContainers();
        List<ContainerStatus> out = new ArrayList<>();
        for (int i = 0; i < init.size(); i++) {
            Container c = init.get(i);
            out.add(base(c, uid, 1000 + i)
                    .withReady(true).withStarted(false)
                    .withNewState().withNewTerminated()
                        .withExitCode(0).withReason("Completed").withStartedAt(t).withFinishedAt(t)
                        .withContainerID(containerId(uid, 1000 + i))
                    .endTerminated().endState()
                    .build());
        }
        return out;
    }

    private static ContainerStatusBuilder base(Container c, String uid, int index) {
        String image = c.getImage() == null ? "" : c.getImage();
        return new ContainerStatusBuilder()
                .withName(c.getName())
                .withImage(image)
                .withImageID(image.isEmpty() ? "" : image + "@sha256:" + "0".repeat(64))
                .withContainerID(containerId(uid, index))
                .withRestartCount(0);
    }

    private static PodCondition condition(String type, String status, String reason, String time) {
        return new PodConditionBuilder().withType(type).withStatus(status).withReason(reason)
                .withLastTransitionTime(time).build();
    }
}
