package io.fairway.cli;

import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code fairway} command: each module contributes its subcommands here. */
@Command(
        name = "fairway",
        mixinStandardHelpOptions = true,
        versionProvider = Fairway.Version.class,
        description = "Fairway: an event-sourced batch scheduler for Kubernetes.",
        subcommands = {
                ValidateConfigCommand.class,
                SimulateCommand.class,
                BenchCommand.class,
                ReplayCommand.class,
                ExplainCommand.class,
                DemoCommand.class,
                ChaosCommand.class,
                RunCommand.class,
                HelpCommand.class
        })
public final class Fairway implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Commands that answer and exit: their output is the answer, with no log lines before it. */
    private static final Set<String> ANSWERING =
            Set.of("explain", "replay", "validate-config", "simulate", "help");

    /** When main began (epoch millis), for {@code fairway run}'s start-up line: the JVM's own start is before it. */
    static volatile long mainAtMillis;

    public static void main(String[] args) {
        mainAtMillis = System.currentTimeMillis();
        // before the first logger exists: logback.xml reads it (FAIRWAY_LOG_LEVEL still wins)
        if (args.length > 0 && ANSWERING.contains(args[0])) {
            System.setProperty("fairway.log.level", "WARN");
        }
        System.exit(commandLine().execute(args));
    }

    /** The configured command line, shared by {@link #main} and the tests. */
    public static CommandLine commandLine() {
        return new CommandLine(new Fairway()).setCaseInsensitiveEnumValuesAllowed(true)
                .setExecutionExceptionHandler(Fairway::failed);
    }

    /**
     * Fairway's own errors already say what is wrong and what to do: their message is the output. Anything else is a
     * bug or an unexpected failure, and gets its stack trace too (as does everything with FAIRWAY_DEBUG set).
     */
    private static int failed(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
        cl.getErr().println("fairway " + cl.getCommandName() + ": " + e.getMessage());
        boolean ours = e.getClass().getName().startsWith("io.fairway.");
        if (!ours || System.getenv("FAIRWAY_DEBUG") != null) {
            e.printStackTrace(cl.getErr());
        }
        cl.getErr().flush();
        return 3;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Fairway.class.getPackage().getImplementationVersion();
            return new String[] {"fairway " + (v == null ? "dev" : v)};
        }
    }
}
