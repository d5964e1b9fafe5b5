package io.fairway.core.scheduler;

import static io.fairway.core.scheduler.Fixtures.node;
import static io.fairway.core.scheduler.Fixtures.pod;
import static io.fairway.core.scheduler.Fixtures.res;
import static io.fairway.core.scheduler.Fixtures.state;
import static org.assertj.core.api.Assertions.assertThat;

import io.fairway.core.objects.GangSpec;
import io.fairway.core.objects.NodeAffinity;
import io.fairway.core.objects.Pod;
import io.fairway.core.objects.SchedulingHints;
import io.fairway.core.objects.Topology;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class FpgaProgrammedTest {
    static final String REGION = "fpga.intel.com/region-695";
    static final String AF = "fpga.intel.com/af-695.d84";

    static Pod fpgaPod(String function, long regions) {
        return pod("p", res("cpu", 1000, REGION, regions), Map.of(), NodeAffinity.NONE, List.of(),
                new SchedulingHints("", GangSpec.NONE, Topology.NONE, function));
    }

    static NodeIndex.Entry entry(long programmed, Map<String, Long> inUse) {
        NodeIndex.Entry e = new NodeIndex.Entry("n");
        e.state = state(node("n", res("cpu", 8000, REGION, 4, AF, programmed)));
        e.fpgaUsed = inUse;
        return e;
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("programmed and free", 1L, 2L, Map.of(), true),
                Arguments.of("programmed on exactly as many as asked", 2L, 2L, Map.of(), true),
                Arguments.of("programmed on fewer than asked", 2L, 1L, Map.of(), false),
                Arguments.of("not programmed", 1L, 0L, Map.of(), false),
                Arguments.of("programmed but in use by its pods", 1L, 2L, Map.of("695.d84", 2L), false),
                Arguments.of("programmed, one of two in use", 1L, 2L, Map.of("695.d84", 1L), true),
                Arguments.of("another function in use does not count", 1L, 1L, Map.of("695.abc", 1L), true),
                Arguments.of("no regions asked: still one programmed wanted", 0L, 1L, Map.of(), true),
                Arguments.of("no regions asked, none programmed", 0L, 0L, Map.of(), false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void prefers(String name, long asked, long programmed, Map<String, Long> inUse, boolean prefers) {
        assertThat(FpgaProgrammed.INSTANCE.prefers(NodeAsk.of(fpgaPod("695.d84", asked)), entry(programmed, inUse))).isEqualTo(prefers);
    }

    @Test
    void appliesOnlyToPodsThatNameAFunction() {
        assertThat(FpgaProgrammed.INSTANCE.applies(NodeAsk.of(fpgaPod("695.d84", 1)))).isTrue();
        assertThat(FpgaProgrammed.INSTANCE.applies(NodeAsk.of(fpgaPod("", 1)))).isFalse();
        assertThat(FpgaProgrammed.INSTANCE.applies(NodeAsk.of(pod("q", res("cpu", 1000))))).isFalse();
    }
}
