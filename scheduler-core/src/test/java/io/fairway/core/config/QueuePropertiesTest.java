package io.fairway.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fairway.core.resources.Resources;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Property inheritance, Go durations and ACL reading. */
class QueuePropertiesTest {

    private static QueueConfig queue(String name, Map<String, String> properties) {
        return new QueueConfig(name, false, Resources.NONE, Resources.NONE, 0, properties, Acl.NOT_SET, Acl.NOT_SET,
                ChildTemplate.NONE, List.of(), List.of());
    }

    @Test
    void nearestValueWins() {
        QueueConfig root = queue("root", Map.of("application.sort.policy", "fair", "x", "root"));
        QueueConfig mid = queue("mid", Map.of("x", "mid"));
        QueueConfig leaf = queue("leaf", Map.of());
        List<QueueConfig> path = List.of(root, mid, leaf);
        assertThat(QueueProperties.effective(path, "x")).isEqualTo("mid");
        assertThat(QueueProperties.effective(path, QueueProperties.APPLICATION_SORT_POLICY)).isEqualTo("fair");
        assertThat(QueueProperties.effective(path, "absent")).isNull();
        assertThat(QueueProperties.effective(List.of(root, mid), "x")).isEqualTo("mid");
    }

    @Test
    void fencesOffsetsAndNonDisabledPreemptionPoliciesDoNotPassDown() {
        QueueConfig parent = queue("p", Map.of("priority.policy", "fence", "priority.offset", "100",
                "preemption.policy", "fence", "preemption.delay", "5s"));
        List<QueueConfig> path = List.of(parent, queue("c", Map.of()));
        assertThat(QueueProperties.effective(path, QueueProperties.PRIORITY_POLICY)).isEqualTo("default");
        assertThat(QueueProperties.effective(path, QueueProperties.PRIORITY_OFFSET)).isEqualTo("0");
        assertThat(QueueProperties.effective(path, QueueProperties.PREEMPTION_POLICY)).isEqualTo("default");
        assertThat(QueueProperties.effective(path, QueueProperties.PREEMPTION_DELAY)).isEqualTo("5s");
        List<QueueConfig> disabled = List.of(queue("p", Map.of("preemption.policy", "disabled")), queue("c", Map.of()));
        assertThat(QueueProperties.effective(disabled, QueueProperties.PREEMPTION_POLICY)).isEqualTo("disabled");
    }

    @ParameterizedTest
    @CsvSource({
            "0, 0",
            "10s, 10000000000",
            "1m30s, 90000000000",
            "500ms, 500000000",
            "1.5h, 5400000000000",
            "2us, 2000",
            "+3ns, 3",
            "-1s, -1000000000",
            ".5s, 500000000"})
    void goDurations(String text, long nanos) {
        assertThat(GoDuration.parse(text)).isEqualTo(Duration.ofNanos(nanos));
    }

    @Test
    void goDurationMicroSigns() {
        assertThat(GoDuration.parse("7\u00b5s")).isEqualTo(Duration.ofNanos(7000));
        assertThat(GoDuration.parse("7\u03bcs")).isEqualTo(Duration.ofNanos(7000));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "10", "s", "1d", "1 s", "1.s.", "10S", "9999999999h"})
    void notGoDurations(String text) {
        assertThatThrownBy(() -> GoDuration.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + text + "'");
    }

    @Test
    void aclForms() {
        Acl groupsOnly = Acl.parse(" sandbox");
        assertThat(groupsOnly.users()).isEmpty();
        assertThat(groupsOnly.groups()).containsExactly("sandbox");

        Acl both = Acl.parse("alice,bob dev,ops");
        assertThat(both.users()).containsExactlyInAnyOrder("alice", "bob");
        assertThat(both.groups()).containsExactlyInAnyOrder("dev", "ops");
        assertThat(both.allows("bob", List.of())).isTrue();
        assertThat(both.allows("carol", List.of("ops"))).isTrue();
        assertThat(both.allows("carol", List.of("qa"))).isFalse();

        assertThat(Acl.parse("*").everyone()).isTrue();
        assertThat(Acl.parse(" *").everyone()).isTrue();
        assertThat(Acl.parse("alice,* dev").everyone()).isFalse();

        Acl nobody = Acl.parse("");
        assertThat(nobody.isSet()).isTrue();
        assertThat(nobody.allows("alice", List.of("dev"))).isFalse();
        assertThat(Acl.parse(null)).isSameAs(Acl.NOT_SET);
    }
}
