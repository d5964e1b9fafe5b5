package io.fairway.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.util.List;

/** Helpers for tests that expect a config to be rejected. */
final class ConfigTestSupport {
    private ConfigTestSupport() {
    }

    /** Every problem the parser reports; fails when the config is accepted. */
    static List<ConfigProblem> problems(String yaml) {
        Throwable t = catchThrowable(() -> QueueConfigParser.parse(yaml));
        assertThat(t).as("config should be rejected").isInstanceOf(ConfigException.class);
        return ((ConfigException) t).problems();
    }

    /** The one problem the parser reports; fails when there is none or more than one. */
    static ConfigProblem only(String yaml) {
        List<ConfigProblem> problems = problems(yaml);
        assertThat(problems).as("exactly one problem expected").hasSize(1);
        return problems.getFirst();
    }

    /** A default partition whose root has the given children, written at the indentation of root's children. */
    static String underRoot(String children) {
        return """
                partitions:
                  - name: default
                    queues:
                      - name: root
                        queues:
                """ + children.stripIndent().lines().map(l -> "          " + l + "\n").reduce("", String::concat);
    }
}
