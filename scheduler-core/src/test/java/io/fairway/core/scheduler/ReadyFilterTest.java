package io.fairway.core.scheduler;

import static io.fairway.core.scheduler.Fixtures.node;
import static io.fairway.core.scheduler.Fixtures.pod;
import static io.fairway.core.scheduler.Fixtures.res;
import static io.fairway.core.scheduler.Fixtures.state;
import static io.fairway.core.scheduler.Fixtures.used;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ReadyFilterTest {
    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("ready and schedulable", true, false, null),
                Arguments.of("not ready", false, false, "node(s) were not ready"),
                Arguments.of("cordoned", true, true, "node(s) were unschedulable"),
                Arguments.of("not ready and cordoned: readiness first", false, true, "node(s) were not ready"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void reject(String name, boolean ready, boolean unschedulable, String reason) {
        var n = state(node("n", res("cpu", 4000), Map.of(), List.of(), unschedulable, ready));
        assertThat(ReadyFilter.INSTANCE.reject(NodeAsk.of(pod("p", res("cpu", 1000))), n, used())).isEqualTo(reason);
    }
}
