package io.fairway.core.resources;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class QuantityTest {
    @Test
    void cpuIsHeldInMillicores() {
        assertThat(Quantity.parse("cpu", "500m")).isEqualTo(500);
        assertThat(Quantity.parse("cpu", "1.5")).isEqualTo(1500);
        assertThat(Quantity.parse("cpu", "2")).isEqualTo(2000);
        assertThat(Quantity.parse("cpu", "0.1")).isEqualTo(100);
    }

    @Test
    void memoryInBytesWithBinaryAndDecimalSuffixes() {
        assertThat(Quantity.parse("memory", "10Gi")).isEqualTo(10L << 30);
        assertThat(Quantity.parse("memory", "100M")).isEqualTo(100_000_000L);
        assertThat(Quantity.parse("memory", "1k")).isEqualTo(1000);
        assertThat(Quantity.parse("memory", "1Ki")).isEqualTo(1024);
        assertThat(Quantity.parse("memory", "1e3")).isEqualTo(1000);
        assertThat(Quantity.parse("memory", "128974848")).isEqualTo(128974848L);
    }

    @Test
    void fractionsRoundUpAsKubernetesDoes() {
        assertThat(Quantity.parse("cpu", "0.0001")).isEqualTo(1);
        assertThat(Quantity.parse("memory", "1.5")).isEqualTo(2);
        assertThat(Quantity.parse("nvidia.com/gpu", "1")).isEqualTo(1);
    }

    @Test
    void badQuantitiesAreRejectedWithTheValue() {
        assertThatThrownBy(() -> Quantity.parse("memory", "10GB")).hasMessageContaining("'10GB' is not a quantity");
        assertThatThrownBy(() -> Quantity.parse("memory", "-1")).hasMessageContaining("negative");
        assertThatThrownBy(() -> Quantity.parse("memory", "")).hasMessageContaining("not a quantity");
    }

    @Test
    void formatPicksTheShortestExactForm() {
        assertThat(Quantity.format(ResourceNames.MEMORY, 100_000_000L)).isEqualTo("100M");
        assertThat(Quantity.format(ResourceNames.MEMORY, 10L << 30)).isEqualTo("10Gi");
        assertThat(Quantity.format(ResourceNames.MEMORY, 500_000_000_000L)).isEqualTo("500G");
        assertThat(Quantity.format(ResourceNames.CPU, 1500)).isEqualTo("1500m");
        assertThat(Quantity.format(ResourceNames.CPU, 3000)).isEqualTo("3");
    }

    @Test
    void resourcesCompareOnlyWhatTheyDefine() {
        Resources req = Resources.parse(Map.of("cpu", "1", "nvidia.com/gpu", "1"));
        Resources cpuOnlyNode = Resources.parse(Map.of("cpu", "4", "memory", "8Gi"));
        Resources gpuNode = Resources.parse(Map.of("cpu", "4", "nvidia.com/gpu", "2"));
        long[] nothingUsed = new long[0];
        assertThat(req.fitsWithin(nothingUsed, cpuOnlyNode)).as("an undefined extended resource on a node is 0").isFalse();
        assertThat(req.fitsWithin(nothingUsed, gpuNode)).isTrue();
        Resources maxMemoryOnly = Resources.parse(Map.of("memory", "1Gi"));
        assertThat(req.withinLimit(nothingUsed, maxMemoryOnly)).as("an undefined resource in a max is unlimited").isTrue();
        long[] used = new long[ResourceNames.count()];
        used[ResourceNames.CPU] = 3500;
        assertThat(req.fitsWithin(used, gpuNode)).isFalse();
        assertThat(req.plus(req).get("nvidia.com/gpu")).isEqualTo(2);
        assertThat(req.plus(req).minus(req)).isEqualTo(req);
    }
}
