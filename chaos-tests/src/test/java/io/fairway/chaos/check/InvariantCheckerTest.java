package io.fairway.chaos.check;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The checker over hand-written histories and logs: each invariant holds on a clean run and is reported, with its
 * evidence, when the run breaks it.
 */
class InvariantCheckerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CONFIG = """
            partitions:
              - name: default
                queues:
                  - name: root
                    queues:
                      - name: capped
                        resources:
                          max: {vcore: 3, memory: 100Gi}
                        limits:
                          - {limit: per-user, users: ["*"], maxresources: {vcore: 2}}
                      - name: open
            """;

    private final List<JsonNode> history = new ArrayList<>();
    private final List<LogRecord> log = new ArrayList<>();
    private final List<JsonNode> finalPods = new ArrayList<>();
    private final List<JsonNode> finalNodes = new ArrayList<>();
    private final List<Window> held = new ArrayList<>();
    private long t = 1_000;

    private ObjectNode line(String verb, String resource, String sub, String name, int code) {
        ObjectNode n = JSON.createObjectNode();
        n.put("t", t++).put("verb", verb).put("resource", resource).put("sub", sub).put("ns", "jobs")
                .put("name", name).put("agent", "harness").put("code", code);
        history.add(n);
        return n;
    }

    private static ObjectNode node(String name, String cpu) {
        ObjectNode n = JSON.createObjectNode();
        n.putObject("metadata").put("name", name);
        ObjectNode status = n.putObject("status");
        status.putObject("allocatable").put("cpu", cpu).put("memory", "64Gi").put("pods", "110");
        status.putArray("conditions").addObject().put("type", "Ready").put("status", "True");
        return n;
    }

    private static ObjectNode pod(String name, String queue, String user, String cpu) {
        ObjectNode p = JSON.createObjectNode();
        ObjectNode meta = p.putObject("metadata").put("name", name).put("namespace", "jobs").put("uid", "u-" + name);
        meta.putObject("labels").put("queue", queue).put("yunikorn.apache.org/app-id", "app-" + name);
        meta.putObject("annotations").put("yunikorn.apache.org/user.info", "{\"user\":\"" + user + "\"}");
        p.putObject("spec").putArray("containers").addObject().put("name", "main").putObject("resources")
                .putObject("requests").put("cpu", cpu).put("memory", "1Gi");
        return p;
    }

    private void addNode(String name, String cpu) {
        ObjectNode n = node(name, cpu);
        line("create", "nodes", "", name, 201).set("object", n);
        finalNodes.add(n);
    }

    private ObjectNode create(ObjectNode pod) {
        line("create", "pods", "", pod.path("metadata").path("name").asText(), 201).put("uid",
                pod.path("metadata").path("uid").asText()).set("object", pod);
        return pod;
    }

    private void config(String yaml) {
        ObjectNode cm = JSON.createObjectNode();
        cm.putObject("data").put("queues.yaml", yaml);
        line("update", "configmaps", "", "fairway-queues", 200).put("ns", "fairway").set("object", cm);
    }

    private void elected(long epoch, String replica) {
        record("LeaderElected", epoch, JSON.createObjectNode().put("epoch", epoch).put("replica", replica));
    }

    private void allocated(long epoch, String pod, String node) {
        record("Allocated", epoch, JSON.createObjectNode().put("podUid", "u-" + pod).put("nodeName", node));
    }

    private void record(String type, long epoch, ObjectNode data) {
        ObjectNode env = JSON.createObjectNode().put("v", 1).put("type", type).put("time", t++).put("epoch", epoch);
        env.set("data", data);
        log.add(LogRecord.parse(log.size(), env.toString().getBytes(StandardCharsets.UTF_8)));
    }

    private ObjectNode bind(String pod, String node, String agent, int code) {
        return line("create", "pods", "binding", pod, code).put("uid", "u-" + pod).put("node", node)
                .put("agent", agent);
    }

    private void bound(ObjectNode pod, String node) {
        ObjectNode copy = pod.deepCopy();
        ((ObjectNode) copy.path("spec")).put("nodeName", node);
        finalPods.add(copy);
    }

    private CheckResult check() {
        List<HistoryEntry> h = new ArrayList<>();
        for (int i = 0; i < history.size(); i++) {
            h.add(HistoryEntry.of(i, history.get(i)));
        }
        return InvariantChecker.check(new CheckInput(h, log, finalPods, finalNodes, held, 500, "fairway",
                "fairway-queues"));
    }

    private static List<String> names(CheckResult r) {
        return r.violations().stream().map(Violation::invariant).toList();
    }

    /** Two nodes, the config, epoch 1 leading, pods a and b bound as allocated. */
    private void cleanRun() {
        addNode("n1", "4");
        addNode("n2", "4");
        config(CONFIG);
        t += 5_000; // a config takes a moment to be the scheduler's: bindings within 2 s are judged by the wider
        elected(1, "r0");
        bound(create(pod("a", "root.capped", "alice", "1")), "n1");
        bound(create(pod("b", "root.open", "bob", "2")), "n2");
        allocated(1, "a", "n1");
        allocated(1, "b", "n2");
        bind("a", "n1", "fairway/r0 epoch/1", 201);
        bind("b", "n2", "fairway/r0 epoch/1", 201);
    }

    @Test
    void aCleanRunHasNoViolation() {
        cleanRun();
        CheckResult r = check();
        assertThat(r.violations()).isEmpty();
        assertThat(r.counts().podsCreated).isEqualTo(2);
        assertThat(r.counts().podsBound).isEqualTo(2);
        assertThat(r.counts().bindingsAccepted).isEqualTo(2);
    }

    @Test
    void aSecondBindingAcceptedIsReported() {
        cleanRun();
        bind("a", "n2", "fairway/r0 epoch/1", 201);
        CheckResult r = check();
        assertThat(names(r)).contains("bound-once", "bound-as-decided");
        assertThat(r.violations()).anySatisfy(v -> assertThat(v.evidence()).containsEntry("pod", "jobs/a")
                .containsEntry("node", "n2"));
    }

    @Test
    void aNodeOverItsAllocatableIsReported() {
        cleanRun();
        bound(create(pod("c", "root.open", "bob", "3.5")), "n1");
        allocated(1, "c", "n1");
        bind("c", "n1", "fairway/r0 epoch/1", 201);
        assertThat(check().violations()).singleElement().satisfies(v -> {
            assertThat(v.invariant()).isEqualTo("node-capacity");
            assertThat(v.evidence()).containsEntry("node", "n1").containsEntry("resource", "cpu");
        });
    }

    @Test
    void aFinishedPodFreesItsNode() {
        cleanRun();
        line("update", "pods", "status", "a", 200).put("uid", "u-a").put("phase", "Succeeded");
        bound(create(pod("c", "root.open", "bob", "3")), "n1");
        allocated(1, "c", "n1");
        bind("c", "n1", "fairway/r0 epoch/1", 201);
        assertThat(check().violations()).isEmpty();
    }

    @Test
    void aQueueOverItsMaxAndAUserOverItsLimitAreReported() {
        cleanRun();
        addNode("n3", "8");
        bound(create(pod("c", "root.capped", "alice", "2.5")), "n3");
        allocated(1, "c", "n3");
        bind("c", "n3", "fairway/r0 epoch/1", 201);
        CheckResult r = check();
        assertThat(names(r)).containsExactlyInAnyOrder("queue-max", "user-limits");
        assertThat(r.violations()).anySatisfy(v -> assertThat(v.evidence()).containsEntry("queue", "root.capped")
                .containsEntry("who", "user alice"));
    }

    @Test
    void aLoweredMaxCountsOnlyForBindingsDecidedUnderIt() {
        cleanRun();
        addNode("n3", "8");
        t += 5_000;
        config(CONFIG.replace("max: {vcore: 3,", "max: {vcore: 1,"));
        t += 5_000;
        bound(create(pod("c", "root.capped", "carol", "0.5")), "n3");
        allocated(1, "c", "n3");
        bind("c", "n3", "fairway/r0 epoch/1", 201);
        assertThat(check().violations()).singleElement().satisfies(v -> assertThat(v.message())
                .contains("queue root.capped over its max cpu"));
    }

    @Test
    void aDeposedLeadersBindingIsAFencedAttemptWhenRefusedSoonOrHeldElseAViolation() {
        cleanRun();
        create(pod("c", "root.open", "bob", "1"));
        allocated(1, "c", "n2");
        elected(2, "r1");
        bind("c", "n2", "fairway/r0 epoch/1", 409);
        CheckResult soon = check();
        assertThat(soon.violations()).isEmpty();
        assertThat(soon.counts().fencedAttempts).isEqualTo(1);

        t += 5_000;
        bind("c", "n2", "fairway/r0 epoch/1", 409);
        CheckResult late = check();
        assertThat(late.violations()).singleElement().satisfies(v -> {
            assertThat(v.invariant()).isEqualTo("fencing");
            assertThat(v.evidence()).containsEntry("agent", "fairway/r0 epoch/1").containsEntry("leadingEpoch", 2L);
        });

        held.add(new Window("fairway/r0", t - 3_000, t - 100, "stopped"));
        assertThat(check().violations()).isEmpty();
    }

    @Test
    void aDecisionOfAnOlderEpochInTheLogIsReported() {
        cleanRun();
        elected(2, "r1");
        allocated(1, "zombie", "n1");
        assertThat(check().violations()).singleElement().satisfies(v -> {
            assertThat(v.invariant()).isEqualTo("fencing");
            assertThat(v.evidence()).containsEntry("epoch", 1L).containsEntry("leading", 2L);
        });
    }

    @Test
    void aPodWithNoReasonIsLostAndAWaitingPodThatFitsIsReported() {
        cleanRun();
        ObjectNode lost = create(pod("lost", "root.open", "bob", "1"));
        finalPods.add(lost);
        assertThat(check().violations()).singleElement().satisfies(v -> {
            assertThat(v.invariant()).isEqualTo("nothing-lost");
            assertThat(v.message()).contains("gave no reason");
        });

        ((ObjectNode) lost.path("metadata")).put("uid", "u-lost");
        ObjectNode status = lost.putObject("status");
        status.putArray("conditions").addObject().put("type", "PodScheduled").put("status", "False")
                .put("reason", "Unschedulable").put("message", "no room");
        assertThat(check().violations()).singleElement().satisfies(v -> assertThat(v.message())
                .contains("waits (Unschedulable: no room) but fits node"));

        ((ObjectNode) lost.path("spec").path("containers").path(0).path("resources").path("requests")).put("cpu", "5");
        // 5 cpus fit no node: it waits with its reason, rightly
        ObjectNode big = pod("lost", "root.open", "bob", "5");
        history.removeIf(h -> h.path("name").asText().equals("lost"));
        create(big);
        assertThat(check().violations()).isEmpty();
    }

    @Test
    void aGangsFirstReservationMustHoldEveryMember() {
        cleanRun();
        ObjectNode member = pod("g0", "root.open", "bob", "1");
        ObjectNode ann = (ObjectNode) member.path("metadata").path("annotations");
        ann.put("yunikorn.apache.org/task-group-name", "workers");
        ann.put("yunikorn.apache.org/task-groups",
                "[{\"name\":\"workers\",\"minMember\":4,\"minResource\":{\"cpu\":\"1\"}}]");
        ((ObjectNode) member.path("metadata").path("labels")).put("yunikorn.apache.org/app-id", "gang-app");
        create(member);
        bind("g0", "n1", "fairway/r0 epoch/1", 201);
        finalPods.add(member);
        assertThat(names(check())).contains("gang-whole");

        ObjectNode data = JSON.createObjectNode().put("appId", "gang-app");
        for (int i = 0; i < 2; i++) {
            data.withArray("slots").addObject().put("group", "workers").put("node", "n1");
        }
        log.add(0, LogRecord.parse(99, ("{\"type\":\"GangReserved\",\"time\":1,\"epoch\":1,\"data\":" + data + "}")
                .getBytes(StandardCharsets.UTF_8)));
        log.remove(0);
        record("GangReserved", 1, data);
        assertThat(check().violations()).anySatisfy(v -> assertThat(v.message())
                .contains("holds 2 of the 4 members of task group workers"));
    }
}
