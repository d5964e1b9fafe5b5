package io.fairway.sandbox.kubelet;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PodLifecycleTest {
    private static final Instant T0 = Instant.parse("2026-01-01T10:00:00.250Z");

    private static Pod pod(Map<String, String> annotations) {
        return new PodBuilder()
                .withNewMetadata().withName("p").withNamespace("ns").withUid("uid-1").withAnnotations(annotations).endMetadata()
                .withNewSpec().withNodeName("n1")
                    .addNewInitContainer().withName("init").withImage("busybox").endInitContainer()
                    .addNewContainer().withName("main").withImage("busybox:1.36").endContainer()
                    .addNewContainer().withName("sidecar").withImage("envoy").endContainer()
                .endSpec()
                .build();
    }

    @Test
    void runTimeAndExitCodeComeFromAnnotations() {
        assertThat(PodLifecycle.runTime(pod(Map.of("fairway.io/run-seconds", "90")))).contains(Duration.ofSeconds(90));
        assertThat(PodLifecycle.runTime(pod(Map.of("fairway.io/run-seconds", "2.5")))).contains(Duration.ofMillis(2500));
        assertThat(PodLifecycle.runTime(pod(Map.of("fairway.io/run-seconds", "0")))).contains(Duration.ZERO);
        assertThat(PodLifecycle.runTime(pod(Map.of("fairway.io/run-seconds", "-1")))).isEmpty();
        assertThat(PodLifecycle.runTime(pod(Map.of("fairway.io/run-seconds", "soon")))).isEmpty();
        assertThat(PodLifecycle.runTime(pod(Map.of()))).isEmpty();
        assertThat(PodLifecycle.exitCode(pod(Map.of("fairway.io/exit-code", "3")))).isEqualTo(3);
        assertThat(PodLifecycle.exitCode(pod(Map.of("fairway.io/exit-code", "x")))).isZero();
        assertThat(PodLifecycle.exitCode(pod(Map.of()))).isZero();
    }

    @Test
    void runningStatusIsWhatAKubeletReports() {
        PodStatus s = PodLifecycle.running(pod(Map.of()), "172.16.0.1", "10.0.0.2", T0);

        assertThat(s.getPhase()).isEqualTo("Running");
        assertThat(s.getHostIP()).isEqualTo("172.16.0.1");
        assertThat(s.getPodIP()).isEqualTo("10.0.0.2");
        assertThat(s.getPodIPs()).singleElement().satisfies(ip -> assertThat(ip.getIp()).isEqualTo("10.0.0.2"));
        assertThat(s.getStartTime()).isEqualTo("2026-01-01T10:00:00Z");
        assertThat(s.getConditions()).extracting(PodCondition::getType)
                .contains("PodScheduled", "Initialized", "ContainersReady", "Ready");
        assertThat(s.getConditions()).allSatisfy(c -> assertThat(c.getStatus()).isEqualTo("True"));
        assertThat(s.getContainerStatuses()).hasSize(2).allSatisfy(c -> {
            assertThat(c.getReady()).isTrue();
            assertThat(c.getState().getRunning().getStartedAt()).isEqualTo("2026-01-01T10:00:00Z");
            assertThat(c.getContainerID()).startsWith("containerd://");
        });
        assertThat(s.getContainerStatuses().get(0).getName()).isEqualTo("main");
        assertThat(s.getInitContainerStatuses()).singleElement()
                .satisfies(c -> assertThat(c.getState().getTerminated().getExitCode()).isZero());
    }

    @Test
    void terminatedStatusSucceedsOnZeroAndFailsOtherwise() {
        Instant end = T0.plusSeconds(30);
        PodStatus ok = PodLifecycle.terminated(pod(Map.of()), "172.16.0.1", "10.0.0.2", T0, end, 0);
        PodStatus bad = PodLifecycle.terminated(pod(Map.of()), "172.16.0.1", "10.0.0.2", T0, end, 2);

        assertThat(ok.getPhase()).isEqualTo("Succeeded");
        assertThat(ok.getContainerStatuses()).allSatisfy(c -> {
            assertThat(c.getReady()).isFalse();
            assertThat(c.getState().getTerminated().getReason()).isEqualTo("Completed");
            assertThat(c.getState().getTerminated().getFinishedAt()).isEqualTo("2026-01-01T10:00:30Z");
        });
        assertThat(ok.getConditions()).filteredOn(c -> c.getType().equals("Ready"))
                .singleElement().satisfies(c -> {
                    assertThat(c.getStatus()).isEqualTo("False");
                    assertThat(c.getReason()).isEqualTo("PodCompleted");
                });
        assertThat(bad.getPhase()).isEqualTo("Failed");
        assertThat(bad.getContainerStatuses()).allSatisfy(c -> {
            assertThat(c.getState().getTerminated().getExitCode()).isEqualTo(2);
            assertThat(c.getState().getTerminated().getReason()).isEqualTo("Error");
        });
    }
}
