package io.fairway.cli;

import io.fairway.core.config.ConfigException;
import io.fairway.core.config.ConfigProblem;
import io.fairway.core.config.QueueConfigParser;
import io.fairway.core.config.SchedulerConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code fairway validate-config FILE}: checks a queue config before it is applied, with every problem at once. */
@Command(
        name = "validate-config",
        mixinStandardHelpOptions = true,
        description = {
                "Checks a YuniKorn queue config (a queues.yaml, or a Kubernetes ConfigMap holding one under "
                        + "data.\"queues.yaml\") and prints every problem with its line.",
                "Exit status: 0 valid, 1 problems found, 2 file not readable."
        })
public final class ValidateConfigCommand implements Callable<Integer> {
    static final int OK = 0;
    static final int INVALID = 1;
    static final int UNREADABLE = 2;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "queues.yaml or a ConfigMap manifest")
    Path file;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return unreadable("no such file");
        } catch (CharacterCodingException e) {
            return unreadable("not UTF-8 text");
        } catch (IOException e) {
            return unreadable(Files.isDirectory(file) ? "it is a directory" : String.valueOf(e.getMessage()));
        }
        try {
            SchedulerConfig config = QueueConfigParser.parse(text);
            int queues = config.partitions().stream().mapToInt(p -> p.root().queueCount()).sum();
            out.println("OK: " + file + ": " + config.partitions().size() + " partition(s), " + queues + " queue(s)");
            out.flush();
            return OK;
        } catch (ConfigException e) {
            for (ConfigProblem p : e.problems()) {
                out.println(file + ": " + p);
            }
            out.println("INVALID: " + file + ": " + e.problems().size() + " problem(s)");
            out.flush();
            return INVALID;
        }
    }

    private int unreadable(String reason) {
        PrintWriter err = spec.commandLine().getErr();
        err.println("cannot read " + file + ": " + reason + "; give the path of a queues.yaml or ConfigMap file");
        err.flush();
        return UNREADABLE;
    }
}
