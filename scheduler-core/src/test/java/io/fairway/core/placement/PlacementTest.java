package io.fairway.core.placement;

import static org.assertj.core.api.Assertions.assertThat;

import io.fairway.core.config.QueueConfig;
import io.fairway.core.config.QueueConfigParser;
import io.fairway.core.config.SchedulerConfig;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Each rule, filters, parents, create, the fallback and the submit ACL walk, on configured queues only. */
class PlacementTest {
    /** The configured tree by full name, plus queues a test pretends were created before. */
    static final class Tree implements QueueLookup {
        final Map<String, QueueConfig> byName = new HashMap<>();

        Tree(QueueConfig root) {
            add("", root);
        }

        private void add(String parent, QueueConfig q) {
            String full = parent.isEmpty() ? q.name() : parent + "." + q.name();
            byName.put(full, q);
            q.queues().forEach(c -> add(full, c));
        }

        @Override
        public QueueConfig config(String fullName) {
            return byName.get(fullName);
        }
    }

    record Setup(Placement placement, Tree tree) {
        Placement.Result place(Submission s) {
            return placement.place(s, tree);
        }
    }

    static Setup setup(String rules, String queues) {
        String yaml = "partitions:\n  - name: default\n"
                + (rules.isEmpty() ? "" : "    placementrules:\n" + rules.indent(6))
                + "    queues:\n      - name: root\n" + queues.indent(8);
        SchedulerConfig c = QueueConfigParser.parse(yaml);
        return new Setup(Placement.of(c.defaultPartition()), new Tree(c.defaultPartition().root()));
    }

    static Submission app(String queue, String user, String... groups) {
        return new Submission(queue, user, List.of(groups), "default", Map.of());
    }

    static final String OPEN_TREE = """
            queues:
              - name: default
              - name: batch
              - name: users
                parent: true
                queues:
                  - name: alice
            """;

    @Nested
    class Provided {
        @Test
        void aFullNameIsTakenAsItIsAndAShortOneGoesUnderRoot() {
            Setup s = setup("- name: provided\n", OPEN_TREE);
            assertThat(s.place(app("root.batch", "u")).queue()).isEqualTo("root.batch");
            assertThat(s.place(app("batch", "u")).queue()).isEqualTo("root.batch");
        }

        @Test
        void noQueueAskedOrAMissingQueueWithoutCreateDoesNotMatchAndTheAppFallsBackToRootDefault() {
            Setup s = setup("- name: provided\n", OPEN_TREE);
            assertThat(s.place(app("", "u"))).isEqualTo(new Placement.Result("root.default", false, ""));
            assertThat(s.place(app("nope", "u")).queue()).isEqualTo("root.default");
        }

        @Test
        void withCreateAMissingQueueIsToBeCreatedAndDotsOfAShortNameAreReplaced() {
            Setup s = setup("- name: provided\n  create: true\n", OPEN_TREE);
            assertThat(s.place(app("scratch", "u"))).isEqualTo(new Placement.Result("root.scratch", true, ""));
            assertThat(s.place(app("a.b", "u")).queue()).isEqualTo("root.a_dot_b");
            // a full name keeps its levels
            assertThat(s.place(app("root.users.bob", "u"))).isEqualTo(new Placement.Result("root.users.bob", true, ""));
        }

        @Test
        void aParentQueueIsNoPlaceForAnApp() {
            Setup s = setup("- name: provided\n  create: true\n", OPEN_TREE);
            assertThat(s.place(app("root.users", "u")).queue()).isEqualTo("root.default");
        }

        @Test
        void aQueueBelowALeafCannotBeCreated() {
            Setup s = setup("- name: provided\n  create: true\n", "queues:\n  - name: batch\n");
            assertThat(s.place(app("root.batch.sub", "u")).rejection()).isEqualTo(
                    "no placement rule matched: rule 1 (provided): root.batch.sub cannot be created under root.batch, "
                            + "which is a leaf queue; fallback: root.default does not exist");
        }
    }

    @Nested
    class UserName {
        @Test
        void theUserNamesTheQueueWithDotsReplaced() {
            Setup s = setup("- name: user\n  create: true\n", OPEN_TREE);
            assertThat(s.place(app("", "john.doe")).queue()).isEqualTo("root.john_dot_doe");
        }

