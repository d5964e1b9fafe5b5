package io.fairway.cli;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code fairway help [COMMAND [SUBCOMMAND…]]}: the usage of the command the path names, however deep (picocli's own
 * help command looks at the first word only, so {@code help bench core} showed {@code bench}).
 */
@Command(name = "help", helpCommand = true,
        description = "Shows the options of a command: fairway help bench core.")
public final class HelpCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "COMMAND", arity = "0..*", description = "The command, and its subcommands, to explain.")
    List<String> path = List.of();

    @Override
    public Integer call() {
        CommandLine cmd = spec.parent().commandLine();
        StringBuilder walked = new StringBuilder(cmd.getCommandName());
        for (String word : path) {
            CommandLine next = cmd.getSubcommands().get(word);
            if (next == null) {
                spec.commandLine().getErr().printf("fairway help: '%s' has no command '%s'; its commands are: %s%n",
                        walked, word, String.join(", ", cmd.getSubcommands().keySet()));
                spec.commandLine().getErr().flush();
                return 2;
            }
            cmd = next;
            walked.append(' ').append(word);
        }
        cmd.usage(spec.commandLine().getOut(), spec.commandLine().getColorScheme());
        spec.commandLine().getOut().flush();
        return 0;
    }
}
