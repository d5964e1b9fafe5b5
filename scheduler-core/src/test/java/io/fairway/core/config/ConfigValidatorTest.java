package io.fairway.core.config;

import static io.fairway.core.config.ConfigTestSupport.only;
import static io.fairway.core.config.ConfigTestSupport.problems;
import static io.fairway.core.config.ConfigTestSupport.underRoot;
import static org.assertj.core.api.Assertions.assertThat;

import io.fairway.core.resources.Resources;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** One test per validation rule: the exact place and the words that name the bad value. */
class ConfigValidatorTest {

    // ---- partitions ----

    @Test
    void noPartition() {
        ConfigProblem p = only("partitions: []\n");
        assertThat(p.where()).isEqualTo("partitions");
        assertThat(p.message()).contains("no partition is defined");
    }

    @Test
    void emptyDocumentHasNoPartition() {
        assertThat(only("# nothing here\n").message()).contains("no partition is defined");
    }

    @Test
    void duplicatePartitionNames() {
        ConfigProblem p = only("""
                partitions:
                  - name: gpu
                    queues: [{name: root}]
                  - name: GPU
                    queues: [{name: root}]
                """);
        assertThat(p.where()).isEqualTo("partitions[1].name");
        assertThat(p.line()).isEqualTo(4);
        assertThat(p.message()).contains("partition name 'GPU'", "already used by partitions[0]");
    }

    @Test
    void partitionWithoutNameIsTheDefaultPartitionAsInYuniKorn() {
        SchedulerConfig c = QueueConfigParser.parse("""
                partitions:
                  - queues: [{name: root}]
                """);
        assertThat(c.defaultPartition().name()).isEqualTo("default");
        ConfigProblem p = only("""
                partitions:
                  - queues: [{name: root}]
                  - name: Default
                    queues: [{name: root}]
                """);
        assertThat(p.message()).contains("partition name 'default'", "already used");
    }

    // ---- queue names ----

    @Test
    void queueNameWithDot() {
        ConfigProblem p = only(underRoot("""
                - name: a.b
                """));
        assertThat(p.where()).isEqualTo("root.a.b");
        assertThat(p.line()).isEqualTo(6);
        assertThat(p.message()).contains("queue name 'a.b' is not valid", "no dots");
    }

    @Test
    void queueNameTooLong() {
        String name = "q".repeat(65);
        assertThat(only(underRoot("- name: " + name)).message()).contains("queue name '" + name + "' is not valid");
    }

    @Test
    void queueNameMayUseYuniKornsExtraCharacters() {
        SchedulerConfig c = QueueConfigParser.parse(underRoot("""
                - name: "team:a#1/x@y_z-w"
                """));
        assertThat(c.defaultPartition().root().queues().getFirst().name()).isEqualTo("team:a#1/x@y_z-w");
    }

    @Test
    void queueWithoutName() {
        ConfigProblem p = only(underRoot("""
                - parent: true
                """));
        assertThat(p.where()).isEqualTo("root.<no name>");
        assertThat(p.line()).isEqualTo(6);
        assertThat(p.message()).contains("child queue of root has no name");
    }

    @Test
    void duplicateSiblingNamesIgnoringCase() {
        ConfigProblem p = only(underRoot("""
                - name: batch
                - name: Batch
                """));
        assertThat(p.where()).isEqualTo("root.Batch");
        assertThat(p.line()).isEqualTo(7);
        assertThat(p.message()).contains("queue name 'Batch' is used twice under root (line 6)");
    }

    @Test
    void sameNameUnderDifferentParentsIsFine() {
        String yaml = underRoot("""
                - name: a
                  queues: [{name: x}]
                - name: b
                  queues: [{name: x}]
                """);
        // parse throws on any problem
        QueueConfig root = QueueConfigParser.parse(yaml).defaultPartition().root();
        assertThat(root.queues()).extracting(QueueConfig::name).containsExactly("a", "b");
        assertThat(root.queues()).allSatisfy(q -> assertThat(q.queues()).extracting(QueueConfig::name)
                .containsExactly("x"));
    }

