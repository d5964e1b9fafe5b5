package io.fairway.core.scheduler;

import static io.fairway.core.scheduler.Fixtures.node;
import static io.fairway.core.scheduler.Fixtures.pod;
import static io.fairway.core.scheduler.Fixtures.res;
import static io.fairway.core.scheduler.Fixtures.state;
import static io.fairway.core.scheduler.Fixtures.used;
import static org.assertj.core.api.Assertions.assertThat;

import io.fairway.core.objects.NodeAffinity;
import io.fairway.core.objects.SchedulingHints;
import io.fairway.core.objects.Taint;
import io.fairway.core.objects.Toleration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TaintFilterTest {
    static final Taint GPU = new Taint("gpu", "true", "NoSchedule");
    static final Taint DEDICATED = new Taint("dedicated", "", "NoExecute");
    static final Taint SOFT = new Taint("soft", "x", "PreferNoSchedule");

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("no taints", List.of(), List.of(), null),
                Arguments.of("NoSchedule, not tolerated", List.of(GPU), List.of(),
                        "node(s) had untolerated taint {gpu: true}"),
                Arguments.of("NoExecute without value, not tolerated", List.of(DEDICATED), List.of(),
                        "node(s) had untolerated taint {dedicated}"),
                Arguments.of("PreferNoSchedule only prefers", List.of(SOFT), List.of(), null),
                Arguments.of("tolerated by key Exists", List.of(GPU), List.of(new Toleration("gpu", "Exists", "", "")), null),
                Arguments.of("tolerated by key Equal value", List.of(GPU),
                        List.of(new Toleration("gpu", "Equal", "true", "NoSchedule")), null),
                Arguments.of("Equal with another value", List.of(GPU), List.of(new Toleration("gpu", "Equal", "false", "")),
                        "node(s) had untolerated taint {gpu: true}"),
                Arguments.of("empty key Exists tolerates all", List.of(GPU, DEDICATED),
                        List.of(new Toleration("", "Exists", "", "")), null),
                Arguments.of("other effect", List.of(GPU), List.of(new Toleration("gpu", "Exists", "", "NoExecute")),
                        "node(s) had untolerated taint {gpu: true}"),
                Arguments.of("first tolerated, second not: names the second", List.of(GPU, DEDICATED),
                        List.of(new Toleration("gpu", "Exists", "", "")), "node(s) had untolerated taint {dedicated}"),
                Arguments.of("two untolerated: names the node's first", List.of(DEDICATED, GPU), List.of(),
                        "node(s) had untolerated taint {dedicated}"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void reject(String name, List<Taint> taints, List<Toleration> tolerations, String reason) {
        var n = state(node("n", res("cpu", 4000), Map.of(), taints, false, true));
        var p = pod("p", res("cpu", 1000), Map.of(), NodeAffinity.NONE, tolerations, SchedulingHints.NONE);
        assertThat(TaintFilter.INSTANCE.reject(NodeAsk.of(p), n, used())).isEqualTo(reason);
    }
}
