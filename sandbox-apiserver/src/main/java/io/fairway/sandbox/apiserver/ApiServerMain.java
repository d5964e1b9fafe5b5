package io.fairway.sandbox.apiserver;

import java.io.PrintStream;
import java.nio.file.Path;

/**
 * The local API server as a process of its own, for suites that kill and restart it:
 * {@code java -cp CLASSPATH io.fairway.sandbox.apiserver.ApiServerMain [--port N] [--data DIR] [--history FILE]
 * [--kubelets-delete-pods]}. Once it serves, it prints exactly one line to stdout,
 * {@code apiserver ready on http://127.0.0.1:PORT}; logs go to stderr. SIGTERM stops it cleanly; after a SIGKILL, a
 * start on the same {@code --data} finds what was written. The fault endpoints ({@link ChaosEndpoints}) are on.
 */
public final class ApiServerMain {
    static final String READY = "apiserver ready on ";
    private static final String USAGE = """
            usage: ApiServerMain [--port N] [--data DIR] [--history FILE] [--kubelets-delete-pods]
              --port N                 port on 127.0.0.1 (default 0: a free one; a given port is bound exactly, or the start fails)
              --data DIR               journal the store in DIR and restore it from there on the next start
              --history FILE           append one JSON line per mutating request to FILE
              --kubelets-delete-pods   a running pod's graceful deletion waits for its kubelet's delete with grace 0""";

    /**
     * The command line.
     *
     * @param port               --port (0: a free port)
     * @param data               --data, or null
     * @param history            --history, or null
     * @param kubeletsDeletePods --kubelets-delete-pods
     */
    record Args(int port, Path data, Path history, boolean kubeletsDeletePods) {

        /** Parses {@code --flag value} and {@code --flag=value}; a mistake is an IllegalArgumentException saying which. */
        static Args parse(String... args) {
            int port = 0;
            Path data = null;
            Path history = null;
            boolean kubelets = false;
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                String value = null;
                int eq = a.indexOf('=');
                if (a.startsWith("--") && eq > 0) {
                    value = a.substring(eq + 1);
                    a = a.substring(0, eq);
                }
                switch (a) {
                    case "--port" -> {
                        String v = value != null ? value : next(args, ++i, a);
                        try {
                            port = Integer.parseInt(v);
                        } catch (NumberFormatException e) {
                            throw new IllegalArgumentException("--port must be a number from 0 to 65535, got \"" + v + "\"");
                        }
                        if (port < 0 || port > 65535) {
                            throw new IllegalArgumentException("--port must be a number from 0 to 65535, got " + port);
                        }
                    }
                    case "--data" -> data = Path.of(value != null ? value : next(args, ++i, a));
                    case "--history" -> history = Path.of(value != null ? value : next(args, ++i, a));
                    case "--kubelets-delete-pods" -> {
                        if (value != null) {
                            throw new IllegalArgumentException("--kubelets-delete-pods takes no value, got \"" + value + "\"");
                        }
                        kubelets = true;
                    }
                    default -> throw new IllegalArgumentException("unknown argument \"" + args[i] + "\"");
                }
            }
            return new Args(port, data, history, kubelets);
        }

        private static String next(String[] args, int i, String flag) {
            if (i >= args.length || args[i].startsWith("--")) {
                throw new IllegalArgumentException(flag + " needs a value");
            }
            return args[i];
        }

        ApiServerOptions options() {
            return ApiServerOptions.defaults().withPort(port).withDataDir(data).withHistoryFile(history)
                    .withKubeletsDeletingPods(kubeletsDeletePods).withFaultEndpoints(true);
        }
    }

    private ApiServerMain() {}

    public static void main(String[] argv) {
        // stdout carries the ready line and nothing else: whatever logs to System.out (a console appender) goes to stderr
        PrintStream stdout = System.out;
        System.setOut(System.err);
        if (argv.length == 1 && (argv[0].equals("--help") || argv[0].equals("-h"))) {
            System.err.println(USAGE);
            return;
        }
        Args args;
        try {
            args = Args.parse(argv);
        } catch (IllegalArgumentException e) {
            System.err.println("apiserver: " + e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        LocalApiServer server;
        try {
            server = LocalApiServer.start(args.options());
        } catch (Throwable e) {
            // exit, whatever it was: threads already started would otherwise keep a server that does not serve alive
            System.err.println("apiserver: cannot start: " + e.getMessage());
            e.printStackTrace(System.err);
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "apiserver-shutdown"));
        stdout.println(READY + server.url());
        stdout.flush();
    }
}