    // ---- root ----

    @Test
    void rootMustNotSetResources() {
        ConfigProblem p = only("""
                partitions:
                  - name: default
                    queues:
                      - name: root
                        resources:
                          max: {memory: 10Gi}
                """);
        assertThat(p.where()).isEqualTo("root");
        assertThat(p.line()).isEqualTo(5);
        assertThat(p.message()).contains("root queue must not set guaranteed or max");
    }

    @Test
    void rootIsAlwaysAParent() {
        SchedulerConfig c = QueueConfigParser.parse("""
                partitions:
                  - name: default
                    queues:
                      - name: root
                        parent: false
                """);
        assertThat(c.defaultPartition().root().isParent()).isTrue();
    }

    // ---- resources ----

    @Test
    void maxBelowGuaranteed() {
        ConfigProblem p = only(underRoot("""
                - name: a
                  resources:
                    guaranteed: {memory: 20Gi}
                    max: {memory: 10Gi}
                """));
        assertThat(p.where()).isEqualTo("root.a");
        assertThat(p.line()).isEqualTo(9);
        assertThat(p.message()).isEqualTo("max memory 10Gi is below guaranteed 20Gi; raise max or lower guaranteed");
    }

    @Test
    void decimalMemoryIsShownTheWayItWasWritten() {
        ConfigProblem p = only(underRoot("""
                - name: a
                  resources:
                    guaranteed: {memory: 500G}
                    max: {memory: 400G}
                """));
        assertThat(p.message()).startsWith("max memory 400G is below guaranteed 500G");
    }

    @Test
    void maxAboveParentMax() {
        ConfigProblem p = only(underRoot("""
                - name: a
                  resources:
                    max: {vcore: 4}
                  queues:
                    - name: b
                      resources:
                        max: {vcore: 6}
                """));
        assertThat(p.where()).isEqualTo("root.a.b");
        assertThat(p.line()).isEqualTo(12);
        assertThat(p.message()).contains("max cpu 6 is above the max 4 of root.a", "raise root.a's max");
    }

    @Test
    void maxIsComparedWithTheNearestAncestorThatSetsIt() {
        ConfigProblem p = only(underRoot("""
                - name: a
                  resources:
                    max: {memory: 8Gi}
                  queues:
                    - name: b
                      resources:
                        max: {vcore: 6}
                      queues:
                        - name: c
                          resources:
                            max: {memory: 9Gi, vcore: 6}
                """));
        assertThat(p.where()).isEqualTo("root.a.b.c");
        assertThat(p.message()).contains("max memory 9Gi is above the max 8Gi of root.a");
    }

    @Test
    void guaranteedAboveAncestorMax() {
        ConfigProblem p = only(underRoot("""
                - name: a
                  resources:
                    max: {memory: 8Gi}
                  queues:
                    - name: b
                      resources:
                        guaranteed: {memory: 9Gi}
                """));
        assertThat(p.where()).isEqualTo("root.a.b");
        assertThat(p.line()).isEqualTo(12);
        assertThat(p.message()).contains("guaranteed memory 9Gi is above the max 8Gi of root.a");
    }

    @Test
    void childrenGuaranteedAboveParentGuaranteed() {
        ConfigProblem p = only(underRoot("""
                - name: a
                  resources:
                    guaranteed: {vcore: 2}
                  queues:
                    - name: x
                      resources:
                        guaranteed: {vcore: 1500m}
                    - name: y
                      resources:
                        guaranteed: {vcore: 1}
                """));
        assertThat(p.where()).isEqualTo("root.a");
        assertThat(p.line()).isEqualTo(8);
        assertThat(p.message()).contains("guaranteed cpu 2 is below the sum of its children's guaranteed 2500m",
                "root.a.x 1500m", "root.a.y 1");
    }

