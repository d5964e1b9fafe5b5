package io.fairway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ValidateConfigCommandTest {
    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cmd = Fairway.commandLine();
        cmd.setOut(new PrintWriter(out));
        cmd.setErr(new PrintWriter(err));
        return cmd.execute(args);
    }

    /** Fixture 05 of the YuniKorn examples, trimmed: a ConfigMap with a two-level guaranteed/max tree. */
    private Path goodConfigMap() throws IOException {
        Path file = dir.resolve("yunikorn-configs.yaml");
        Files.writeString(file, """
                kind: ConfigMap
                apiVersion: v1
                metadata:
                  name: yunikorn-configs
                data:
                  log.level: "0"
                  queues.yaml: |
                    partitions:
                    - name: default
                      queues:
                        - name: root
                          queues:
                          - name: system
                            adminacl: " admin"
                            resources:
                              guaranteed: {memory: 2G, vcore: 2}
                              max: {memory: 6G, vcore: 6}
                          - name: tenants
                            resources:
                              guaranteed: {memory: 2G, vcore: 2}
                              max: {memory: 4G, vcore: 8}
                            queues:
                              - name: group-a
                                adminacl: " group-a"
                                resources:
                                  guaranteed: {memory: 1G, vcore: 1}
                                  max: {memory: 2G, vcore: 4}
                              - name: group-b
                                adminacl: " group-b"
                                resources:
                                  guaranteed: {memory: 1G, vcore: 1}
                                  max: {memory: 2G, vcore: 4}
                """);
        return file;
    }

    @Test
    void validConfigMap() throws IOException {
        Path file = goodConfigMap();
        assertThat(run("validate-config", file.toString())).isZero();
        assertThat(out.toString()).isEqualTo("OK: " + file + ": 1 partition(s), 5 queue(s)" + System.lineSeparator());
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void plainQueuesYamlWithTwoPartitions() throws IOException {
        Path file = dir.resolve("queues.yaml");
        Files.writeString(file, """
                partitions:
                  - name: default
                    queues: [{name: root, queues: [{name: a}, {name: b}]}]
                  - name: gpu
                    queues: [{name: train}]
                """);
        assertThat(run("validate-config", file.toString())).isZero();
        assertThat(out.toString()).contains("OK: " + file + ": 2 partition(s), 5 queue(s)");
    }

    @Test
    void invalidConfigPrintsEveryProblemWithFileAndLine() throws IOException {
        Path file = dir.resolve("bad.yaml");
        Files.writeString(file, """
                partitions:
                  - name: default
                    queues:
                      - name: root
                        queues:
                          - name: a
                            resources:
                              guaranteed: {memory: 20Gi}
                              max: {memory: 10Gi}
                          - name: b.c
                """);
        assertThat(run("validate-config", file.toString())).isEqualTo(1);
        String[] lines = out.toString().split("\\R");
        assertThat(lines).containsExactly(
                file + ": line 9: root.a: max memory 10Gi is below guaranteed 20Gi; raise max or lower guaranteed",
                file + ": line 10: root.b.c: queue name 'b.c' is not valid; use 1 to 64 letters, digits or _ - : # / @ (no dots)",
                "INVALID: " + file + ": 2 problem(s)");
    }

    @Test
    void malformedYamlIsAProblemToo() throws IOException {
        Path file = dir.resolve("broken.yaml");
        Files.writeString(file, "partitions:\n  - name: [default\n");
        assertThat(run("validate-config", file.toString())).isEqualTo(1);
        assertThat(out.toString()).contains(file + ": line ", "malformed YAML");
    }

    @Test
    void unreadableFile() {
        Path missing = dir.resolve("missing.yaml");
        assertThat(run("validate-config", missing.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("cannot read " + missing + ": no such file");
        assertThat(out.toString()).isEmpty();
        assertThat(run("validate-config", dir.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("it is a directory");
    }
}
