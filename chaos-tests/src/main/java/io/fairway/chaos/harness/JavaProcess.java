package io.fairway.chaos.harness;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A JVM of the system under test (a replica, the API server), started from this JVM's own classpath, its output
 * appended to a file (one per process name, across restarts) and watched line by line. Signals as a kernel or a
 * container runtime sends them: SIGKILL, SIGTERM, SIGSTOP and SIGCONT.
 */
public final class JavaProcess {
    private final String name;
    private final Process process;
    private final Path output;
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final List<Consumer<String>> watchers = new CopyOnWriteArrayList<>();

    private JavaProcess(String name, Process process, Path output) {
        this.name = name;
        this.process = process;
        this.output = output;
    }

    /** Starts {@code mainClass} with {@code jvmOptions} and {@code args}. */
    public static JavaProcess start(String name, Path output, List<String> jvmOptions, String mainClass,
                                    List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.addAll(jvmOptions);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass);
        cmd.addAll(args);
        try {
            Files.createDirectories(output.toAbsolutePath().getParent());
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            JavaProcess jp = new JavaProcess(name, p, output);
            Thread.ofVirtual().name("output-" + name).start(jp::pump);
            return jp;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name + " (" + mainClass + "): " + e.getMessage(), e);
        }
    }

    private void pump() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8));
             PrintWriter out = new PrintWriter(Files.newBufferedWriter(output, StandardCharsets.UTF_8,
                     StandardOpenOption.CREATE, StandardOpenOption.APPEND), true)) {
            out.println("---- " + name + " pid " + process.pid() + " started " + Instant.now());
            for (String line; (line = r.readLine()) != null; ) {
                out.println(line);
                if (lines.size() < 20_000) {
                    lines.add(line);
                }
                for (Consumer<String> w : watchers) {
                    w.accept(line);
                }
            }
        } catch (IOException e) {
            // the process went away mid-line: what it printed is in the file
        }
    }

    /** Told of every line printed from now on (on the output thread: it must be quick). */
    public void watch(Consumer<String> watcher) {
        watchers.add(watcher);
    }

    /** Waits for a line matching {@code pattern} (printed before or after this call); its match. */
    public Matcher await(Pattern pattern, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            for (String l : lines) {
                Matcher m = pattern.matcher(l);
                if (m.find()) {
                    return m;
                }
            }
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + " before printing '"
                        + pattern + "'; its output is in " + output);
            }
            sleep(50);
        }
        throw new IllegalStateException(name + " did not print '" + pattern + "' within " + timeout.toSeconds()
                + " s; its output is in " + output);
    }

    /** How many lines printed so far match {@code pattern}. */
    public int linesMatching(Pattern pattern) {
        int n = 0;
        for (String l : lines) {
            if (pattern.matcher(l).find()) {
                n++;
            }
        }
        return n;
    }

    public String name() {
        return name;
    }

    public long pid() {
        return process.pid();
    }

    public boolean alive() {
        return process.isAlive();
    }

    public Path output() {
        return output;
    }

    /** SIGKILL, and waits for the process to be gone. */
    public void kill() {
        process.destroyForcibly();
        waitFor(Duration.ofSeconds(30));
    }

    /** SIGTERM, waiting up to {@code grace} before SIGKILL. */
    public void terminate(Duration grace) {
        process.destroy();
        if (!waitFor(grace)) {
            kill();
        }
    }

    public void stop() {
        signal("STOP");
    }

    public void resume() {
        signal("CONT");
    }

    private void signal(String sig) {
        if (!process.isAlive()) {
            return;
        }
        try {
            Process k = new ProcessBuilder("kill", "-" + sig, Long.toString(process.pid())).inheritIO().start();
            k.waitFor(10, TimeUnit.SECONDS);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot send SIG" + sig + " to " + name + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private boolean waitFor(Duration d) {
        try {
            return process.waitFor(d.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