    @Test
    void childrenGuaranteedAboveParentMax() {
        ConfigProblem p = only(underRoot("""
                - name: a
                  resources:
                    max: {memory: 10Gi}
                  queues:
                    - name: x
                      resources:
                        guaranteed: {memory: 6Gi}
                    - name: y
                      queues:
                        - name: z
                          resources:
                            guaranteed: {memory: 6Gi}
                """));
        assertThat(p.where()).isEqualTo("root.a");
        assertThat(p.message()).contains("max memory 10Gi is below the sum of its children's guaranteed 12Gi",
                "root.a.x 6Gi", "root.a.y 6Gi");
    }

    @Test
    void undefinedResourcesAreNotCompared() {
        String config = """
                - name: a
                  resources:
                    guaranteed: {memory: 1Gi}
                    max: {vcore: 1%s}
                  queues:
                    - name: b
                      resources:
                        guaranteed: {vcore: 1, nvidia.com/gpu: 2}
                        max: {memory: 5Gi}
                """;
        // a's max says nothing of GPUs or memory: b's 2 GPUs and 5Gi are not measured against it
        QueueConfig b = QueueConfigParser.parse(underRoot(config.formatted(""))).defaultPartition().root().queues()
                .getFirst().queues().getFirst();
        assertThat(b.guaranteed().get("nvidia.com/gpu")).isEqualTo(2);
        // once it does, they are
        assertThat(only(underRoot(config.formatted(", nvidia.com/gpu: 1"))).message()).contains("nvidia.com/gpu");
    }

    // ---- maxapplications ----

    @Test
    void childMaxApplicationsAboveParent() {
        ConfigProblem p = only(underRoot("""
                - name: a
                  maxapplications: 5
                  queues:
                    - name: b
                      maxapplications: 6
                """));
        assertThat(p.where()).isEqualTo("root.a.b");
        assertThat(p.line()).isEqualTo(10);
        assertThat(p.message()).contains("maxapplications 6 is above the parent root.a's maxapplications 5");
    }

    // ---- ACLs ----

    @Test
    void aclWithMoreThanOneSpace() {
        ConfigProblem p = only(underRoot("""
                - name: a
                  submitacl: "alice bob devs"
                """));
        assertThat(p.where()).isEqualTo("root.a");
        assertThat(p.line()).isEqualTo(7);
        assertThat(p.message()).contains("submitacl 'alice bob devs' has more than one space");
    }

    @Test
    void adminAclWithTwoLeadingSpaces() {
        assertThat(only(underRoot("""
                - name: a
                  adminacl: "  ops"
                """)).message()).contains("adminacl '  ops' has more than one space");
    }

