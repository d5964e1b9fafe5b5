package io.fairway.core.scheduler;

import static io.fairway.core.scheduler.StageFixture.app;
import static io.fairway.core.scheduler.StageFixture.context;
import static io.fairway.core.scheduler.StageFixture.leaf;
import static io.fairway.core.scheduler.StageFixture.node;
import static io.fairway.core.scheduler.StageFixture.observe;
import static io.fairway.core.scheduler.StageFixture.pod;
import static io.fairway.core.scheduler.StageFixture.state;
import static org.assertj.core.api.Assertions.assertThat;

import io.fairway.core.objects.SchedulingHints;
import io.fairway.core.scheduler.FairTree.ANode;
import io.fairway.core.scheduler.FairTree.QNode;
import io.fairway.core.state.ClusterState;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link Admission#DEFAULT} on its own: queue max (leaf and parents), then the app count ({@code maxapplications}),
 * then user and group limits; the first refusal is the reason, and it says whether a queue above the leaf is at its
 * max. Queues root.p (parent) with leaves root.p.a and root.p.b on one large node; the ask is app {@code new} of user
 * alice in root.p.a. Users alice and bob are in group dev, carol in ops.
 */
class AdmissionTest {
    private static final String CONFIG = """
            partitions:
              - name: default
                queues:
                  - name: root
                    queues:
                      - {name: p%s, queues: [{name: a%s}, {name: b}]}
            """;
    private static final Map<String, List<String>> GROUPS = Map.of("alice", List.of("dev"), "bob", List.of("dev"),
            "carol", List.of("ops"));

    static Stream<Arguments> rows() {
        // parent p's and leaf a's settings; what runs ("leaf:app:user:cores"); cores of an app (bob's) booked earlier
        // in this cycle in a; the ask's cores, whether it starts its app, whether it is a gang's reservation;
        // -> the refusal's key (null: let in) and whether a parent is at its max
        return Stream.of(
                // nothing configured: everything is let in
                row("", "", List.of(), 0, 1, true, false, null, false),
                // leaf max 2 cpu, 1 runs: 1 more reaches the max, which is allowed
                row("", "resources: {max: {vcore: 2}}", List.of("a:x:bob:1"), 0, 1, true, false, null, false),
                row("", "resources: {max: {vcore: 2}}", List.of("a:x:bob:2"), 0, 1, true, false,
                        "queue root.p.a at max cpu", false),
                // a gang's whole reservation is worded as such
                row("", "resources: {max: {vcore: 2}}", List.of("a:x:bob:2"), 0, 1, true, true,
                        "gang: queue root.p.a at max cpu", false),
                // over the parent's max: the sibling's use counts there, and preemption among the children may help
                row("resources: {max: {vcore: 4}}", "", List.of("b:y:carol:3"), 0, 2, true, false,
                        "queue root.p at max cpu", true),
                row("resources: {max: {vcore: 4}}", "", List.of("b:y:carol:2"), 0, 2, true, false, null, false),
                // room booked earlier in this cycle counts: 2 running + 2 booked + 1 asked > 4
                row("resources: {max: {vcore: 4}}", "", List.of("b:y:carol:2"), 2, 1, false, false,
                        "queue root.p at max cpu", true),
                row("resources: {max: {vcore: 4}}", "", List.of("b:y:carol:2"), 1, 1, false, false, null, false),
                // the leaf runs its maxapplications: an app that would start waits; one already running does not
                row("", "maxapplications: 1", List.of("a:x:bob:1"), 0, 1, true, false,
                        "queue root.p.a at maxapplications", false),
                row("", "maxapplications: 1", List.of("a:x:bob:1"), 0, 1, false, false, null, false),
                // the parent's maxapplications counts the apps of both leaves; a parent at maxapplications is no
                // parent at max (preemption frees no app slot)
                row("maxapplications: 2", "", List.of("a:x:bob:1", "b:y:carol:1"), 0, 1, true, false,
                        "queue root.p at maxapplications", false),
                row("maxapplications: 2", "", List.of("a:x:bob:1", "a:x:bob:1"), 0, 1, true, false, null, false),
                // an app started earlier in this cycle counts against maxapplications
                row("maxapplications: 2", "", List.of("a:x:bob:1"), 1, 1, true, false,
                        "queue root.p at maxapplications", false),
                // both queue max and maxapplications: the max is checked first
                row("", "resources: {max: {vcore: 2}}, maxapplications: 1", List.of("a:x:bob:2"), 0, 1, true, false,
                        "queue root.p.a at max cpu", false),
                // alice's own limit in a: her other app's use counts, bob's does not
                row("", "limits: [{limit: alice, users: [alice], maxresources: {vcore: 2}}]", List.of("a:z:alice:2"),
                        0, 1, true, false, "user alice in queue root.p.a at maxresources cpu", false),
                row("", "limits: [{limit: alice, users: [alice], maxresources: {vcore: 2}}]", List.of("a:z:alice:2"),
                        0, 1, true, true, "gang: user alice in queue root.p.a at maxresources cpu", false),
                row("", "limits: [{limit: alice, users: [alice], maxresources: {vcore: 2}}]", List.of("a:x:bob:2"),
                        0, 2, true, false, null, false),
                // a user's maxapplications on the parent counts her app in the sibling leaf, for an app that starts
                row("limits: [{limit: alice, users: [alice], maxapplications: 1}]", "", List.of("b:z:alice:1"), 0, 1,
                        true, false, "user alice in queue root.p at maxapplications", false),
                row("limits: [{limit: alice, users: [alice], maxapplications: 1}]", "", List.of("b:z:alice:1"), 0, 1,
                        false, false, null, false),
                // group dev's limit: bob's use counts for alice's ask (both in dev), carol's (ops) does not
                row("", "limits: [{limit: dev, groups: [dev], maxresources: {vcore: 3}}]", List.of("a:x:bob:2"), 0, 2,
                        true, false, "group dev in queue root.p.a at maxresources cpu", false),
                row("", "limits: [{limit: dev, groups: [dev], maxresources: {vcore: 3}}]", List.of("a:y:carol:2"), 0,
                        2, true, false, null, false),
                // queue max before a user limit, maxapplications before a user limit
                row("", "resources: {max: {vcore: 2}}, limits: [{limit: alice, users: [alice], maxresources: {vcore: 1}}]",
                        List.of("a:z:alice:2"), 0, 1, true, false, "queue root.p.a at max cpu", false),
                row("", "maxapplications: 1, limits: [{limit: alice, users: [alice], maxresources: {vcore: 1}}]",
                        List.of("a:z:alice:1"), 0, 1, true, false, "queue root.p.a at maxapplications", false));
    }