        @Test
        void withoutCreateOnlyAnExistingUserQueueMatches() {
            Setup s = setup("- name: user\n  parent: {name: fixed, value: root.users}\n", OPEN_TREE);
            assertThat(s.place(app("", "alice")).queue()).isEqualTo("root.users.alice");
            assertThat(s.place(app("", "bob")).queue()).isEqualTo("root.default");
        }
    }

    @Nested
    class Tag {
        @Test
        void theNamespaceOrALabelNamesTheQueue() {
            Setup s = setup("""
                    - name: tag
                      value: team
                      create: true
                    - name: tag
                      value: namespace
                      create: true
                    """, OPEN_TREE);
            Submission labelled = new Submission("", "u", List.of(), "ns-1", Map.of("team", "ml.infra"));
            Submission plain = new Submission("", "u", List.of(), "ns-1", Map.of());
            assertThat(s.place(labelled).queue()).isEqualTo("root.ml_dot_infra");
            assertThat(s.place(plain).queue()).isEqualTo("root.ns-1");
        }

        @Test
        void aMissingTagDoesNotMatch() {
            Setup s = setup("- name: tag\n  value: team\n  create: true\n", "queues:\n  - name: x\n");
            assertThat(s.place(app("", "u")).rejection()).contains("rule 1 (tag team): the app has no tag team");
        }
    }

    @Nested
    class Fixed {
        @Test
        void aRelativeValueGoesUnderTheParentRulesQueue() {
            Setup s = setup("- name: fixed\n  value: sub\n  create: true\n  parent: {name: user, create: true}\n",
                    OPEN_TREE);
            assertThat(s.place(app("", "bob"))).isEqualTo(new Placement.Result("root.bob.sub", true, ""));
        }

        @Test
        void nestedParentRulesRunFromTheLastOneDown() {
            Setup s = setup("""
                    - name: user
                      create: true
                      parent:
                        name: tag
                        value: namespace
                        create: true
                        parent: {name: fixed, value: root.users}
                    """, OPEN_TREE);
            Submission a = new Submission("", "eve", List.of(), "research", Map.of());
            assertThat(s.place(a)).isEqualTo(new Placement.Result("root.users.research.eve", true, ""));
        }

        @Test
        void aParentRuleWithoutCreateNeedsItsQueueAndALeafIsNoParent() {
            Setup s = setup("""
                    - name: user
                      create: true
                      parent: {name: tag, value: namespace}
                    """, "queues:\n  - name: batch\n");
            Submission unknownNamespace = new Submission("", "eve", List.of(), "research", Map.of());
            Submission leafNamespace = new Submission("", "eve", List.of(), "batch", Map.of());
            assertThat(s.place(unknownNamespace).rejection()).isEqualTo("no placement rule matched: "
                    + "rule 1 (user under tag namespace): parent rule tag namespace: root.research does not exist and "
                    + "create is false; fallback: root.default does not exist");
            assertThat(s.place(leafNamespace).rejection()).isEqualTo("no placement rule matched: "
                    + "rule 1 (user under tag namespace): parent rule tag namespace gives root.batch, which is a leaf "
                    + "queue; fallback: root.default does not exist");
        }
    }

    @Nested
    class Filters {
        @Test
        void anAllowFilterLetsInTheListedUsersAndGroupsOnly() {
            UserFilter f = filter("allow", "[admin]", "[ops]");
            assertThat(f.allows("admin", List.of())).isTrue();
            assertThat(f.allows("x", List.of("dev", "ops"))).isTrue();
            assertThat(f.allows("x", List.of("dev"))).isFalse();
        }

        @Test
        void aDenyFilterKeepsOutTheListedAndLetsInTheRest() {
            UserFilter f = filter("deny", "[]", "[interns]");
            assertThat(f.allows("x", List.of("interns"))).isFalse();
            assertThat(f.allows("x", List.of("staff"))).isTrue();
        }

        @Test
        void regularExpressionsMatchTheWholeName() {
            UserFilter f = filter("allow", "[\"svc-.*\"]", "[\"^dev[0-9]+$\"]");
            assertThat(f.allows("svc-etl", List.of())).isTrue();
            assertThat(f.allows("my-svc-etl", List.of())).isFalse();
            assertThat(f.allows("x", List.of("dev42"))).isTrue();
            assertThat(f.allows("x", List.of("dev42x"))).isFalse();
        }

