package io.fairway.sandbox.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fairway.sandbox.kubelet.NodeFleet;
import io.fairway.sandbox.workload.WorkloadOptions.IntRange;
import io.fairway.sandbox.workload.WorkloadOptions.Mix;
import io.fairway.sandbox.workload.WorkloadOptions.PodSize;
import io.fairway.sandbox.workload.WorkloadOptions.Tenant;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class WorkloadOptionsTest {

    @Test
    void defaultsAreTheDocumentedOnes() {
        WorkloadOptions o = WorkloadOptions.defaults();
        assertThat(o.tenants()).extracting(Tenant::queue)
                .containsExactly("root.tenants.team-a", "root.tenants.team-b", "root.tenants.team-c");
        assertThat(o.tenants()).extracting(Tenant::namespace).containsExactly("team-a", "team-b", "team-c");
        assertThat(o.appsPerMinute()).isEqualTo(30);
        assertThat(o.mix()).isEqualTo(new Mix(0.5, 0.3, 0.15, 0.05));
        assertThat(o.executorBatchSize()).isEqualTo(5);
        assertThat(o.executorBatchDelay()).isEqualTo(Duration.ofSeconds(1));
        assertThat(o.executorsAfterDriverRuns()).isTrue();
        assertThat(o.schedulerName()).isEqualTo("fairway");
        assertThat(o.sparkDriverSize()).isEqualTo(PodSize.of("1", "2Gi"));
        assertThat(o.maxApps()).isZero();
        assertThat(o.gangSpark()).isTrue();
        assertThat(o.gangTraining()).isTrue();
        assertThat(o.fpgaFunctions()).isEqualTo(NodeFleet.FPGA_FUNCTIONS);
        assertThat(o.toBuilder().build()).isEqualTo(o);
    }

    @Test
    void rejectsNonsense() {
        assertThatThrownBy(() -> WorkloadOptions.builder().tenants(List.of()).build()).hasMessageContaining("tenant");
        assertThatThrownBy(() -> WorkloadOptions.builder().tenants(Tenant.of("a"), Tenant.of("a")).build())
                .hasMessageContaining("differ");
        assertThatThrownBy(() -> WorkloadOptions.builder().appsPerMinute(-1).build()).hasMessageContaining("appsPerMinute");
        assertThatThrownBy(() -> new Mix(0, 0, 0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new IntRange(3, 2)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> WorkloadOptions.builder().failureRate(1.5).build()).hasMessageContaining("failureRate");
        assertThatThrownBy(() -> WorkloadOptions.builder().gpusPerWorker(List.of(0)).build()).hasMessageContaining("gpusPerWorker");
        assertThatThrownBy(() -> WorkloadOptions.builder().fpgaFunctions(List.of()).build())
                .hasMessageContaining("fpgaFunctions");
        assertThatThrownBy(() -> WorkloadOptions.builder().fpgaFunctions(List.of("695.d84", "nlb0")).build())
                .hasMessageContaining("'nlb0' is not <interface>.<function>");
    }
}