    private static Arguments row(String parent, String leaf, List<String> running, int bookedCores, int askCores,
                                 boolean starts, boolean gang, String key, boolean parentAtMax) {
        return Arguments.of(parent, leaf, running, bookedCores, askCores, starts, gang, key, parentAtMax);
    }

    @ParameterizedTest(name = "[{index}] p {0} / a {1}, runs {2}, booked {3}, ask {4} starts={5} gang={6} -> {7}")
    @MethodSource("rows")
    void theFirstRefusalIsTheReason(String parent, String leafSettings, List<String> running, int bookedCores,
                                    int askCores, boolean starts, boolean gang, String key, boolean parentAtMax) {
        ClusterState s = state(CONFIG.formatted(parent.isEmpty() ? "" : ", " + parent,
                leafSettings.isEmpty() ? "" : ", " + leafSettings), node("n", 64));
        int seq = 0;
        for (String r : running) {
            String[] f = r.split(":");
            seq++;
            observe(s, seq, pod("run" + seq, f[1], "root.p." + f[0], f[2], GROUPS.get(f[2]),
                    Long.parseLong(f[3]) * 1000, "n", seq, SchedulingHints.NONE));
        }
        if (bookedCores > 0) {
            observe(s, 50, pod("early-0", "early", "root.p.a", "bob", GROUPS.get("bob"), bookedCores * 1000L, "", 50,
                    SchedulingHints.NONE));
        }
        observe(s, 60, pod("ask", "new", "root.p.a", "alice", GROUPS.get("alice"), askCores * 1000L, "", 60,
                SchedulingHints.NONE));
        CycleContext c = context(s, 100);
        QNode a = leaf(c, "root.p.a");
        if (bookedCores > 0) {
            ANode early = app(a, "early");
            // as an allocation earlier in the cycle books it: the queues, the app (which starts), bob's limits
            c.book(a, early, early.next.pod().requests());
        }
        ANode asking = app(a, "new");

        AdmissionCheck.Refusal r = Admission.DEFAULT.admit(c, a, asking, asking.next.pod().requests(), starts, gang);

        if (key == null) {
            assertThat(r).isNull();
        } else {
            assertThat(r).isNotNull();
            assertThat(r.reason().key()).isEqualTo(key);
            assertThat(r.parentAtMax()).isEqualTo(parentAtMax);
        }
        assertThat(c.decisions).as("admission decides nothing").isEmpty();
    }
}
