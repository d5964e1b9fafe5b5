package io.fairway.ui.yunikorn;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Each YuniKorn endpoint's answer, over real HTTP, against the example in YuniKorn's REST API documentation: the same
 * field names, recursively, and the same JSON types ({@link JsonShape}).
 *
 * <p>The examples under {@code src/test/resources/yunikorn/} are comment-free copies of the JSON blocks of YuniKorn's
 * documentation, https://yunikorn.apache.org/docs/api/scheduler/ and .../docs/api/cluster/, whose
 * sources are {@code docs/api/scheduler.md} and {@code docs/api/cluster.md} of the apache/yunikorn-site repository (the
 * revision that documents {@code /applications/{state}} and the deprecated {@code uuid}, YuniKorn 1.5 to 1.7):
 * {@code partitions.json} (Partitions), {@code queues.json} (Partition queues), {@code queue-applications.json} (Queue
 * applications, whose objects the doc also gives for Partition applications by state), {@code application.json}
 * (Partition/Queue application), {@code nodes.json} (Partition nodes), {@code healthcheck.json} (Healthcheck),
 * {@code config.json} (Configuration, {@code docs/api/cluster.md}) and {@code error.json} (the error body shown by
 * older revisions of {@code scheduler.md}, e.g. commit 4f76edec720a479060248c6e9887af87547dad19, YuniKorn's
 * {@code dao.YAPIError}).
 *
 * <p>Fields beyond an example are allowed only when they are fields of YuniKorn's dao structs
 * ({@code pkg/webservice/dao} of apache/yunikorn-core) that the example does not show; where the example itself
 * differs from what YuniKorn answers, the test names the difference and why.
 */
class YunikornDocumentedShapesTest {
    static final Set<String> RESOURCE_MAPS = Set.of("maxResource", "guaranteedResource", "allocatedResource",
            "pendingResource", "absUsedCapacity", "usedResource", "maxUsedResource", "resource", "minResource",
            "capacity", "allocated", "occupied", "available", "utilized");
    static final Set<String> APP_MAPS = union(RESOURCE_MAPS, Set.of("allocationTags"));
    static final Set<String> APP_EXTRAS = Set.of("maxRequestPriority", "taskGroupName", "preempted",
            "triggeredPreemption", "schedulingAttempted");

    SampleCluster cluster;

