package io.fairway.core.objects;

import static org.assertj.core.api.Assertions.assertThat;

import io.fairway.core.resources.Resources;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GangAnnotationsTest {
    /** The example of YuniKorn's gang scheduling documentation, as users paste it. */
    static final String YUNIKORN_EXAMPLE = """
            [{
                "name": "task-group-example",
                "minMember": 2,
                "minResource": {
                  "cpu": "100m",
                  "memory": "50M"
                },
                "nodeSelector": {},
                "tolerations": [],
                "affinity": {},
                "topologySpreadConstraints": []
            }]""";

    @Test
    void readsYuniKornsDocumentedExample() {
        SchedulingHints h = GangAnnotations.hints(Map.of(
                GangAnnotations.TASK_GROUP_NAME, "task-group-example",
                GangAnnotations.TASK_GROUPS, YUNIKORN_EXAMPLE,
                GangAnnotations.POLICY_PARAMETERS, "placeholderTimeoutInSeconds=30 gangSchedulingStyle=Hard"));
        assertThat(h.taskGroup()).isEqualTo("task-group-example");
        GangSpec g = h.gang();
        assertThat(g.isGang()).isTrue();
        assertThat(g.style()).isEqualTo(GangSpec.Style.HARD);
        assertThat(g.timeoutMillis()).isEqualTo(30_000);
        assertThat(g.groups()).singleElement().satisfies(t -> {
            assertThat(t.name()).isEqualTo("task-group-example");
            assertThat(t.minMember()).isEqualTo(2);
            assertThat(t.minResource()).isEqualTo(Resources.builder().set("cpu", 100).set("memory", 50_000_000).build());
        });
        assertThat(g.total()).isEqualTo(Resources.builder().set("cpu", 200).set("memory", 100_000_000).build());
    }

    @Test
    void readsGroupPredicatesAndDefaults() {
        SchedulingHints h = GangAnnotations.hints(Map.of(GangAnnotations.TASK_GROUPS, """
                [{"name":"exec","minMember":3,"minResource":{"cpu":"2","nvidia.com/gpu":"1"},
                  "nodeSelector":{"pool":"gpu"},
                  "tolerations":[{"key":"nvidia.com/gpu","operator":"Exists","effect":"NoSchedule"}],
                  "affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":
                    [{"matchExpressions":[{"key":"zone","operator":"In","values":["a","b"]}]}]}}}}]"""));
        TaskGroup t = h.gang().groups().getFirst();
        assertThat(t.nodeSelector()).containsExactly(Map.entry("pool", "gpu"));
        assertThat(t.tolerations()).containsExactly(new Toleration("nvidia.com/gpu", "Exists", "", "NoSchedule"));
        assertThat(t.affinity().matches(Map.of("zone", "b"))).isTrue();
        assertThat(t.affinity().matches(Map.of("zone", "c"))).isFalse();
        assertThat(h.gang().style()).isEqualTo(GangSpec.Style.SOFT);
        assertThat(h.gang().timeoutMillis()).isEqualTo(GangSpec.DEFAULT_TIMEOUT_MILLIS);
        assertThat(h.taskGroup()).isEmpty();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "[{\"name\":\"a\",\"minMember\":2,                                | is not valid JSON",
            "{\"name\":\"a\"}                                                 | must be a JSON array of task groups, not an object",
            "[]                                                               | lists no task group",
            "[{\"minMember\":1,\"minResource\":{\"cpu\":\"1\"}}]              | [0] has no name",
            "[{\"name\":\"a\",\"minMember\":0,\"minResource\":{\"cpu\":\"1\"}}] | group 'a': minMember 0 must be a whole number, 1 or more",
            "[{\"name\":\"a\",\"minMember\":\"2\",\"minResource\":{\"cpu\":\"1\"}}] | group 'a': minMember '2' must be a whole number",
            "[{\"name\":\"a\",\"minMember\":1,\"minResource\":{\"cpu\":\"-1\"}}] | group 'a': minResource cpu '-1'",
            "[{\"name\":\"a\",\"minMember\":1,\"minResource\":{\"cpu\":\"x\"}}] | group 'a': minResource cpu 'x'",
            "[{\"name\":\"a\",\"minMember\":1,\"minResource\":{}}]            | group 'a': minResource is empty",
            "[{\"name\":\"a\",\"minMember\":1,\"minResource\":{\"cpu\":\"1\"}},{\"name\":\"a\",\"minMember\":1,\"minResource\":{\"cpu\":\"1\"}}] | group 'a' is listed twice",
            "[{\"name\":\"a\",\"minMember\":1,\"minResource\":{\"cpu\":\"1\"},\"tolerations\":[{\"operator\":\"Maybe\"}]}] | toleration operator 'Maybe' must be Equal or Exists",
    })
    void namesWhatIsWrongAndIsNoGang(String taskGroups, String problem) {
        GangSpec g = GangAnnotations.hints(Map.of(GangAnnotations.TASK_GROUPS, taskGroups)).gang();
        assertThat(g.isGang()).isFalse();
        assertThat(g.isNone()).isFalse();
        assertThat(g.problem()).startsWith("annotation yunikorn.apache.org/task-groups").contains(problem.trim());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "placeholderTimeoutInSeconds=0     | placeholderTimeoutInSeconds '0' must be a whole number of seconds above 0",
            "placeholderTimeoutInSeconds=soon  | placeholderTimeoutInSeconds 'soon'",
            "gangSchedulingStyle=Strict        | gangSchedulingStyle 'Strict' must be Soft or Hard",
    })
    void badPolicyParametersAreNamed(String parameters, String problem) {
        GangSpec g = GangAnnotations.gang("[{\"name\":\"a\",\"minMember\":1,\"minResource\":{\"cpu\":\"1\"}}]", parameters);
        assertThat(g.isGang()).isFalse();
        assertThat(g.problem()).contains("yunikorn.apache.org/schedulingPolicyParameters").contains(problem.trim());
    }

    @Test
    void unknownPolicyParametersAreIgnoredAsYuniKornDoes() {
        GangSpec g = GangAnnotations.gang("[{\"name\":\"a\",\"minMember\":1,\"minResource\":{\"cpu\":\"1\"}}]",
                "  gangSchedulingStyle=soft   futureKnob=7 ");
        assertThat(g.isGang()).isTrue();
        assertThat(g.style()).isEqualTo(GangSpec.Style.SOFT);
    }

    @Test
    void topologyAndFpgaHints() {
        SchedulingHints h = GangAnnotations.hints(Map.of(GangAnnotations.TOPOLOGY_DOMAIN, "nvidia.com/gpu.clique",
                GangAnnotations.TOPOLOGY_MODE, "Preferred", GangAnnotations.FPGA_FUNCTION, "695.d84"));
        assertThat(h.topology()).isEqualTo(new Topology("nvidia.com/gpu.clique", false));
        assertThat(h.fpgaFunction()).isEqualTo("695.d84");
        assertThat(h.fpgaInterface()).isEqualTo("695");
        assertThat(h.gang().isNone()).isTrue();
        assertThat(GangAnnotations.hints(Map.of(GangAnnotations.TOPOLOGY_DOMAIN, "zone")).topology().required()).isTrue();
        assertThat(GangAnnotations.hints(Map.of(GangAnnotations.TOPOLOGY_DOMAIN, "zone",
                GangAnnotations.TOPOLOGY_MODE, "sometimes")).gang().problem())
                .contains("fairway.io/topology-mode: 'sometimes' is not required or preferred");
    }

    @Test
    void podsWithoutTheseAnnotationsShareTheEmptyHints() {
        assertThat(GangAnnotations.hints(Map.of("app", "x"))).isSameAs(SchedulingHints.NONE);
        assertThat(Fpga.region("695")).isEqualTo("fpga.intel.com/region-695");
        assertThat(Fpga.function("695.d84")).isEqualTo("fpga.intel.com/af-695.d84");
        assertThat(List.of(new TaskGroup("a", 2, Resources.of("cpu", 500), Map.of(), List.of(), null).total()))
                .containsExactly(Resources.of("cpu", 1000));
    }
}
