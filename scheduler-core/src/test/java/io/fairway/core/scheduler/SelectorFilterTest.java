package io.fairway.core.scheduler;

import static io.fairway.core.scheduler.Fixtures.node;
import static io.fairway.core.scheduler.Fixtures.pod;
import static io.fairway.core.scheduler.Fixtures.res;
import static io.fairway.core.scheduler.Fixtures.state;
import static io.fairway.core.scheduler.Fixtures.used;
import static org.assertj.core.api.Assertions.assertThat;

import io.fairway.core.objects.NodeAffinity;
import io.fairway.core.objects.NodeSelectorRequirement;
import io.fairway.core.objects.NodeSelectorRequirement.Operator;
import io.fairway.core.objects.SchedulingHints;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SelectorFilterTest {
    static final String NO = "node(s) didn't match Pod's node affinity/selector";
    static final Map<String, String> LABELS = Map.of("zone", "a", "disk", "ssd");

    static NodeAffinity affinity(List<List<NodeSelectorRequirement>> terms) {
        return new NodeAffinity(terms);
    }

    static NodeSelectorRequirement req(String key, Operator op, String... values) {
        return new NodeSelectorRequirement(key, op, List.of(values));
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("nothing asked", Map.of(), NodeAffinity.NONE, null),
                Arguments.of("selector matches", Map.of("zone", "a"), NodeAffinity.NONE, null),
                Arguments.of("selector matches every key", Map.of("zone", "a", "disk", "ssd"), NodeAffinity.NONE, null),
                Arguments.of("selector value differs", Map.of("zone", "b"), NodeAffinity.NONE, NO),
                Arguments.of("selector key missing", Map.of("gpu", "yes"), NodeAffinity.NONE, NO),
                Arguments.of("affinity In", Map.of(), affinity(List.of(List.of(req("zone", Operator.In, "a", "b")))), null),
                Arguments.of("affinity NotIn", Map.of(), affinity(List.of(List.of(req("zone", Operator.NotIn, "a")))), NO),
                Arguments.of("affinity Exists", Map.of(), affinity(List.of(List.of(req("disk", Operator.Exists)))), null),
                Arguments.of("affinity DoesNotExist", Map.of(), affinity(List.of(List.of(req("disk", Operator.DoesNotExist)))),
                        NO),
                Arguments.of("affinity terms are ORed", Map.of(), affinity(List.of(
                        List.of(req("zone", Operator.In, "b")), List.of(req("disk", Operator.In, "ssd")))), null),
                Arguments.of("a term's requirements are ANDed", Map.of(), affinity(List.of(
                        List.of(req("zone", Operator.In, "a"), req("disk", Operator.In, "hdd")))), NO),
                Arguments.of("selector passes, affinity fails", Map.of("zone", "a"),
                        affinity(List.of(List.of(req("zone", Operator.In, "b")))), NO),
                Arguments.of("a topology domain (selector on its label)", Map.of("zone", "a"), NodeAffinity.NONE, null),
                Arguments.of("another topology domain", Map.of("zone", "c"), NodeAffinity.NONE, NO));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void reject(String name, Map<String, String> selector, NodeAffinity affinity, String reason) {
        var n = state(node("n", res("cpu", 4000), LABELS, List.of(), false, true));
        var p = pod("p", res("cpu", 1000), selector, affinity, List.of(), SchedulingHints.NONE);
        assertThat(SelectorFilter.INSTANCE.reject(NodeAsk.of(p), n, used())).isEqualTo(reason);
    }
}