    @BeforeEach
    void start() {
        cluster = new SampleCluster();
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    JsonNode answer(String path) throws Exception {
        SampleCluster.Answer a = cluster.get(path);
        assertThat(a.status()).as(path).isEqualTo(200);
        assertThat(a.contentType()).isEqualTo("application/json; charset=UTF-8");
        return a.body();
    }

    @Test
    void partitions() throws Exception {
        assertThat(JsonShape.differences(cluster.documented("partitions.json"), answer("/ws/v1/partitions"),
                Set.of("capacity.capacity", "usedCapacity", "utilization", "resourceWeights", "applications"),
                Set.of())).isEmpty();
    }

    @Test
    void queuesDifferOnlyWhereTheExampleDiffersFromYuniKorn() throws Exception {
        // YuniKorn encodes one dao.PartitionQueueDAOInfo, the root, and its web UI reads data.queuename: the doc's
        // array around it is not in the answer. isLeaf and isManaged are bools in the dao and the UI, strings in the
        // doc. maxRunningApps, runningApps, allocatingAcceptedApps and partition are on every queue in the dao.
        JsonNode root = answer("/ws/v1/partition/default/queues");
        assertThat(root.isObject()).isTrue();
        assertThat(JsonShape.differences(cluster.documented("queues.json").get(0), root,
                union(RESOURCE_MAPS, Set.of("properties")),
                Set.of("maxRunningApps", "runningApps", "allocatingAcceptedApps", "maxApplications", "partition")))
                .containsExactlyInAnyOrder(
                        "$.isLeaf: documented string, answered boolean",
                        "$.isManaged: documented string, answered boolean",
                        "$.children[].isLeaf: documented string, answered boolean",
                        "$.children[].isManaged: documented string, answered boolean");
    }

    @Test
    void nodes() throws Exception {
        JsonNode nodes = answer("/ws/v1/partition/default/nodes");
        assertThat(nodes.findValues("allocations")).anySatisfy(a -> assertThat(a).isNotEmpty());
        assertThat(JsonShape.differences(cluster.documented("nodes.json"), nodes,
                union(APP_MAPS, Set.of("attributes")), Set.of("taskGroupName", "preempted"))).isEmpty();
    }

    @Test
    void queueApplications() throws Exception {
        JsonNode apps = answer("/ws/v1/partition/default/queue/root.b/applications");
        assertThat(apps.findValues("requests")).anySatisfy(r -> assertThat(r).isNotEmpty());
        assertThat(apps.findValues("allocationLog")).anySatisfy(l -> assertThat(l).isNotEmpty());
        assertThat(JsonShape.differences(cluster.documented("queue-applications.json"), apps, APP_MAPS, APP_EXTRAS))
                .isEmpty();
        assertThat(JsonShape.differences(cluster.documented("queue-applications.json"),
                answer("/ws/v1/partition/default/queue/root.b/applications/active"), APP_MAPS, APP_EXTRAS)).isEmpty();
    }

    @Test
    void applicationsByStateHaveTheQueueApplicationsShape() throws Exception {
        for (String state : new String[] {"active", "completed", "rejected"}) {
            JsonNode apps = answer("/ws/v1/partition/default/applications/" + state);
            assertThat(apps).as(state).isNotEmpty();
            assertThat(JsonShape.differences(cluster.documented("queue-applications.json"), apps, APP_MAPS,
                    APP_EXTRAS)).as(state).isEmpty();
        }
    }

    @Test
    void application() throws Exception {
        for (String path : new String[] {"/ws/v1/partition/default/application/gang-g",
                "/ws/v1/partition/default/queue/root.a/application/spark-a"}) {
            JsonNode app = answer(path);
            assertThat(app.get("placeholderData").isEmpty() && app.get("requests").isEmpty()).isFalse();
            assertThat(JsonShape.differences(cluster.documented("application.json"), app, APP_MAPS, APP_EXTRAS))
                    .as(path).isEmpty();
        }
    }

    @Test
    void healthcheck() throws Exception {
        assertThat(JsonShape.differences(cluster.documented("healthcheck.json"),
                answer("/ws/v1/scheduler/healthcheck"), Set.of(), Set.of())).isEmpty();
    }

    @Test
    void configAsJsonLeavesOutEmptyFieldsAsGoDoes() throws Exception {
        SampleCluster.Answer a = cluster.send(HttpRequest.newBuilder(URI.create(cluster.base + "/ws/v1/config"))
                .header("Accept", "application/json").GET().build());
        assertThat(a.status()).isEqualTo(200);
        // Fields of YuniKorn's configs structs (pkg/common/configs/config.go) that the example's config does not set,
        // and the ones that struct marks omitempty, which the example happens to set.
        Set<String> extras = Set.of("Queues", "Limits", "MaxApplications", "Properties", "AdminACL", "Guaranteed",
                "Max", "ResourceWeights", "Users", "Groups", "Parent", "Value", "Create", "SubmitACL");
        assertThat(JsonShape.differences(cluster.documented("config.json"), a.body(),
                Set.of("Extra", "Properties", "Guaranteed", "Max", "ResourceWeights"), extras, extras)).isEmpty();
    }

    @Test
    void errors() throws Exception {
        SampleCluster.Answer missing = cluster.get("/ws/v1/partition/gpu/queues");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(JsonShape.differences(cluster.documented("error.json"), missing.body(), Set.of(), Set.of()))
                .isEmpty();
    }

    @Test
    void theShapeCheckFindsAMissingAnExtraAndAMistypedField() throws Exception {
        ObjectMapper json = new ObjectMapper();
        JsonNode doc = json.readTree("""
                {"a": 1, "b": {"c": "x"}, "list": [{"d": true}, {"e": 2}], "res": {"vcore": 1}}""");
        assertThat(JsonShape.differences(doc, json.readTree("""
                {"a": 1, "b": {"c": "y"}, "list": [{"d": false, "e": 3}], "res": {"memory": 5}}"""),
                Set.of("res"), Set.of())).isEmpty();
        assertThat(JsonShape.differences(doc, json.readTree("""
                {"a": "1", "b": {}, "list": [{"d": true, "e": 2, "f": 0}], "res": {"vcore": "1"}, "g": 0}"""),
                Set.of("res"), Set.of("g"))).containsExactlyInAnyOrder(
                "$.a: documented number, answered string",
                "$.b.c: documented, missing from the answer",
                "$.list[].f: answered, neither documented nor a known dao field",
                "$.res.vcore: documented map of number, answered string");
    }

    static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> out = new HashSet<>(a);
        out.addAll(b);
        return Set.copyOf(out);
    }
}
