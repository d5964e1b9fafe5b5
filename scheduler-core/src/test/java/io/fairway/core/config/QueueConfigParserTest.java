package io.fairway.core.config;

import static io.fairway.core.config.ConfigTestSupport.only;
import static io.fairway.core.config.ConfigTestSupport.problems;
import static io.fairway.core.config.ConfigTestSupport.underRoot;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Reading the YAML: syntax, unknown keys, types and quantities, the ConfigMap wrapper, all problems at once. */
class QueueConfigParserTest {

    @Test
    void malformedYamlNamesTheLine() {
        ConfigProblem p = only("""
                partitions:
                  - name: default
                    queues:
                      - name: root
                     bad: indentation
                """);
        assertThat(p.where()).isEqualTo("document");
        assertThat(p.line()).isEqualTo(5);
        assertThat(p.message()).startsWith("malformed YAML");
    }

    @Test
    void duplicateKeyIsMalformed() {
        ConfigProblem p = only("""
                partitions:
                  - name: default
                    name: other
                    queues: [{name: root}]
                """);
        assertThat(p.line()).isEqualTo(3);
        assertThat(p.message()).contains("malformed YAML", "duplicate key name");
    }

    @Test
    void unknownKeyNamesKeyPathLineAndAllowedKeys() {
        ConfigProblem p = only(underRoot("""
                - name: a
                  maxApplications: 10
                """));
        assertThat(p.where()).isEqualTo("partitions[0].queues[0].queues[0].maxApplications");
        assertThat(p.line()).isEqualTo(7);
        assertThat(p.message()).contains("unknown key 'maxApplications' in queue",
                "did you mean 'maxapplications'?", "allowed keys: name, parent, resources, maxapplications");
    }

    @Test
    void unknownKeysEverywhere() {
        List<ConfigProblem> ps = problems("""
                version: 2
                partitions:
                  - name: default
                    nodesort: fair
                    preemption: {enabled: true, delay: 5s}
                    placementrules:
                      - name: user
                        filter: {type: allow, names: [a]}
                    limits:
                      - users: [a]
                        maxapps: 1
                    queues:
                      - name: root
                        resources: {min: {memory: 1}}
                        childtemplate: {submitacl: "*"}
                """);
        assertThat(ps).extracting(ConfigProblem::message).allSatisfy(m -> assertThat(m).startsWith("unknown key"));
        assertThat(ps).extracting(ConfigProblem::where).contains(
                "version",
                "partitions[0].nodesort",
                "partitions[0].preemption.delay",
                "partitions[0].placementrules[0].filter.names",
                "partitions[0].limits[0].maxapps",
                "partitions[0].queues[0].resources.min",
                "partitions[0].queues[0].childtemplate.submitacl");
    }

    @Test
    void checksumAndStateDumpFilePathAreTolerated() {
        SchedulerConfig c = QueueConfigParser.parse("""
                checksum: 1234abcd
                partitions:
                  - name: default
                    statedumpfilepath: /tmp/dump
                    queues: [{name: root}]
                """);
        assertThat(c.partitions()).hasSize(1);
    }

    @Test
    void badQuantityNamesResourceValueAndPath() {
        ConfigProblem p = only(underRoot("""
                - name: a
                  resources:
                    max: {memory: 10GB}
                """));
        assertThat(p.where()).isEqualTo("partitions[0].queues[0].queues[0].resources.max.memory");
        assertThat(p.line()).isEqualTo(8);
        assertThat(p.message()).contains("max memory of queue root.a", "'10GB' is not a quantity");
    }

    @Test
    void negativeQuantity() {
        ConfigProblem p = only(underRoot("""
                - name: a
                  resources:
                    guaranteed:
                      vcore: -2
                """));
        assertThat(p.where()).isEqualTo("partitions[0].queues[0].queues[0].resources.guaranteed.vcore");
        assertThat(p.line()).isEqualTo(9);
        assertThat(p.message()).contains("guaranteed vcore '-2' of queue root.a is negative");
    }

    @Test
    void badQuantityInLimit() {
        ConfigProblem p = only(underRoot("""
                - name: a
                  limits:
                    - limit: mem
                      users: [alice]
                      maxresources: {memory: lots}
                """));
        assertThat(p.message()).contains("maxresources memory of limit 'mem' of queue root.a", "'lots' is not a quantity");
    }

    @Test
    void sameResourceTwiceUnderTwoNames() {
        ConfigProblem p = only(underRoot("""
                - name: a
                  resources:
                    max: {vcore: 1, cpu: 2}
                """));
        assertThat(p.message()).contains("max of queue root.a names cpu twice ('vcore' and 'cpu')");
    }

    @Test
    void resourceWithoutValue() {
        assertThat(only(underRoot("""
                - name: a
                  resources:
                    max:
                      memory:
                """)).message()).contains("max memory of queue root.a has no value");
    }

    @Test
    void maxApplicationsMustBeAWholeNonNegativeNumber() {
        List<ConfigProblem> ps = problems(underRoot("""
                - name: a
                  maxapplications: ten
                - name: b
                  maxapplications: -1
                """));
        assertThat(ps).extracting(ConfigProblem::message).containsExactly(
                "maxapplications of queue root.a 'ten' is not a whole number; write a count like 10 (0 means no limit)",
                "maxapplications of queue root.b -1 is negative; use 0 (no limit) or more");
        assertThat(ps).extracting(ConfigProblem::line).containsExactly(7, 9);
    }