    // ---- properties ----

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "application.sort.policy | lifo  | 'lifo' is not known; use fifo or fair",
            "application.sort.priority | maybe | 'maybe' is not known; use enabled or disabled",
            "priority.policy | strict | 'strict' is not known; use default or fence",
            "preemption.policy | never | 'never' is not known; use default or fence or disabled",
            "priority.offset | 3000000000 | '3000000000' is not a whole number",
            "priority.offset | high | 'high' is not a whole number",
            "preemption.delay | 10 | '10' is not a duration",
            "preemption.delay | 0s | '0s' must be more than 0",
            "quota.preemption.delay | 1 minute | '1 minute' is not a duration",
            "quota.preemption.delay | -5s | '-5s' must be 0 or more"})
    void badPropertyValue(String key, String value, String expected) {
        ConfigProblem p = only(underRoot("""
                - name: a
                  properties:
                    %s: "%s"
                """.formatted(key, value)));
        assertThat(p.where()).isEqualTo("root.a");
        assertThat(p.line()).isEqualTo(8);
        assertThat(p.message()).startsWith("property " + key + " ").contains(expected);
    }

    @Test
    void knownPropertiesAcceptTheirValuesInAnyCaseAndOtherKeysAreFree() {
        QueueConfig a = QueueConfigParser.parse(underRoot("""
                - name: a
                  properties:
                    application.sort.policy: FAIR
                    application.sort.priority: Enabled
                    priority.policy: fence
                    priority.offset: -100
                    preemption.policy: disabled
                    preemption.delay: 1m30s
                    quota.preemption.delay: 0
                    my.own.setting: 42
                """)).defaultPartition().root().queues().getFirst();
        assertThat(a.properties()).containsEntry("priority.offset", "-100").containsEntry("my.own.setting", "42");
    }

    @Test
    void childTemplateIsChecked() {
        List<ConfigProblem> ps = problems(underRoot("""
                - name: a
                  parent: true
                  childtemplate:
                    maxapplications: 3
                    properties:
                      application.sort.policy: random
                    resources:
                      guaranteed: {memory: 2Gi}
                      max: {memory: 1Gi}
                """));
        assertThat(ps).extracting(ConfigProblem::where).containsOnly("root.a childtemplate");
        assertThat(ps).extracting(ConfigProblem::message).anySatisfy(m -> assertThat(m)
                .contains("'random' is not known")).anySatisfy(m -> assertThat(m)
                .contains("max memory 1Gi is below guaranteed 2Gi"));
    }

    // ---- limits ----

    @Test
    void limitWithoutUsersOrGroups() {
        ConfigProblem p = only(underRoot("""
                - name: a
                  limits:
                    - limit: nobody
                      maxapplications: 2
                """));
        assertThat(p.where()).isEqualTo("root.a");
        assertThat(p.line()).isEqualTo(8);
        assertThat(p.message()).contains("limit 'nobody' names no users and no groups");
    }

    @Test
    void limitThatLimitsNothing() {
        ConfigProblem p = only(underRoot("""
                - name: a
                  limits:
                    - users: [alice]
                      maxresources: {memory: 0}
                """));
        assertThat(p.message()).contains("limit #1 limits nothing", "set at least one");
    }

    @Test
    void userInTwoLimitsOfTheSameQueue() {
        ConfigProblem p = only(underRoot("""
                - name: a
                  limits:
                    - limit: first
                      users: [alice, bob]
                      maxapplications: 2
                    - limit: second
                      users: [bob]
                      maxapplications: 3
                """));
        assertThat(p.where()).isEqualTo("root.a");
        assertThat(p.line()).isEqualTo(12);
        assertThat(p.message()).contains("user 'bob' is in two limits of the same queue", "'second'", "(line 8)");
    }

    @Test
    void groupInTwoLimitsOfTheSameQueue() {
        assertThat(only(underRoot("""
                - name: a
                  limits:
                    - groups: ["*"]
                      maxapplications: 2
                    - groups: ["*"]
                      maxapplications: 3
                """)).message()).contains("group '*' is in two limits");
    }

    @Test
    void wildcardUsersAndGroupsAreAllowed() {
        String yaml = underRoot("""
                - name: a
                  limits:
                    - users: ["*"]
                      groups: ["*"]
                      maxapplications: 2
                """);
        // parse throws on any problem
        Limit limit = QueueConfigParser.parse(yaml).defaultPartition().root().queues().getFirst().limits().getFirst();
        assertThat(limit.users()).containsExactly("*");
        assertThat(limit.groups()).containsExactly("*");
        assertThat(limit.maxApplications()).isEqualTo(2);
    }

    @Test
    void invalidLimitUserName() {
        ConfigProblem p = only(underRoot("""
                - name: a
                  limits:
                    - users: ["1alice"]
                      maxapplications: 2
                """));
        assertThat(p.message()).contains("user '1alice' is not a valid user name");
    }

    @Test
    void limitMaxResourcesAboveQueueMax() {
        ConfigProblem p = only(underRoot("""
                - name: a
                  resources:
                    max: {memory: 4Gi}
                  limits:
                    - limit: big
                      users: [alice]
                      maxresources: {memory: 8Gi}
                """));
        assertThat(p.where()).isEqualTo("root.a");
        assertThat(p.line()).isEqualTo(12);
        assertThat(p.message()).contains("limit 'big' maxresources memory 8Gi is above the queue's max 4Gi");
    }

    @Test
    void limitMaxApplicationsAboveQueueMaxApplications() {
        assertThat(only(underRoot("""
                - name: a
                  maxapplications: 5
                  limits:
                    - users: [alice]
                      maxapplications: 6
                """)).message()).contains("limit #1 maxapplications 6 is above the queue's maxapplications 5");
    }

    @Test
    void partitionLimitsAreCheckedToo() {
        ConfigProblem p = only("""
                partitions:
                  - name: default
                    limits:
                      - limit: empty
                        maxapplications: 1
                    queues: [{name: root}]
                """);
        assertThat(p.where()).isEqualTo("partitions[0].limits");
        assertThat(p.line()).isEqualTo(4);
        assertThat(p.message()).contains("limit 'empty' names no users and no groups");
    }

    // ---- placement rules ----

    private static String withRules(String rules) {
        return """
                partitions:
                  - name: default
                    placementrules:
                """ + rules.stripIndent().lines().map(l -> "      " + l + "\n").reduce("", String::concat) + """
                    queues:
                      - name: root
                        queues:
                          - name: leaf
                          - name: users
                            parent: true
                """;
    }

    @Test
    void unknownPlacementRule() {
        ConfigProblem p = only(withRules("""
                - name: Namespace
                  create: true
                """));
        assertThat(p.where()).isEqualTo("partitions[0].placementrules[0]");
        assertThat(p.line()).isEqualTo(4);
        assertThat(p.message()).contains("placement rule 'namespace' is not known; use one of provided, user, tag, fixed");
    }

    @Test
    void tagRuleNeedsAValue() {
        ConfigProblem p = only(withRules("""
                - name: tag
                  create: true
                """));
        assertThat(p.message()).contains("placement rule tag needs a value");
    }

    @Test
    void fixedRuleNeedsAValue() {
        ConfigProblem p = only(withRules("""
                - name: provided
                - name: fixed
                """));
        assertThat(p.where()).isEqualTo("partitions[0].placementrules[1]");
        assertThat(p.message()).contains("placement rule fixed needs a value");
    }

    @Test
    void fixedValueMustBeAQueuePath() {
        assertThat(only(withRules("""
                - name: fixed
                  value: root..leaf
                """)).message()).contains("fixed value 'root..leaf' is not a queue path");
    }

    @Test
    void filterEntryThatIsNeitherNameNorRegex() {
        ConfigProblem p = only(withRules("""
                - name: user
                  create: true
                  filter:
                    type: deny
                    users: ["[a-z"]
                """));
        assertThat(p.where()).isEqualTo("partitions[0].placementrules[0].filter.users");
        assertThat(p.message()).contains("filter user '[a-z' is neither a user name nor a valid regular expression");
    }

    @Test
    void filterRegexesAreAccepted() {
        PlacementRule rule = QueueConfigParser.parse(withRules("""
                - name: user
                  create: true
                  filter:
                    type: deny
                    users: ["^admin.*$"]
                    groups: [ops, "dev-.*"]
                """)).defaultPartition().placementRules().getFirst();
        assertThat(rule.filter().allow()).isFalse();
        assertThat(rule.filter().groups()).containsExactly("ops", "dev-.*");
    }

    @Test
    void parentRuleIsCheckedToo() {
        ConfigProblem p = only(withRules("""
                - name: user
                  create: true
                  parent:
                    name: tag
                """));
        assertThat(p.where()).isEqualTo("partitions[0].placementrules[0].parent");
        assertThat(p.message()).contains("placement rule tag needs a value");
    }

    @Test
    void fixedRuleMustPointAtALeaf() {
        ConfigProblem p = only(withRules("""
                - name: fixed
                  value: root.users
                """));
        assertThat(p.message()).contains("placement rule #1 (fixed) places applications in root.users, which is a parent");
    }

    @Test
    void fixedRuleFindsTheQueueByExactNameFirstThenIgnoringCase() {
        List<ConfigProblem> ps = problems("""
                partitions:
                  - name: default
                    placementrules:
                      - name: fixed
                        value: root.Batch
                    queues:
                      - name: root
                        queues:
                          - name: batch
                          - name: Batch
                            parent: true
                """);
        assertThat(ps).extracting(ConfigProblem::message).satisfiesExactlyInAnyOrder(
                m -> assertThat(m).contains("places applications in root.Batch, which is a parent queue"),
                m -> assertThat(m).contains("queue name 'Batch' is used twice under root"));
        QueueConfigParser.parse(withRules("""
                - name: fixed
                  value: root.LEAF
                """));
    }

    @Test
    void fixedParentOfADynamicRuleMustBeAParent() {
        ConfigProblem p = only(withRules("""
                - name: user
                  create: true
                  parent:
                    name: fixed
                    value: leaf
                """));
        assertThat(p.message()).contains("placement rule #1 (fixed -> user) creates queues under root.leaf, which is a leaf");
    }

    @Test
    void fixedQueueThatDoesNotExistNeedsCreate() {
        ConfigProblem p = only(withRules("""
                - name: fixed
                  value: root.missing
                """));
        assertThat(p.message()).contains("names root.missing, which does not exist, and create is false");
        QueueConfigParser.parse(withRules("""
                - name: fixed
                  value: root.users.missing
                  create: true
                """));
    }

    @Test
    void queueCannotBeCreatedUnderALeaf() {
        assertThat(only(withRules("""
                - name: fixed
                  value: root.leaf.below
                  create: true
                """)).message()).contains("names root.leaf.below, which cannot be created because root.leaf is a leaf");
    }

    @Test
    void onlyTheFirstFixedRuleOfAChainMayBeFullyQualified() {
        assertThat(only(withRules("""
                - name: user
                  create: true
                  parent:
                    name: fixed
                    value: root.users
                    parent:
                      name: fixed
                      value: root.users
                """)).message()).contains("the fixed value 'root.users' starts with root but follows root.users");
    }

    // ---- node sort policy ----

    @Test
    void negativeResourceWeight() {
        ConfigProblem p = only("""
                partitions:
                  - name: default
                    nodesortpolicy:
                      type: fair
                      resourceweights:
                        vcore: -1
                        memory: 1
                    queues: [{name: root}]
                """);
        assertThat(p.where()).isEqualTo("partitions[0].nodesortpolicy.resourceweights.cpu");
        assertThat(p.message()).contains("resource weight for cpu is -1.0; weights must be 0 or more");
    }

    @Test
    void resourceWeightsMapVcoreToCpu() {
        NodeSortPolicy policy = QueueConfigParser.parse("""
                partitions:
                  - name: default
                    nodesortpolicy:
                      type: BinPacking
                      resourceweights: {vcore: 2.0, memory: 1.0, nvidia.com/gpu: 4}
                    queues: [{name: root}]
                """).defaultPartition().nodeSortPolicy();
        assertThat(policy.type()).isEqualTo(NodeSortPolicy.Type.BINPACKING);
        assertThat(policy.resourceWeights()).isEqualTo(Map.of("cpu", 2.0, "memory", 1.0, "nvidia.com/gpu", 4.0));
    }

    // ---- configs built in code ----

    @Test
    void validatesConfigsBuiltInCode() {
        QueueConfig bad = new QueueConfig("a b", false, Resources.of("memory", 2), Resources.of("memory", 1), 0,
                Map.of(), Acl.NOT_SET, Acl.NOT_SET, ChildTemplate.NONE, List.of(), List.of());
        QueueConfig root = new QueueConfig("root", true, Resources.NONE, Resources.NONE, 0, Map.of(), Acl.NOT_SET,
                Acl.NOT_SET, ChildTemplate.NONE, List.of(bad), List.of());
        List<ConfigProblem> ps = ConfigValidator.validate(new SchedulerConfig(List.of(new PartitionConfig(
                "default", root, List.of(), List.of(), PreemptionConfig.DEFAULT, NodeSortPolicy.DEFAULT))));
        assertThat(ps).extracting(ConfigProblem::message).anySatisfy(m -> assertThat(m)
                .contains("queue name 'a b' is not valid")).anySatisfy(m -> assertThat(m)
                .contains("max memory 1 is below guaranteed 2"));
        assertThat(ps).extracting(ConfigProblem::line).containsOnly(0);
    }
}
