package io.fairway.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fairway.core.objects.Node;
import io.fairway.core.objects.NodeSelectorRequirement;
import io.fairway.core.objects.Pod;
import io.fairway.core.objects.PodPhase;
import io.fairway.core.objects.Taint;
import io.fairway.core.objects.Toleration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class KubeObjectsTest {
    private static Map<String, Quantity> q(String... kv) {
        Map<String, Quantity> m = new TreeMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], new Quantity(kv[i + 1]));
        }
        return m;
    }

    @Test
    void aSparkExecutorBecomesAnAskOfItsAppAndQueue() {
        var k = new PodBuilder()
                .withNewMetadata().withName("exec-1").withNamespace("team-a").withUid("u-1").withResourceVersion("42")
                    .withCreationTimestamp("2026-11-22T08:00:00Z")
                    .withLabels(Map.of("spark-app-selector", "spark-7", "spark-role", "executor", "queue", "root.a"))
                    .withAnnotations(Map.of("yunikorn.apache.org/user.info", "{\"user\":\"alice\",\"groups\":[\"ml\"]}"))
                .endMetadata()
                .withNewSpec().withSchedulerName("fairway").withPriorityClassName("high")
                    .addNewContainer().withName("a").withNewResources().withRequests(q("cpu", "500m", "memory", "1Gi"))
                        .endResources().endContainer()
                    .addNewContainer().withName("b").withNewResources().withLimits(q("cpu", "1", "nvidia.com/gpu", "1"))
                        .endResources().endContainer()
                    .addNewInitContainer().withName("init").withNewResources().withRequests(q("cpu", "2", "memory", "512Mi"))
                        .endResources().endInitContainer()
                    .withOverhead(q("memory", "64Mi"))
                    .withNodeSelector(Map.of("zone", "z1"))
                    .addNewToleration().withKey("nvidia.com/gpu").withOperator("Exists").withEffect("NoSchedule").endToleration()
                    .withNewAffinity().withNewNodeAffinity().withNewRequiredDuringSchedulingIgnoredDuringExecution()
                        .addNewNodeSelectorTerm().addNewMatchExpression().withKey("gpu").withOperator("In")
                            .withValues("a100", "h100").endMatchExpression()
                        .addNewMatchField().withKey("metadata.name").withOperator("In").withValues("n1").endMatchField()
                        .endNodeSelectorTerm()
                    .endRequiredDuringSchedulingIgnoredDuringExecution().endNodeAffinity().endAffinity()
                .endSpec()
                .build();
        Pod p = KubeObjects.pod(k, name -> name.equals("high") ? 1000 : -1, ns -> null);
        assertThat(p.uid()).isEqualTo("u-1");
        assertThat(p.key()).isEqualTo("team-a/exec-1");
        assertThat(p.appId()).isEqualTo("spark-7");
        assertThat(p.queue()).isEqualTo("root.a");
        assertThat(p.user()).isEqualTo("alice");
        assertThat(p.groups()).containsExactly("ml");
        // containers: cpu 0.5 + 1 (limit as request) = 1.5 < init 2 → 2; memory 1Gi + 64Mi overhead; gpu 1
        assertThat(p.requests().get("cpu")).isEqualTo(2000);
        assertThat(p.requests().get("memory")).isEqualTo((1L << 30) + (64L << 20));
        assertThat(p.requests().get("nvidia.com/gpu")).isEqualTo(1);
        assertThat(p.requests().get("pods")).isEqualTo(1);
        assertThat(p.priority()).isEqualTo(1000);
        assertThat(p.nodeSelector()).containsEntry("zone", "z1");
        assertThat(p.tolerations()).containsExactly(new Toleration("nvidia.com/gpu", "Exists", "", "NoSchedule"));
        assertThat(p.affinity().terms()).singleElement().satisfies(t -> assertThat(t).containsExactly(
                new NodeSelectorRequirement("gpu", NodeSelectorRequirement.Operator.In, List.of("a100", "h100")),
                new NodeSelectorRequirement("kubernetes.io/hostname", NodeSelectorRequirement.Operator.In, List.of("n1"))));
        assertThat(p.schedulerName()).isEqualTo("fairway");
        assertThat(p.phase()).isEqualTo(PodPhase.Pending);
        assertThat(p.isBound()).isFalse();
        assertThat(p.creationTime()).isEqualTo(Instant.parse("2026-11-22T08:00:00Z").toEpochMilli());
        assertThat(p.resourceVersion()).isEqualTo("42");
    }

    @Test
    void aPodWithoutLabelsGoesToItsNamespacesAutoAppAndKeepsItsPhaseAndNode() {
        var k = new PodBuilder().withNewMetadata().withName("x").withNamespace("ns").withUid("u").endMetadata()
                .withNewSpec().withNodeName("n3").endSpec().withNewStatus().withPhase("Running").endStatus().build();
        Pod p = KubeObjects.pod(k, n -> -1, ns -> null);
        assertThat(p.appId()).isEqualTo("yunikorn-ns-autogen");
        assertThat(p.schedulerName()).isEqualTo("default-scheduler");
        assertThat(p.nodeName()).isEqualTo("n3");
        assertThat(p.phase()).isEqualTo(PodPhase.Running);
        assertThat(p.priority()).isZero();
    }

    @Test
    void aBadQuantityNamesThePodTheContainerAndTheValue() {
        var k = new PodBuilder().withNewMetadata().withName("x").withNamespace("ns").withUid("u").endMetadata()
                .withNewSpec().addNewContainer().withName("main").withNewResources()
                .withRequests(Map.of("cpu", new Quantity("lots"))).endResources().endContainer().endSpec().build();
        assertThatThrownBy(() -> KubeObjects.pod(k, n -> -1, ns -> null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("pod ns/x container main request cpu 'lots' is not a quantity");
    }

    private static io.fabric8.kubernetes.api.model.Pod podIn(String ns, Map<String, String> annotations) {
        return new PodBuilder().withNewMetadata().withName("p").withNamespace(ns).withUid("u")
                .withAnnotations(annotations).endMetadata().withNewSpec().endSpec().build();
    }

    private static final Map<String, NamespaceDefaults> TEAMS = Map.of("team-a",
            NamespaceDefaults.of(Map.of(NamespaceDefaults.USER_ANNOTATION, "team-a-bot",
                    NamespaceDefaults.GROUPS_ANNOTATION, "ml,dev")));

    @Test
    void aPodsOwnUserInfoWinsOverItsNamespacesDefault() {
        Pod p = KubeObjects.pod(podIn("team-a", Map.of("yunikorn.apache.org/user.info",
                "{\"user\":\"alice\",\"groups\":[\"analysts\"]}")), n -> -1, TEAMS::get);
        assertThat(p.user()).isEqualTo("alice");
        assertThat(p.groups()).containsExactly("analysts");
    }

    @Test
    void aPodWithoutUserInfoRunsAsItsNamespacesDefaultUserAndGroups() {
        Pod p = KubeObjects.pod(podIn("team-a", Map.of()), n -> -1, TEAMS::get);
        assertThat(p.user()).isEqualTo("team-a-bot");
        assertThat(p.groups()).containsExactly("ml", "dev");
        // a blank annotation is no annotation
        assertThat(KubeObjects.pod(podIn("team-a", Map.of("yunikorn.apache.org/user.info", " ")), n -> -1,
                TEAMS::get).user()).isEqualTo("team-a-bot");
    }

    @Test
    void anUnreadableUserInfoIsReadAsNoneAndNamedForTheWarning() {
        var k = podIn("team-a", Map.of("yunikorn.apache.org/user.info", "{unclosed"));
        Pod p = KubeObjects.pod(k, n -> -1, TEAMS::get);
        assertThat(p.user()).isEqualTo("team-a-bot");
        assertThat(p.groups()).containsExactly("ml", "dev");
        assertThat(KubeObjects.unreadableUserInfo(k)).isEqualTo("{unclosed");
        assertThat(KubeObjects.unreadableUserInfo(podIn("team-a",
                Map.of("yunikorn.apache.org/user.info", "{\"user\": [\"not\", \"a name\"]}")))).isNotNull();
        assertThat(KubeObjects.unreadableUserInfo(podIn("team-a",
                Map.of("yunikorn.apache.org/user.info", "{\"user\":\"alice\"}")))).isNull();
        assertThat(KubeObjects.unreadableUserInfo(podIn("team-a", Map.of()))).isNull();
    }

    @Test
    void namespaceGroupsAreTrimmedAndEmptyEntriesDropped() {
        NamespaceDefaults d = NamespaceDefaults.of(Map.of(NamespaceDefaults.USER_ANNOTATION, "  svc  ",
                NamespaceDefaults.GROUPS_ANNOTATION, " ml , dev,, ml ,"));
        assertThat(d).isEqualTo(new NamespaceDefaults("svc", List.of("ml", "dev")));
        // groups without a user: still the groups, the user stays YuniKorn's "nobody"
        assertThat(NamespaceDefaults.of(Map.of(NamespaceDefaults.GROUPS_ANNOTATION, "ops")))
                .isEqualTo(new NamespaceDefaults("nobody", List.of("ops")));
        assertThat(NamespaceDefaults.of(Map.of(NamespaceDefaults.USER_ANNOTATION, "svc")))
                .isEqualTo(new NamespaceDefaults("svc", List.of()));
    }

    @Test
    void withNeitherUserInfoNorANamespaceDefaultThePodIsNobody() {
        assertThat(NamespaceDefaults.of(Map.of(NamespaceDefaults.USER_ANNOTATION, " ",
                NamespaceDefaults.GROUPS_ANNOTATION, " , "))).isNull();
        assertThat(NamespaceDefaults.of(Map.of("other", "x"))).isNull();
        assertThat(NamespaceDefaults.of(null)).isNull();
        // another namespace's default is not this one's; an unknown namespace (not listed yet) gives none
        Pod p = KubeObjects.pod(podIn("team-b", Map.of()), n -> -1, TEAMS::get);
        assertThat(p.user()).isEqualTo("nobody");
        assertThat(p.groups()).isEmpty();
    }

    @Test
    void aNodeIsItsAllocatableLabelsTaintsAndReadiness() {
        var k = new NodeBuilder().withNewMetadata().withName("gpu-1").withResourceVersion("7")
                    .withLabels(Map.of("zone", "z2")).endMetadata()
                .withNewSpec().addNewTaint().withKey("nvidia.com/gpu").withValue("present").withEffect("NoSchedule")
                    .endTaint().endSpec()
                .withNewStatus().withCapacity(q("cpu", "64", "memory", "256Gi", "nvidia.com/gpu", "8", "pods", "110"))
                    .withAllocatable(q("cpu", "63", "memory", "250Gi", "nvidia.com/gpu", "8", "pods", "110"))
                    .addNewCondition().withType("Ready").withStatus("True").endCondition()
                .endStatus().build();
        Node n = KubeObjects.node(k);
        assertThat(n.name()).isEqualTo("gpu-1");
        assertThat(n.allocatable().get("cpu")).isEqualTo(63_000);
        assertThat(n.capacity().get("cpu")).isEqualTo(64_000);
        assertThat(n.allocatable().get("nvidia.com/gpu")).isEqualTo(8);
        assertThat(n.labels()).containsEntry("zone", "z2").containsEntry("kubernetes.io/hostname", "gpu-1");
        assertThat(n.taints()).containsExactly(new Taint("nvidia.com/gpu", "present", "NoSchedule"));
        assertThat(n.ready()).isTrue();
        assertThat(n.unschedulable()).isFalse();
        assertThat(n.resourceVersion()).isEqualTo("7");

        var notReady = new NodeBuilder().withNewMetadata().withName("n").endMetadata()
                .withNewSpec().withUnschedulable(true).endSpec()
                .withNewStatus().withCapacity(q("cpu", "4")).endStatus().build();
        Node m = KubeObjects.node(notReady);
        assertThat(m.ready()).as("no Ready condition: not ready").isFalse();
        assertThat(m.unschedulable()).isTrue();
        assertThat(m.allocatable().get("cpu")).as("allocatable defaults to capacity").isEqualTo(4000);
    }

    @Test
    void timestampsReadAsTheGeneralParserReadsThem() {
        Random r = new Random(7);
        for (int i = 0; i < 5_000; i++) {
            Instant t = Instant.ofEpochSecond(r.nextLong(0, 4_102_444_800L));
            assertThat(KubeObjects.millis(t.toString())).as(t.toString()).isEqualTo(t.toEpochMilli());
        }
        assertThat(KubeObjects.millis("2024-02-29T23:59:59Z")).isEqualTo(1_709_251_199_000L);
        assertThat(KubeObjects.millis("2026-11-22T12:00:00.250Z")).isEqualTo(1_795_348_800_250L);
        assertThat(KubeObjects.millis("2026-02-30T00:00:00Z")).isZero();
        assertThat(KubeObjects.millis("2026-1x-22T12:00:00Z")).isZero();
        assertThat(KubeObjects.millis("")).isZero();
    }
}
