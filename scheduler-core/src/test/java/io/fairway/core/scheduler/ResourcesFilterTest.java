package io.fairway.core.scheduler;

import static io.fairway.core.scheduler.Fixtures.GI;
import static io.fairway.core.scheduler.Fixtures.node;
import static io.fairway.core.scheduler.Fixtures.pod;
import static io.fairway.core.scheduler.Fixtures.res;
import static io.fairway.core.scheduler.Fixtures.state;
import static io.fairway.core.scheduler.Fixtures.used;
import static org.assertj.core.api.Assertions.assertThat;

import io.fairway.core.resources.Resources;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ResourcesFilterTest {
    static final Resources NODE = res("cpu", 4000, "memory", 8 * GI, "nvidia.com/gpu", 2);

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("fits an empty node", res("cpu", 1000), used(), null),
                Arguments.of("fits exactly", res("cpu", 4000, "memory", 8 * GI), used(), null),
                Arguments.of("one milli-cpu too many", res("cpu", 4001), used(), "Insufficient cpu"),
                Arguments.of("usage leaves too little", res("cpu", 1500), used("cpu", 3000), "Insufficient cpu"),
                Arguments.of("usage leaves just enough", res("cpu", 1000), used("cpu", 3000), null),
                Arguments.of("cpu and memory short: first by name", res("cpu", 5000, "memory", 9 * GI), used(),
                        "Insufficient cpu"),
                Arguments.of("memory and gpu short: first by name", res("memory", 9 * GI, "nvidia.com/gpu", 3), used(),
                        "Insufficient memory"),
                Arguments.of("gpus in use", res("nvidia.com/gpu", 1), used("nvidia.com/gpu", 2), "Insufficient nvidia.com/gpu"),
                Arguments.of("a resource the node does not offer", res("fpga.intel.com/region-695", 1), used(),
                        "Insufficient fpga.intel.com/region-695"),
                Arguments.of("zero of a resource the node does not offer", res("cpu", 1000, "fpga.intel.com/region-695", 0), used(),
                        null),
                Arguments.of("the node's pod slots are full (110 by default)", res("cpu", 1), used("pods", 110),
                        "Insufficient pods"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void reject(String name, Resources requests, long[] used, String reason) {
        assertThat(ResourcesFilter.INSTANCE.reject(NodeAsk.of(pod("p", requests)), state(node("n", NODE)), used)).isEqualTo(reason);
    }

    @org.junit.jupiter.api.Test
    void aUsageArrayShorterThanTheIdsCountsAsNothingUsed() {
        assertThat(ResourcesFilter.INSTANCE.reject(NodeAsk.of(pod("p", res("nvidia.com/gpu", 2))), state(node("n", NODE)), new long[1]))
                .isNull();
    }
}