    @Test
    void wrongShapes() {
        List<ConfigProblem> ps = problems("""
                partitions:
                  - name: default
                    queues:
                      name: root
                """);
        assertThat(ps).extracting(ConfigProblem::message).anySatisfy(m -> assertThat(m)
                .isEqualTo("queues must be a list (items starting with '- '), found a map"));
        assertThat(only(underRoot("""
                - name: a
                  properties: [x, y]
                """)).message()).isEqualTo("properties must be a map of keys and values, found a list");
    }

    @Test
    void notABoolean() {
        ConfigProblem p = only(underRoot("""
                - name: a
                  parent: sometimes
                """));
        assertThat(p.message()).isEqualTo("parent of queue root.a 'sometimes' is not true or false");
    }

    @Test
    void unknownFilterType() {
        ConfigProblem p = only("""
                partitions:
                  - name: default
                    placementrules:
                      - name: user
                        filter: {type: block}
                    queues: [{name: root}]
                """);
        assertThat(p.where()).isEqualTo("partitions[0].placementrules[0].filter.type");
        assertThat(p.message()).isEqualTo("filter type 'block' is not known; use allow or deny");
    }

    @Test
    void unknownNodeSortPolicy() {
        ConfigProblem p = only("""
                partitions:
                  - name: default
                    nodesortpolicy: {type: spread}
                    queues: [{name: root}]
                """);
        assertThat(p.where()).isEqualTo("partitions[0].nodesortpolicy.type");
        assertThat(p.message()).isEqualTo("node sort policy type 'spread' is not known; use fair or binpacking");
    }

    @Test
    void resourceWeightMustBeANumber() {
        assertThat(only("""
                partitions:
                  - name: default
                    nodesortpolicy: {resourceweights: {memory: heavy}}
                    queues: [{name: root}]
                """).message()).contains("resource weight for memory 'heavy' is not a number");
    }

    @Test
    void partitionWithoutQueues() {
        ConfigProblem p = only("""
                partitions:
                  - name: default
                """);
        assertThat(p.where()).isEqualTo("partitions[0].queues");
        assertThat(p.message()).contains("partition 'default' has no queues");
    }

    @Test
    void propertyValuesWrittenAsNumbersKeepTheirText() {
        QueueConfig a = QueueConfigParser.parse(underRoot("""
                - name: a
                  properties:
                    priority.offset: 10
                    x: 1.50
                    y: true
                    z:
                """)).defaultPartition().root().queues().getFirst();
        assertThat(a.properties()).containsEntry("priority.offset", "10").containsEntry("x", "1.50")
                .containsEntry("y", "true").containsEntry("z", "");
    }

    @Test
    void severalProblemsAreAllReportedInFileOrder() {
        List<ConfigProblem> ps = problems(underRoot("""
                - name: a.b
                  submitacl: "a b c"
                - name: c
                  resources:
                    guaranteed: {memory: 2Gi}
                    max: {memory: 1Gi, vcore: x}
                  properties:
                    application.sort.policy: lifo
                  limits:
                    - maxapplications: 1
                """));
        assertThat(ps).extracting(ConfigProblem::line).isSorted();
        assertThat(ps).extracting(ConfigProblem::message).satisfiesExactlyInAnyOrder(
                m -> assertThat(m).contains("queue name 'a.b' is not valid"),
                m -> assertThat(m).contains("submitacl 'a b c' has more than one space"),
                m -> assertThat(m).contains("max memory 1Gi is below guaranteed 2Gi"),
                m -> assertThat(m).contains("max vcore of queue root.c", "'x' is not a quantity"),
                m -> assertThat(m).contains("property application.sort.policy 'lifo' is not known"),
                m -> assertThat(m).contains("limit #1 names no users and no groups"));
    }

    @Test
    void exceptionMessageListsEveryProblem() {
        ConfigException e = org.assertj.core.api.Assertions.catchThrowableOfType(ConfigException.class,
                () -> QueueConfigParser.parse(underRoot("""
                        - name: a.b
                        - name: c.d
                        """)));
        assertThat(e.getMessage()).contains("2 problem(s)", "line 6: root.a.b:", "line 7: root.c.d:");
    }

    // ---- ConfigMap ----

    @Test
    void configMapProblemsSayTheLinesAreInsideQueuesYaml() {
        ConfigProblem p = only("""
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: yunikorn-configs
                data:
                  queues.yaml: |
                    partitions:
                      - name: default
                        queues:
                          - name: root
                            queues:
                              - name: a
                                maxapplications: many
                """);
        assertThat(p.where()).isEqualTo("data.queues.yaml: partitions[0].queues[0].queues[0].maxapplications");
        assertThat(p.line()).isEqualTo(7);
    }

    @Test
    void configMapValidationProblemsArePrefixedToo() {
        ConfigProblem p = only("""
                kind: ConfigMap
                data:
                  queues.yaml: |
                    partitions:
                      - name: default
                        queues:
                          - name: root
                            queues:
                              - name: a.b
                """);
        assertThat(p.where()).isEqualTo("data.queues.yaml: root.a.b");
        assertThat(p.line()).isEqualTo(6);
    }

    @Test
    void malformedYamlInsideConfigMap() {
        ConfigProblem p = only("""
                kind: ConfigMap
                data:
                  queues.yaml: |
                    partitions:
                      - name: default
                        queues: [
                """);
        assertThat(p.where()).isEqualTo("data.queues.yaml: document");
        assertThat(p.message()).startsWith("malformed YAML");
    }

    @Test
    void configMapWithoutQueuesYaml() {
        ConfigProblem p = only("""
                apiVersion: v1
                kind: ConfigMap
                data:
                  log.level: DEBUG
                """);
        assertThat(p.where()).isEqualTo("data");
        assertThat(p.line()).isEqualTo(3);
        assertThat(p.message()).contains("no data.\"queues.yaml\"");
    }
}
