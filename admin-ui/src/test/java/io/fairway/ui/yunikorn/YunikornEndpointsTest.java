package io.fairway.ui.yunikorn;

import static io.fairway.ui.yunikorn.SampleCluster.GI;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fairway.core.events.Allocated;
import io.fairway.core.events.NodeObserved;
import io.fairway.core.events.PodGone;
import io.fairway.core.events.PodObserved;
import io.fairway.core.objects.Node;
import io.fairway.core.objects.SchedulingHints;
import io.fairway.ui.AdminServer;
import io.fairway.ui.ConsoleSources;
import io.fairway.ui.Leadership;
import io.fairway.ui.access.AccessControl;
import io.fairway.ui.access.Principal;
import io.fairway.ui.access.Role;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The values of YuniKorn's endpoints over real HTTP, on a state built from events ({@link SampleCluster}): resources
 * under YuniKorn's names and units (vcore in millicores, memory in bytes), apps in YuniKorn's states and lists, and
 * YuniKorn's error body for what is not there.
 */
class YunikornEndpointsTest {
    SampleCluster cluster;

    @BeforeEach
    void start() {
        cluster = new SampleCluster();
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    JsonNode ok(String path) throws Exception {
        SampleCluster.Answer a = cluster.get(path);
        assertThat(a.status()).as(path + ": " + a.text()).isEqualTo(200);
        return a.body();
    }

    static List<String> ids(JsonNode apps) {
        List<String> out = new ArrayList<>();
        apps.forEach(a -> out.add(a.get("applicationID").asText()));
        return out;
    }

    static void assertError(SampleCluster.Answer a, int status, String message, String... inDescription) {
        assertThat(a.status()).isEqualTo(status);
        assertThat(a.contentType()).isEqualTo("application/json; charset=UTF-8");
        assertThat(a.body().get("status_code").asInt()).isEqualTo(status);
        assertThat(a.body().get("message").asText()).isEqualTo(message);
        for (String part : inDescription) {
            assertThat(a.body().get("description").asText()).contains(part);
        }
    }

    @Test
    void thePartitionHasCapacityUseAndAppsByYuniKornState() throws Exception {
        JsonNode all = ok("/ws/v1/partitions");
        assertThat(all).hasSize(1);
        JsonNode p = all.get(0);
        assertThat(p.get("clusterId").asText()).isEqualTo("fairway");
        assertThat(p.get("name").asText()).isEqualTo("default");
        assertThat(p.get("state").asText()).isEqualTo("Active");
        assertThat(p.get("lastStateTransitionTime").asLong()).isZero();
        assertThat(p.at("/capacity/capacity/vcore").asLong()).isEqualTo(12_000);
        assertThat(p.at("/capacity/capacity/memory").asLong()).isEqualTo(48 * GI);
        assertThat(p.at("/capacity/capacity/pods").asLong()).isEqualTo(220);
        assertThat(p.at("/capacity/capacity/nvidia.com~1gpu").asLong()).isEqualTo(2);
        assertThat(p.at("/capacity/capacity").has("cpu")).isFalse();
        // a1, b1 and g-0 placed, one free gang slot held; the other scheduler's pod is not Fairway's
        assertThat(p.at("/capacity/usedCapacity/vcore").asLong()).isEqualTo(4_000);
        assertThat(p.at("/capacity/usedCapacity/memory").asLong()).isEqualTo(7 * GI);
        assertThat(p.at("/capacity/usedCapacity/nvidia.com~1gpu").asLong()).isEqualTo(1);
        assertThat(p.at("/capacity/utilization/vcore").asLong()).isEqualTo(33);
        assertThat(p.at("/capacity/utilization/nvidia.com~1gpu").asLong()).isEqualTo(50);
        assertThat(p.at("/nodeSortingPolicy/type").asText()).isEqualTo("binpacking");
        assertThat(p.at("/nodeSortingPolicy/resourceWeights/vcore").asDouble()).isEqualTo(2.0);
        assertThat(p.at("/nodeSortingPolicy/resourceWeights/memory").asDouble()).isEqualTo(1.0);
        assertThat(json(p.get("applications"))).isEqualTo(
                "{\"Accepted\":1,\"Completed\":1,\"Rejected\":1,\"Running\":3,\"total\":6}");
        assertThat(p.get("totalContainers").asInt()).isEqualTo(4);
        assertThat(p.get("totalNodes").asInt()).isEqualTo(2);
    }

    @Test
    void queuesAreTheRootWithItsSubtree() throws Exception {
        JsonNode root = ok("/ws/v1/partition/default/queues");
        assertThat(root.get("queuename").asText()).isEqualTo("root");
        assertThat(root.get("partition").asText()).isEqualTo("default");
        assertThat(root.get("parent").asText()).isEmpty();
        assertThat(root.get("isLeaf").asBoolean()).isFalse();
        // the root without a max of its own is as large as the partition
        assertThat(root.at("/maxResource/vcore").asLong()).isEqualTo(12_000);
        assertThat(root.at("/allocatedResource/vcore").asLong()).isEqualTo(4_000);
        assertThat(root.at("/pendingResource/vcore").asLong()).isEqualTo(3_000);
        assertThat(root.at("/absUsedCapacity/vcore").asLong()).isEqualTo(33);
        assertThat(root.at("/template/maxApplications").asLong()).isEqualTo(5);
        assertThat(root.at("/template/maxResource/vcore").asLong()).isEqualTo(4_000);
        assertThat(root.get("runningApps").asLong()).isEqualTo(3);

        JsonNode a = root.get("children").get(0);
        assertThat(a.get("queuename").asText()).isEqualTo("root.a");
        assertThat(a.get("status").asText()).isEqualTo("Active");
        assertThat(a.get("parent").asText()).isEqualTo("root");
        assertThat(a.get("isLeaf").asBoolean()).isTrue();
        assertThat(a.get("isManaged").asBoolean()).isTrue();
        assertThat(a.at("/guaranteedResource/vcore").asLong()).isEqualTo(2_000);
        assertThat(a.at("/guaranteedResource/memory").asLong()).isEqualTo(4 * GI);
        assertThat(a.at("/maxResource/vcore").asLong()).isEqualTo(6_000);
        assertThat(a.at("/maxResource/memory").asLong()).isEqualTo(24 * GI);
        assertThat(a.at("/allocatedResource/vcore").asLong()).isEqualTo(1_000);
        assertThat(a.at("/pendingResource/vcore").asLong()).isEqualTo(1_000);
        assertThat(a.at("/absUsedCapacity/vcore").asLong()).isEqualTo(16);
        assertThat(a.at("/properties/application.sort.policy").asText()).isEqualTo("fair");
        assertThat(a.get("template").isNull()).isTrue();
        assertThat(a.get("maxRunningApps").asLong()).isEqualTo(3);
        assertThat(a.get("runningApps").asLong()).isEqualTo(1);
        assertThat(a.get("children")).isEmpty();

        JsonNode b = root.get("children").get(1);
        assertThat(b.get("queuename").asText()).isEqualTo("root.b");
        assertThat(b.get("maxResource")).isEmpty();
        assertThat(b.at("/allocatedResource/vcore").asLong()).isEqualTo(3_000);
        assertThat(b.at("/allocatedResource/nvidia.com~1gpu").asLong()).isEqualTo(1);
        assertThat(b.at("/pendingResource/vcore").asLong()).isEqualTo(2_000);
        assertThat(b.get("maxRunningApps").asLong()).isZero();
        assertThat(b.get("runningApps").asLong()).isEqualTo(2);
    }

    @Test
    void nodesTellFairwaysAllocationsFromOtherSchedulersPods() throws Exception {
        JsonNode nodes = ok("/ws/v1/partition/default/nodes");
        assertThat(nodes).hasSize(2);
        JsonNode g1 = nodes.get(0);
        assertThat(g1.get("nodeID").asText()).isEqualTo("g1");
        assertThat(g1.at("/capacity/nvidia.com~1gpu").asLong()).isEqualTo(2);
        assertThat(g1.at("/allocated/nvidia.com~1gpu").asLong()).isEqualTo(1);
        assertThat(g1.at("/available/nvidia.com~1gpu").asLong()).isEqualTo(1);
        assertThat(g1.at("/utilized/nvidia.com~1gpu").asLong()).isEqualTo(50);
        assertThat(g1.at("/attributes/accelerator").asText()).isEqualTo("a100");
        assertThat(g1.at("/attributes/ready").asText()).isEqualTo("true");

        JsonNode n1 = nodes.get(1);
        assertThat(n1.get("nodeID").asText()).isEqualTo("n1");
        assertThat(n1.get("hostName").asText()).isEmpty();
        assertThat(n1.get("schedulable").asBoolean()).isTrue();
        assertThat(n1.at("/capacity/vcore").asLong()).isEqualTo(4_000);
        assertThat(n1.at("/capacity/memory").asLong()).isEqualTo(16 * GI);
        // a1, g-0 and the free gang slot are Fairway's; kube-system/dns (500m) is another scheduler's
        assertThat(n1.at("/allocated/vcore").asLong()).isEqualTo(3_000);
        assertThat(n1.at("/occupied/vcore").asLong()).isEqualTo(500);
        assertThat(n1.at("/occupied/memory").asLong()).isEqualTo(GI / 2);
        assertThat(n1.at("/available/vcore").asLong()).isEqualTo(500);
        assertThat(n1.at("/utilized/vcore").asLong()).isEqualTo(75);
        assertThat(n1.get("isReserved").asBoolean()).isFalse();
        JsonNode allocs = n1.get("allocations");
        assertThat(allocs).hasSize(3);
        JsonNode a1 = allocs.get(0);
        assertThat(a1.get("allocationKey").asText()).isEqualTo("a1");
        assertThat(a1.get("uuid").asText()).isEqualTo("a1");
        assertThat(a1.get("allocationID").asText()).isEqualTo("a1-0");
        assertThat(a1.get("applicationId").asText()).isEqualTo("spark-a");
        assertThat(a1.get("nodeId").asText()).isEqualTo("n1");
        assertThat(a1.get("partition").asText()).isEqualTo("default");
        assertThat(a1.get("priority").asText()).isEqualTo("0");
        assertThat(a1.get("requestTime").asLong()).isEqualTo(1_901_000_000L);
        assertThat(a1.at("/allocationTags/kubernetes.io~1meta~1namespace").asText()).isEqualTo("team");
        assertThat(a1.at("/allocationTags/kubernetes.io~1meta~1podName").asText()).isEqualTo("pod-a1");
        assertThat(a1.at("/resource/vcore").asLong()).isEqualTo(1_000);
        assertThat(a1.at("/resource/memory").asLong()).isEqualTo(GI);
        assertThat(a1.get("placeholder").asBoolean()).isFalse();
        JsonNode member = allocs.get(1);
        assertThat(member.get("allocationKey").asText()).isEqualTo("g-0");
        assertThat(member.get("taskGroupName").asText()).isEqualTo("workers");
        assertThat(member.get("placeholderUsed").asBoolean()).isTrue();
        JsonNode slot = allocs.get(2);
        assertThat(slot.get("placeholder").asBoolean()).isTrue();
        assertThat(slot.get("applicationId").asText()).isEqualTo("gang-g");
        assertThat(slot.get("taskGroupName").asText()).isEqualTo("workers");
        assertThat(slot.at("/resource/vcore").asLong()).isEqualTo(1_000);
    }

    @Test
    void appsByStateAreYuniKornsThreeLists() throws Exception {
        assertThat(ids(ok("/ws/v1/partition/default/applications/active")))
                .containsExactly("etl-c", "gang-g", "spark-a", "train-b");
        assertThat(ids(ok("/ws/v1/partition/default/applications/ACTIVE?status=Running")))
                .containsExactly("gang-g", "spark-a", "train-b");
        assertThat(ids(ok("/ws/v1/partition/default/applications/active?status=accepted"))).containsExactly("etl-c");
        assertThat(ids(ok("/ws/v1/partition/default/applications/active?status=completing"))).isEmpty();
        JsonNode completed = ok("/ws/v1/partition/default/applications/completed");
        assertThat(ids(completed)).containsExactly("done-d");
        assertThat(completed.get(0).get("applicationState").asText()).isEqualTo("Completed");
        JsonNode rejected = ok("/ws/v1/partition/default/applications/rejected");
        assertThat(ids(rejected)).containsExactly("lost-e");
        assertThat(rejected.get(0).get("applicationState").asText()).isEqualTo("Rejected");
        assertThat(rejected.get(0).get("rejectedMessage").asText()).contains("root.nosuch does not exist");
        assertThat(rejected.get(0).get("queueName").asText()).isEmpty();

        assertError(cluster.get("/ws/v1/partition/default/applications/running"), 400,
                "Only following application states are allowed: active, rejected, completed", "'running'");
        assertError(cluster.get("/ws/v1/partition/default/applications/active?status=sleeping"), 400,
                "Only following active statuses are allowed: new,accepted,running,completing,failing,resuming",
                "'sleeping'");
        assertError(cluster.get("/ws/v1/partition/gpu/applications/active"), 404, "Partition not found", "'gpu'");
    }

    @Test
    void aQueuesApplicationsAreItsActiveApps() throws Exception {
        assertThat(ids(ok("/ws/v1/partition/default/queue/root.b/applications")))
                .containsExactly("etl-c", "gang-g", "train-b");
        // done-d ended: YuniKorn moves it out of the queue, to the completed list
        assertThat(ids(ok("/ws/v1/partition/default/queue/root.a/applications"))).containsExactly("spark-a");
        assertThat(ids(ok("/ws/v1/partition/default/queue/root/applications"))).isEmpty();
        assertThat(ids(ok("/ws/v1/partition/default/queue/root.b/applications/active?status=accepted")))
                .containsExactly("etl-c");

        JsonNode etl = ok("/ws/v1/partition/default/queue/root.b/applications").get(0);
        assertThat(etl.get("applicationState").asText()).isEqualTo("Accepted");
        assertThat(etl.get("usedResource")).isEmpty();
        assertThat(etl.at("/pendingResource/vcore").asLong()).isEqualTo(1_000);
        JsonNode ask = etl.get("requests").get(0);
        assertThat(ask.get("allocationKey").asText()).isEqualTo("c1");
        assertThat(ask.get("pendingCount").asInt()).isEqualTo(1);
        assertThat(ask.get("requestTime").asLong()).isEqualTo(4_999_000_000L);
        assertThat(ask.at("/allocationLog/0/message").asText()).isEqualTo("0/2 nodes have 1 cpu free");
        assertThat(ask.get("schedulingAttempted").asBoolean()).isTrue();

        assertError(cluster.get("/ws/v1/partition/default/queue/root.b/applications/completed"), 400,
                "Only following application states are allowed: active", "'completed'");
        assertError(cluster.get("/ws/v1/partition/default/queue/b/applications"), 404, "Queue not found",
                "'b'", "root.b");
        assertError(cluster.get("/ws/v1/partition/gpu/queue/root.b/applications"), 404, "Partition not found");
    }

    @Test
    void oneAppHasItsRequestsAllocationsAndGang() throws Exception {
        JsonNode gang = ok("/ws/v1/partition/default/application/gang-g");
        assertThat(gang.get("applicationID").asText()).isEqualTo("gang-g");
        assertThat(gang.get("partition").asText()).isEqualTo("default");
        assertThat(gang.get("queueName").asText()).isEqualTo("root.b");
        assertThat(gang.get("applicationState").asText()).isEqualTo("Running");
        assertThat(gang.get("user").asText()).isEqualTo("carol");
        assertThat(gang.get("groups").get(0).asText()).isEqualTo("staff");
        assertThat(gang.get("submissionTime").asLong()).isEqualTo(6_000_000_000L);
        // the member's pod and the slot still free
        assertThat(gang.at("/usedResource/vcore").asLong()).isEqualTo(2_000);
        assertThat(gang.at("/pendingResource/vcore").asLong()).isEqualTo(1_000);
        assertThat(gang.get("maxUsedResource")).isEmpty();
        assertThat(gang.get("stateLog")).isEmpty();
        assertThat(gang.get("allocations")).hasSize(2);
        assertThat(gang.at("/requests/0/allocationKey").asText()).isEqualTo("g-1");
        assertThat(gang.at("/requests/0/taskGroupName").asText()).isEqualTo("workers");
        JsonNode workers = gang.get("placeholderData").get(0);
        assertThat(workers.get("taskGroupName").asText()).isEqualTo("workers");
        assertThat(workers.get("count").asLong()).isEqualTo(2);
        assertThat(workers.get("replaced").asLong()).isEqualTo(1);
        assertThat(workers.get("timedout").asLong()).isZero();
        assertThat(workers.at("/minResource/vcore").asLong()).isEqualTo(1_000);
        assertThat(workers.at("/minResource/memory").asLong()).isEqualTo(GI);

        JsonNode spark = ok("/ws/v1/partition/default/queue/root.a/application/spark-a");
        assertThat(spark.get("placeholderData")).isEmpty();
        assertThat(spark.at("/allocations/0/allocationKey").asText()).isEqualTo("a1");
        assertThat(spark.at("/requests/0/allocationKey").asText()).isEqualTo("a2");
        // an app that ended is still answered while Fairway has its pods
        assertThat(ok("/ws/v1/partition/default/application/done-d").get("applicationState").asText())
                .isEqualTo("Completed");

        assertError(cluster.get("/ws/v1/partition/default/application/nope"), 404, "Application not found", "'nope'");
        assertError(cluster.get("/ws/v1/partition/default/queue/root.b/application/spark-a"), 404,
                "Application not found", "'spark-a'", "'root.b'", "it is in queue 'root.a'");
        assertError(cluster.get("/ws/v1/partition/default/queue/root.c/application/spark-a"), 404,
                "Queue not found", "'root.c'");
        assertError(cluster.get("/ws/v1/partition/gpu/application/spark-a"), 404, "Partition not found");
    }

    @Test
    void theHealthCheckNamesANodeAllocatedBeyondItsAllocatable() throws Exception {
        JsonNode healthy = ok("/ws/v1/scheduler/healthcheck");
        assertThat(healthy.get("Healthy").asBoolean()).isTrue();
        assertThat(healthy.get("HealthChecks")).hasSize(4).allMatch(c -> c.get("Succeeded").asBoolean());

        // n1 shrinks to 2 cores under 3.5 in use
        cluster.state.apply(new NodeObserved(9_000, new Node("n1", SampleCluster.res("2", "16Gi", null),
                SampleCluster.res("2", "16Gi", null), Map.of("zone", "z1"), List.of(), false, true, "2")));
        JsonNode sick = ok("/ws/v1/scheduler/healthcheck");
        assertThat(sick.get("Healthy").asBoolean()).isFalse();
        List<String> failed = new ArrayList<>();
        sick.get("HealthChecks").forEach(c -> {
            if (!c.get("Succeeded").asBoolean()) {
                failed.add(c.get("Description").asText() + " -> " + c.get("DiagnosisMessage").asText());
            }
        });
        assertThat(failed).containsExactly("Check if a node's allocated resource <= total resource of the node"
                + " -> Nodes with inconsistent data: [n1]");
    }

    @Test
    void theConfigIsJsonWhenAskedAndYamlOtherwise() throws Exception {
        SampleCluster.Answer j = cluster.send(HttpRequest.newBuilder(URI.create(cluster.base + "/ws/v1/config"))
                .header("Accept", "application/json").GET().build());
        assertThat(j.status()).isEqualTo(200);
        JsonNode part = j.body().get("Partitions").get(0);
        assertThat(part.get("Name").asText()).isEqualTo("default");
        JsonNode root = part.get("Queues").get(0);
        assertThat(root.get("Name").asText()).isEqualTo("root");
        assertThat(root.get("Parent").asBoolean()).isTrue();
        assertThat(root.get("SubmitACL").asText()).isEqualTo("*");
        assertThat(root.at("/ChildTemplate/MaxApplications").asLong()).isEqualTo(5);
        assertThat(root.at("/ChildTemplate/Resources/Max/vcore").asText()).isEqualTo("4");
        JsonNode a = root.get("Queues").get(0);
        assertThat(a.get("Name").asText()).isEqualTo("a");
        assertThat(a.has("Parent")).isFalse();
        assertThat(a.get("MaxApplications").asLong()).isEqualTo(3);
        assertThat(a.at("/Resources/Guaranteed/vcore").asText()).isEqualTo("2");
        assertThat(a.at("/Resources/Guaranteed/memory").asText()).isEqualTo("4Gi");
        assertThat(a.at("/Properties/application.sort.policy").asText()).isEqualTo("fair");
        assertThat(root.get("Queues").get(1).get("Resources")).isEmpty();
        assertThat(part.at("/PlacementRules/0/Name").asText()).isEqualTo("provided");
        assertThat(part.at("/PlacementRules/0/Filter/Type").asText()).isEmpty();
        assertThat(part.at("/Preemption/Enabled").asBoolean()).isFalse();
        assertThat(part.at("/NodeSortPolicy/Type").asText()).isEqualTo("binpacking");
        assertThat(part.at("/NodeSortPolicy/ResourceWeights/vcore").asDouble()).isEqualTo(2.0);
        String checksum = j.body().get("Checksum").asText();
        assertThat(checksum).matches("[0-9A-F]{64}").isEqualTo(ConfigInfo.checksum(SampleCluster.CONFIG));
        assertThat(j.body().get("Extra")).isEmpty();

        SampleCluster.Answer y = cluster.get("/ws/v1/config");
        assertThat(y.status()).isEqualTo(200);
        assertThat(y.contentType()).isEqualTo("application/x-yaml; charset=UTF-8");
        assertThat(y.text()).isEqualTo(SampleCluster.CONFIG + "checksum: " + checksum + "\n");
    }

    @Test
    void unknownPathsAndWritesAnswerInYuniKornsErrorShape() throws Exception {
        assertError(cluster.get("/ws/v1/partition/gpu/queues"), 404, "Partition not found",
                "no partition 'gpu'", "'default'");
        assertError(cluster.get("/ws/v1/partition/gpu/nodes"), 404, "Partition not found");
        assertError(cluster.get("/ws/v1/nothing-here"), 404, "Not found", "GET /ws/v1/nothing-here");
        SampleCluster.Answer post = cluster.send(HttpRequest.newBuilder(URI.create(cluster.base + "/ws/v1/partitions"))
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build());
        assertError(post, 405, "Method not allowed", "POST", "/ws/v1/partitions");
        SampleCluster.Answer put = cluster.send(HttpRequest.newBuilder(URI.create(cluster.base + "/ws/v1/config"))
                .PUT(HttpRequest.BodyPublishers.ofString("partitions: []")).build());
        assertError(put, 405, "Method not allowed", "PUT");
        assertThat(cluster.state.configText()).isEqualTo(SampleCluster.CONFIG);
        // the console's own API keeps its error shape
        assertThat(cluster.get("/api/v1/nothing-here").body().get("error").asText()).contains("/api/v1/nothing-here");
    }

    @Test
    void aConsoleThatNeedsATokenToReadNeedsOneHereToo() throws Exception {
        AccessControl access = AccessControl.tokens(Map.of("viewer-token", new Principal("victor", Role.VIEWER)), true);
        try (AdminServer guarded = new AdminServer(
                ConsoleSources.of(() -> cluster.state, () -> Leadership.follower("r1"))
                .withAccess(access))) {
            String base = "http://127.0.0.1:" + guarded.start("127.0.0.1", 0);
            HttpRequest.Builder partitions = HttpRequest.newBuilder(URI.create(base + "/ws/v1/partitions")).GET();
            SampleCluster.Answer refused = cluster.send(partitions.build());
            assertThat(refused.status()).isEqualTo(401);
            // in YuniKorn's error shape, with what to do
            assertThat(refused.body().get("status_code").asInt()).isEqualTo(401);
            assertThat(refused.body().get("message").asText()).isEqualTo("Unauthorized");
            assertThat(refused.body().get("description").asText()).contains("Authorization: Bearer");
            assertThat(cluster.send(partitions.header("Authorization", "Bearer wrong").build()).status())
                    .isEqualTo(401);
            SampleCluster.Answer ok = cluster.send(HttpRequest.newBuilder(URI.create(base + "/ws/v1/partitions"))
                    .header("Authorization", "Bearer viewer-token").GET().build());
            assertThat(ok.status()).isEqualTo(200);
            assertThat(ok.body().get(0).get("name").asText()).isEqualTo("default");
            assertThat(cluster.send(HttpRequest.newBuilder(URI.create(base + "/ws/v1/nothing")).GET().build())
                    .status()).isEqualTo(401);
        }
    }

    @Test
    void readsWhileAnotherThreadAppliesGiveWholeAnswersOr503() throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        Thread applier = new Thread(() -> {
            // pods come, are placed and go, across many apps and both nodes
            for (long t = 10_000; !stop.get(); t++) {
                String uid = "hot" + t;
                cluster.state.apply(new PodObserved(t, SampleCluster.pod(uid, "hot-" + (t % 50), "root.b", "dave",
                        SampleCluster.res("10m", "1Mi", null), SchedulingHints.NONE, t)));
                cluster.state.apply(new Allocated(t, 1, uid, t % 2 == 0 ? "n1" : "g1", "root.b"));
                if (t > 10_200) {
                    cluster.state.apply(new PodGone(t, "hot" + (t - 200), String.valueOf(t + 10)));
                }
            }
        }, "applier");
        applier.start();
        Map<String, List<Integer>> statuses = new TreeMap<>();
        try {
            String[] paths = {"/ws/v1/partitions", "/ws/v1/partition/default/queues", "/ws/v1/partition/default/nodes",
                    "/ws/v1/partition/default/applications/active", "/ws/v1/partition/default/application/hot-7",
                    "/ws/v1/scheduler/healthcheck"};
            for (int i = 0; i < 240; i++) {
                String path = paths[i % paths.length];
                statuses.computeIfAbsent(path, k -> new ArrayList<>()).add(cluster.get(path).status());
            }
        } finally {
            stop.set(true);
            applier.join();
        }
        statuses.forEach((path, codes) -> assertThat(codes).as(path).allMatch(c -> c == 200 || c == 503)
                .contains(200));
    }

    static String json(JsonNode n) {
        return n.toString();
    }
}