        @Test
        void anEmptyFilterSaysItsType() {
            assertThat(filter("allow", "[]", "[]").allows("x", List.of())).isTrue();
            assertThat(filter("deny", "[]", "[]").allows("x", List.of())).isFalse();
        }

        @Test
        void aFilteredRuleIsSkippedAndTheNextOneTried() {
            Setup s = setup("""
                    - name: fixed
                      value: batch
                      filter: {type: allow, users: [admin]}
                    - name: user
                      create: true
                    """, OPEN_TREE);
            assertThat(s.place(app("", "admin")).queue()).isEqualTo("root.batch");
            assertThat(s.place(app("", "bob")).queue()).isEqualTo("root.bob");
        }

        private UserFilter filter(String type, String users, String groups) {
            String rule = "- name: user\n  filter: {type: " + type + ", users: " + users + ", groups: " + groups + "}\n";
            Setup s = setup(rule, OPEN_TREE);
            return s.placement().rules().getFirst().filter();
        }
    }

    @Nested
    class SubmitAcls {
        static final String ACL_TREE = """
                queues:
                  - name: research
                    submitacl: carl scientists
                    queues:
                      - name: gpu
                  - name: ops
                    adminacl: eli
                  - name: open
                    parent: true
                """;

        @Test
        void aConfigWithoutAnyAclLetsEveryoneSubmit() {
            Setup s = setup("", OPEN_TREE);
            assertThat(s.placement().access().enforced()).isFalse();
            assertThat(s.place(app("root.batch", "anyone")).queue()).isEqualTo("root.batch");
        }

        @Test
        void theSubmitOrAdminAclOfTheQueueOrAnyAncestorAdmits() {
            Setup s = setup("", ACL_TREE);
            assertThat(s.place(app("root.research.gpu", "carl")).queue()).isEqualTo("root.research.gpu");
            assertThat(s.place(app("root.research.gpu", "dana", "scientists")).queue()).isEqualTo("root.research.gpu");
            assertThat(s.place(app("root.ops", "eli")).queue()).isEqualTo("root.ops");
        }

        @Test
        void aUserNoAclOnThePathNamesIsRejectedWithTheAclsThatWereChecked() {
            Setup s = setup("", ACL_TREE);
            assertThat(s.place(app("root.research.gpu", "eli", "ops", "dev")).rejection()).isEqualTo(
                    "user eli (groups ops, dev) may not submit to root.research.gpu: submitacl 'carl scientists' of "
                            + "root.research does not allow it; add the user or a group to one of them");
        }

        @Test
        void aPathWithoutAnyAclDeniesOnceTheConfigSetsOne() {
            Setup s = setup("- name: user\n  create: true\n  parent: {name: fixed, value: root.open}\n", ACL_TREE);
            assertThat(s.place(app("", "carl")).rejection()).isEqualTo("no placement rule matched: rule 1 (user "
                    + "under fixed root.open): user carl (no groups) may not submit to root.open.carl: no queue from "
                    + "root.open.carl up to root sets a submitacl or adminacl; add the user or a group to one of them; "
                    + "fallback: root.default does not exist");
        }

        @Test
        void aRuleWhoseQueueTheUserMayNotSubmitToDoesNotMatch() {
            Setup s = setup("""
                    - name: fixed
                      value: root.research.gpu
                    - name: fixed
                      value: root.ops
                    """, ACL_TREE);
            assertThat(s.place(app("", "carl")).queue()).isEqualTo("root.research.gpu");
            assertThat(s.place(app("", "eli")).queue()).isEqualTo("root.ops");
            assertThat(s.place(app("", "zed")).rejection()).startsWith("no placement rule matched: rule 1 (fixed "
                    + "root.research.gpu): user zed (no groups) may not submit to root.research.gpu");
        }

        @Test
        void aQueueToBeCreatedIsJudgedByTheNearestQueueThatExists() {
            Setup s = setup("- name: provided\n  create: true\n", "queues:\n  - name: labs\n    parent: true\n"
                    + "    adminacl: \" scientists\"\n");
            assertThat(s.place(app("root.labs.new", "dana", "scientists"))).isEqualTo(
                    new Placement.Result("root.labs.new", true, ""));
            assertThat(s.place(app("root.labs.new", "eli")).isRejected()).isTrue();
        }
    }
}
