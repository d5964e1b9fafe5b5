package io.fairway.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.fairway.core.resources.Resources;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** YuniKorn's own example configs (copied verbatim from upstream) load, with the values they say. */
class QueueConfigFixturesTest {
    private static final long G = 1_000_000_000L;
    private static final long MI = 1L << 20;

    static String fixture(String name) {
        try (InputStream in = QueueConfigFixturesTest.class.getResourceAsStream("/yunikorn/" + name)) {
            assertThat(in).as("fixture %s on the test classpath", name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static QueueConfig child(QueueConfig parent, String name) {
        return parent.queues().stream().filter(q -> q.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no child " + name + " under " + parent.name()));
    }

    /** The queues from root down to the named one, e.g. {@code path(root, "a", "b")} = [root, a, b]. */
    static List<QueueConfig> path(QueueConfig root, String... names) {
        List<QueueConfig> out = new ArrayList<>(List.of(root));
        for (String n : names) {
            out.add(child(out.getLast(), n));
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "01-core-reference-queues.yaml",
            "02-core-user-group-limits.yaml",
            "03-k8shim-preemption-fence-priority-configmap.yaml",
            "04-k8shim-placement-rules-filters-configmap.yaml",
            "05-k8shim-guaranteed-max-acl-configmap.yaml",
            "06-k8shim-e2e-quota-preemption-configmap.yaml"})
    void everyUpstreamExampleLoads(String name) {
        SchedulerConfig config = QueueConfigParser.parse(fixture(name));
        assertThat(config.partitions()).isNotEmpty();
        assertThat(config.defaultPartition().root().name()).isEqualTo("root");
        assertThat(config.defaultPartition().root().isParent()).isTrue();
    }

    @Test
    void referenceConfigDefaultPartition() {
        SchedulerConfig config = QueueConfigParser.parse(fixture("01-core-reference-queues.yaml"));
        assertThat(config.partitions()).extracting(PartitionConfig::name).containsExactly("default", "gpu");

        PartitionConfig p = config.partition("default").orElseThrow();
        assertThat(p.nodeSortPolicy().type()).isEqualTo(NodeSortPolicy.Type.BINPACKING);
        assertThat(p.nodeSortPolicy().resourceWeights()).isEqualTo(NodeSortPolicy.DEFAULT_WEIGHTS);
        assertThat(p.preemption()).isEqualTo(PreemptionConfig.DEFAULT);

        QueueConfig root = p.root();
        assertThat(root.queues()).extracting(QueueConfig::name).containsExactly("advertisement", "search", "sandbox");
        QueueConfig ads = child(root, "advertisement");
        assertThat(ads.guaranteed().get("memory")).isEqualTo(500 * G);
        assertThat(ads.guaranteed().get("cpu")).isEqualTo(50_000L);
        assertThat(ads.max().get("memory")).isEqualTo(800 * G);
        assertThat(ads.max().get("cpu")).isEqualTo(80_000L);
        assertThat(ads.isParent()).isFalse();

        QueueConfig sandbox = child(root, "sandbox");
        assertThat(sandbox.isParent()).isTrue();
        assertThat(sandbox.queues()).isEmpty();
        // " sandbox": no users, the group sandbox
        assertThat(sandbox.submitAcl().users()).isEmpty();
        assertThat(sandbox.submitAcl().groups()).containsExactly("sandbox");
        assertThat(sandbox.submitAcl().everyone()).isFalse();
        assertThat(sandbox.submitAcl().allows("alice", List.of("sandbox"))).isTrue();
        assertThat(sandbox.submitAcl().allows("sandbox", List.of("dev"))).isFalse();
        assertThat(sandbox.adminAcl().isSet()).isFalse();

        assertThat(p.placementRules()).hasSize(2);
        PlacementRule user = p.placementRules().get(0);
        assertThat(user.name()).isEqualTo("user");
        assertThat(user.create()).isTrue();
        assertThat(user.parent().name()).isEqualTo("provided");
        assertThat(user.parent().create()).isFalse();
        assertThat(user.filter().allow()).isTrue();
        assertThat(user.filter().groups()).containsExactly("sandbox");
        assertThat(p.placementRules().get(1).name()).isEqualTo("provided");
        assertThat(p.placementRules().get(1).filter()).isEqualTo(Filter.ALLOW_ALL);

        assertThat(p.limits()).hasSize(2);
        Limit userLimit = p.limits().get(0);
        assertThat(userLimit.description()).isEqualTo("resource limit for user");
        assertThat(userLimit.users()).containsExactly("user1");
        assertThat(userLimit.maxResources())
                .isEqualTo(Resources.builder().set("memory", 10 * G).set("cpu", 10_000).build());
        assertThat(userLimit.maxApplications()).isZero();
        Limit groupLimit = p.limits().get(1);
        assertThat(groupLimit.groups()).containsExactly("sandbox");
        assertThat(groupLimit.maxApplications()).isEqualTo(10);
        assertThat(groupLimit.maxResources().isEmpty()).isTrue();
    }

    @Test
    void referenceConfigGpuPartitionIsWrappedUnderRoot() {
        PartitionConfig gpu = QueueConfigParser.parse(fixture("01-core-reference-queues.yaml"))
                .partition("gpu").orElseThrow();
        assertThat(gpu.nodeSortPolicy()).isEqualTo(NodeSortPolicy.DEFAULT);
        QueueConfig root = gpu.root();
        assertThat(root.name()).isEqualTo("root");
        assertThat(root.isParent()).isTrue();
        assertThat(root.queues()).extracting(QueueConfig::name).containsExactly("production", "test");

        QueueConfig production = child(root, "production");
        assertThat(production.maxApplications()).isEqualTo(10);
        assertThat(production.adminAcl().users()).containsExactly("admin");
        assertThat(production.adminAcl().groups()).containsExactly("admin");

        QueueConfig test = child(root, "test");
        assertThat(test.properties()).containsEntry("x", "y");
        assertThat(test.limits()).hasSize(1);
        assertThat(test.limits().getFirst().users()).containsExactly("gpuuser");
        assertThat(test.limits().getFirst().maxResources().get("gpu")).isEqualTo(50);
        assertThat(test.limits().getFirst().maxResources().get("cpu")).isEqualTo(10_000);
    }

    @Test
    void userGroupLimits() {
        QueueConfig root = QueueConfigParser.parse(fixture("02-core-user-group-limits.yaml")).defaultPartition().root();
        assertThat(root.limits()).hasSize(2);
        Limit first = root.limits().getFirst();
        assertThat(first.description()).isNull();
        assertThat(first.users()).containsExactly("john", "sue");
        assertThat(first.maxApplications()).isEqualTo(10);
        assertThat(first.maxResources().get("memory")).isEqualTo(10 * G);

        QueueConfig level1 = child(root, "level1");
        assertThat(level1.limits()).extracting(Limit::maxApplications).containsExactly(10L, 10L, 20L);
        assertThat(level1.limits().get(0).users()).containsExactly("user@domain", "testuser");
        assertThat(level1.limits().get(1).groups()).containsExactly("*");
        assertThat(child(level1, "level2-3").limits().getFirst().maxApplications()).isEqualTo(50);
    }

    @Test
    void preemptionFenceAndPriorityFromConfigMap() {
        QueueConfig root = QueueConfigParser.parse(fixture("03-k8shim-preemption-fence-priority-configmap.yaml"))
                .defaultPartition().root();
        QueueConfig sandbox = child(root, "sandbox");
        assertThat(sandbox.max().get("memory")).isEqualTo(1000 * MI);
        assertThat(sandbox.max().get("cpu")).isEqualTo(1000);

        List<QueueConfig> high = path(root, "sandbox", "tenants", "tenant-high");
        QueueConfig tenants = high.get(2);
        assertThat(tenants.properties()).containsEntry("preemption.policy", "fence")
                .containsEntry("preemption.delay", "10s");
        assertThat(high.getLast().properties()).containsEntry("priority.offset", "1000");
        assertThat(high.getLast().submitAcl().everyone()).isTrue();
        assertThat(high.getLast().guaranteed().get("memory")).isEqualTo(300 * MI);
        assertThat(high.getLast().guaranteed().get("cpu")).isEqualTo(300);

        assertThat(QueueProperties.effective(high, QueueProperties.PRIORITY_OFFSET)).isEqualTo("1000");
        assertThat(QueueProperties.effective(high, QueueProperties.PREEMPTION_DELAY)).isEqualTo("10s");
        // YuniKorn: a fence belongs to the queue that sets it; its children see the default.
        assertThat(QueueProperties.effective(high, QueueProperties.PREEMPTION_POLICY)).isEqualTo("default");
        assertThat(QueueProperties.effective(high.subList(0, 3), QueueProperties.PREEMPTION_POLICY)).isEqualTo("fence");
        assertThat(child(child(child(root, "sandbox"), "system"), "system-low").properties())
                .containsEntry("priority.offset", "-9999");
    }

    @Test
    void placementRulesWithFiltersAndFixedParents() {
        PartitionConfig p = QueueConfigParser.parse(fixture("04-k8shim-placement-rules-filters-configmap.yaml"))
                .defaultPartition();
        assertThat(p.placementRules()).extracting(PlacementRule::name).containsExactly("provided", "user", "tag");
        PlacementRule provided = p.placementRules().get(0);
        assertThat(provided.create()).isTrue();
        assertThat(provided.filter().users()).containsExactly("admin");
        assertThat(provided.filter().groups()).containsExactly("admin");
        assertThat(provided.parent()).isEqualTo(new PlacementRule("fixed", false, null, Filter.ALLOW_ALL, "root.system"));
        PlacementRule tag = p.placementRules().get(2);
        assertThat(tag.value()).isEqualTo("namespace");
        assertThat(tag.parent().value()).isEqualTo("root.tenants.group-b");

        QueueConfig groupA = child(child(p.root(), "tenants"), "group-a");
        assertThat(groupA.isParent()).isTrue();
        assertThat(groupA.adminAcl().groups()).containsExactly("group-a");
    }

    @Test
    void guaranteedAndMaxTree() {
        QueueConfig root = QueueConfigParser.parse(fixture("05-k8shim-guaranteed-max-acl-configmap.yaml"))
                .defaultPartition().root();
        QueueConfig tenants = child(root, "tenants");
        assertThat(tenants.guaranteed()).isEqualTo(Resources.builder().set("memory", 2 * G).set("cpu", 2000).build());
        assertThat(tenants.max()).isEqualTo(Resources.builder().set("memory", 4 * G).set("cpu", 8000).build());
        assertThat(child(tenants, "group-b").max().get("cpu")).isEqualTo(4000);
        assertThat(child(root, "system").adminAcl().groups()).containsExactly("admin");
    }

    @Test
    void quotaPreemption() {
        PartitionConfig p = QueueConfigParser.parse(fixture("06-k8shim-e2e-quota-preemption-configmap.yaml"))
                .defaultPartition();
        assertThat(p.preemption()).isEqualTo(new PreemptionConfig(true, true));
        assertThat(p.root().submitAcl().everyone()).isTrue();
        List<QueueConfig> queueA = path(p.root(), "parent", "queue-a");
        assertThat(queueA.getLast().properties()).containsEntry("quota.preemption.delay", "2s");
        assertThat(queueA.getLast().guaranteed().get("memory")).isEqualTo(200 * MI);
        assertThat(queueA.get(1).max().get("cpu")).isEqualTo(300);
    }
}
