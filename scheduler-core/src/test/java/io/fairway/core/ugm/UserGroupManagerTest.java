package io.fairway.core.ugm;

import static org.assertj.core.api.Assertions.assertThat;

import io.fairway.core.config.QueueConfigParser;
import io.fairway.core.resources.ResourceNames;
import io.fairway.core.resources.Resources;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class UserGroupManagerTest {
    private static UserGroupManager manager(String yaml) {
        return new UserGroupManager(QueueConfigParser.parse(yaml).defaultPartition());
    }

    private static Resources cpu(long cores) {
        return Resources.parse(Map.of("cpu", Long.toString(cores)));
    }

    /** Places {@code cores} of the owner's app in {@code queue}, starting it when it is its first. */
    private static void run(UserGroupManager m, Owner o, String queue, long cores, boolean first) {
        m.allocated(o, queue, cpu(cores), 1);
        if (first) {
            m.running(o, queue, 1);
        }
    }

    static final String LEVELS = """
            partitions:
              - name: default
                limits:
                  - limit: partition users
                    users: ["*"]
                    maxapplications: 4
                queues:
                  - name: root
                    limits:
                      - limit: root dev
                        groups: [dev]
                        maxresources: {vcore: 10}
                    queues:
                      - name: org
                        limits:
                          - limit: vip
                            users: [vip]
                            maxapplications: 3
                          - limit: anyone
                            users: ["*"]
                            maxapplications: 1
                            maxresources: {vcore: 2}
                          - limit: ml first
                            groups: [ml]
                            maxresources: {vcore: 6}
                          - limit: other groups
                            groups: ["*"]
                            maxresources: {vcore: 4}
                          - limit: qa second
                            groups: [qa]
                            maxresources: {vcore: 5}
                        queues:
                          - name: x
                          - name: y
                      - name: free
            """;

    @Test
    void aUsersOwnLimitWinsOverTheWildcardAtTheSameLevel() {
        UserGroupManager m = manager(LEVELS);
        Owner vip = m.owner("v1", "vip", "root.org.x");
        run(m, vip, "root.org.x", 3, true);
        // vip's own entry sets no maxresources: the wildcard's 2 cpu does not apply to vip.
        assertThat(m.check(vip, "root.org.x", cpu(1), true, null, false)).isNull();

        Owner alice = m.owner("a1", "alice", "root.org.x");
        run(m, alice, "root.org.x", 2, true);
        LimitBreach b = m.check(alice, "root.org.x", cpu(1), false, null, false);
        assertThat(b.key()).isEqualTo("user alice in queue root.org at maxresources cpu");
        assertThat(b.message()).isEqualTo(
                "user alice in queue root.org at maxresources cpu: 2 of 2 used, the pod asks 1 (limit \"anyone\" for user *)");
        assertThat(m.check(m.owner("a2", "alice", "root.org.y"), "root.org.y", cpu(1), true, null, false).message())
                .isEqualTo("user alice in queue root.org at maxresources cpu: 2 of 2 used, the pod asks 1 "
                        + "(limit \"anyone\" for user *)");
    }

    @Test
    void theWildcardUserLimitIsPerUser() {
        UserGroupManager m = manager(LEVELS);
        run(m, m.owner("a1", "alice", "root.org.x"), "root.org.x", 1, true);
        assertThat(m.check(m.owner("a2", "alice", "root.org.x"), "root.org.x", cpu(1), true, null, false).message())
                .isEqualTo("user alice in queue root.org runs 1 of maxapplications 1 (limit \"anyone\" for user *); "
                        + "app a2 waits to start");
        // bob has his own count under the same "*" entry.
        assertThat(m.check(m.owner("b1", "bob", "root.org.x"), "root.org.x", cpu(1), true, null, false)).isNull();
    }

    @Test
    void theGroupIsTheFirstConfiguredOneTheUserIsInFromLeafToRoot() {
        UserGroupManager m = manager(LEVELS);
        m.appAdded("both", List.of("qa", "ml"));
        m.appAdded("qa", List.of("qa"));
        m.appAdded("dev", List.of("dev"));
        m.appAdded("ops", List.of("ops"));
        m.appAdded("none", List.of());
        // ml is listed before qa in root.org's limits: config order decides, not the user's.
        assertThat(m.owner("both", "u", "root.org.x").group()).isEqualTo(Subject.group("ml"));
        assertThat(m.owner("qa", "u", "root.org.x").group()).isEqualTo(Subject.group("qa"));
        // dev is named only at root, but root.org has a "*" group entry: the lowest level that decides wins.
        assertThat(m.owner("dev", "u", "root.org.x").group()).isEqualTo(Subject.group("*"));
        assertThat(m.owner("ops", "u", "root.org.x").group()).isEqualTo(Subject.group("*"));
        // Outside root.org only root decides.
        assertThat(m.owner("dev", "u", "root.free").group()).isEqualTo(Subject.group("dev"));
        assertThat(m.owner("ops", "u", "root.free").group()).isNull();
        // No groups at all: no group tracking, not even "*".
        assertThat(m.owner("none", "u", "root.org.x").group()).isNull();
    }

    @Test
    void theWildcardGroupIsOneLimitSharedByEveryUnnamedGroup() {
        UserGroupManager m = manager(LEVELS);
        m.appAdded("ops-app", List.of("ops"));
        m.appAdded("hr-app", List.of("hr"));
        Owner ops = m.owner("ops-app", "vip", "root.org.x");
        run(m, ops, "root.org.x", 3, true);
        Owner hr = m.owner("hr-app", "vip", "root.org.y");
        assertThat(m.check(hr, "root.org.y", cpu(1), true, null, false)).isNull();
        assertThat(m.check(hr, "root.org.y", cpu(2), true, null, false).message())
                .isEqualTo("group * in queue root.org at maxresources cpu: 3 of 4 used, the pod asks 2 (limit \"other groups\")");
    }

    @Test
    void userAndGroupLimitsAreBothEnforced() {
        String yaml = """
                partitions:
                  - name: default
                    queues:
                      - name: root
                        queues:
                          - name: team
                            limits:
                              - {limit: alice, users: [alice], maxresources: {vcore: 3}}
                              - {limit: dev, groups: [dev], maxresources: {vcore: 8}}
                """;
        UserGroupManager m = manager(yaml);
        m.appAdded("a", List.of("dev"));
        m.appAdded("c", List.of("dev"));
        Owner alice = m.owner("a", "alice", "root.team");
        Owner carol = m.owner("c", "carol", "root.team");
        run(m, alice, "root.team", 3, true);
        assertThat(m.check(alice, "root.team", cpu(1), false, null, false).key())
                .isEqualTo("user alice in queue root.team at maxresources cpu");
        run(m, carol, "root.team", 5, true);
        assertThat(m.check(carol, "root.team", cpu(1), false, null, false).key())
                .isEqualTo("group dev in queue root.team at maxresources cpu");
    }

    @Test
    void aParentsLimitCountsTheWholeSubtreeAndPartitionLimitsCountAtRoot() {
        UserGroupManager m = manager(LEVELS);
        Owner vip = m.owner("v", "vip", "root.org.x");
        run(m, vip, "root.org.x", 1, true);
        run(m, m.owner("v2", "vip", "root.org.y"), "root.org.y", 1, true);
        run(m, m.owner("v3", "vip", "root.free"), "root.free", 1, true);
        assertThat(m.usage().runningApps("root.org", Subject.user("vip"))).isEqualTo(2);
        assertThat(m.usage().runningApps("root", Subject.user("vip"))).isEqualTo(3);
        run(m, m.owner("v4", "vip", "root.free"), "root.free", 1, true);
        // vip may run 3 in root.org, but the partition allows each user 4 in all.
        assertThat(m.check(m.owner("v5", "vip", "root.org.x"), "root.org.x", cpu(1), true, null, false).message())
                .isEqualTo("user vip in partition default runs 4 of maxapplications 4 (limit \"partition users\" for user *); "
                        + "app v5 waits to start");
        // maxapplications only holds back an app's first allocation.
        assertThat(m.check(vip, "root.org.x", cpu(1), false, null, false)).isNull();
    }

    @Test
    void bookedUsageCountsOnTopOfTheCommitted() {
        UserGroupManager m = manager(LEVELS);
        Owner alice = m.owner("a1", "alice", "root.org.x");
        run(m, alice, "root.org.x", 1, false);
        Usage booked = m.bookings();
        assertThat(m.check(alice, "root.org.x", cpu(1), false, booked, false)).isNull();
        booked.add("root.org.x", alice.user(), cpu(1), 1);
        assertThat(m.check(alice, "root.org.x", cpu(1), false, booked, true).message())
                .isEqualTo("user alice in queue root.org at maxresources cpu: 2 of 2 used, the gang needs 1 more "
                        + "(limit \"anyone\" for user *)");
        booked.running("root.org.x", alice.user(), 1);
        assertThat(m.check(m.owner("a2", "alice", "root.org.y"), "root.org.y", Resources.NONE, true, booked, false).key())
                .isEqualTo("user alice in queue root.org at maxapplications");
    }

    @Test
    void usageIsOnlyKeptWhereALimitAppliesAndGoesAwayAtZero() {
        UserGroupManager m = manager(LEVELS);
        Owner bob = m.owner("b", "bob", "root.free");
        m.allocated(bob, "root.free", cpu(2), 1);
        // root.free has no limit; root has only a dev group limit and the partition's "*" user limit.
        assertThat(m.usage().allocated("root.free", bob.user())).isEmpty();
        assertThat(m.usage().allocated("root", bob.user())[ResourceNames.CPU]).isEqualTo(2000);
        m.allocated(bob, "root.free", cpu(2), -1);
        assertThat(m.usage().size()).isZero();
    }

    @Test
    void withoutLimitsNothingIsTrackedOrRefused() {
        UserGroupManager m = manager("""
                partitions:
                  - name: default
                    queues:
                      - name: root
                        queues:
                          - name: a
                """);
        Owner o = m.owner("a", "alice", "root.a");
        run(m, o, "root.a", 100, true);
        assertThat(m.usage().size()).isZero();
        assertThat(m.check(o, "root.a", cpu(1000), true, null, false)).isNull();
    }
}
