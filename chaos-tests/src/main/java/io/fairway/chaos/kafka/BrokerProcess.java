package io.fairway.chaos.kafka;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One broker's OS process: started from this JVM's own java and classpath, output appended to its log file, judged
 * ready by the line {@code broker N ready} that {@link BrokerMain} prints.
 */
final class BrokerProcess {
    private static final Logger LOG = LoggerFactory.getLogger(BrokerProcess.class);
    private static final String HEAP = "-Xmx384m";

    private final int nodeId;
    private final Path propsFile;
    private final Path logFile;
    private Process process;
    /** Where in the log file the current run's output starts: an older run's "ready" must not count. */
    private long runStartsAt;

    BrokerProcess(int nodeId, Path propsFile, Path logFile) {
        this.nodeId = nodeId;
        this.propsFile = propsFile;
        this.logFile = logFile;
    }

    synchronized void launch() {
        if (running()) {
            throw new IllegalStateException("broker " + nodeId + " is running already (pid " + process.pid()
                    + "); kill or stop it before starting it again");
        }
        try {
            Files.writeString(logFile, "---- broker " + nodeId + " starting at " + Instant.now() + " ----\n",
                    StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            runStartsAt = Files.size(logFile);
            ProcessBuilder pb = new ProcessBuilder(command())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
            process = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start broker " + nodeId + " (" + String.join(" ", command())
                    + ")", e);
        }
        LOG.info("broker {} started as pid {} (log {})", nodeId, process.pid(), logFile);
    }

    private List<String> command() {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> cmd = new ArrayList<>(List.of(java, HEAP, "-XX:+UseSerialGC",
                // C1 only: three brokers start on two cores without fighting over the C2 compiler
                "-XX:TieredStopAtLevel=1",
                "--enable-native-access=ALL-UNNAMED"));
        if (Runtime.version().feature() >= 23) {
            cmd.add("--sun-misc-unsafe-memory-access=allow");
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), BrokerMain.class.getName(),
                propsFile.toString()));
        return cmd;
    }

    /** Waits for this run's ready line; fails at once, with the log's tail, if the process exits first. */
    void awaitReady(Instant deadline) {
        String line = "broker " + nodeId + BrokerMain.READY_SUFFIX;
        Process p;
        synchronized (this) {
            p = process;
        }
        while (true) {
            if (readySince(line)) {
                return;
            }
            if (!p.isAlive()) {
                throw new IllegalStateException("broker " + nodeId + " exited with status " + p.exitValue()
                        + " before it was ready; the end of " + logFile + ":\n" + tail(30));
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("broker " + nodeId + " (pid " + p.pid() + ") was not ready by "
                        + deadline + "; the end of " + logFile + ":\n" + tail(30));
            }
            try {
                p.waitFor(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for broker " + nodeId, e);
            }
        }
    }

    private boolean readySince(String line) {
        try {
            byte[] all = Files.readAllBytes(logFile);
            if (all.length <= runStartsAt) {
                return false;
            }
            String run = new String(all, (int) runStartsAt, all.length - (int) runStartsAt, StandardCharsets.UTF_8);
            return run.lines().anyMatch(line::equals);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read broker " + nodeId + "'s log " + logFile, e);
        }
    }

    private String tail(int lines) {
        try {
            List<String> all = Files.readAllLines(logFile, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(cannot read it: " + e + ")";
        }
    }

    /** SIGKILL, and waits until it is gone (so its ports are free for a restart). */
    synchronized void kill() {
        if (process == null) {
            return;
        }
        process.destroyForcibly();
        waitGone(Duration.ofSeconds(30));
    }

    /** Sends SIGTERM, without waiting. */
    synchronized void terminate() {
        if (process != null) {
            process.destroy();
        }
    }

    /**
     * Waits up to {@code grace} for the process to end after {@link #terminate()}; then SIGKILLs it. True when it
     * stopped by itself.
     */
    boolean awaitStopped(Duration grace) {
        Process p;
        synchronized (this) {
            p = process;
        }
        if (p == null) {
            return true;
        }
        try {
            if (p.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                return true;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LOG.warn("broker {} (pid {}) did not stop within {} s of SIGTERM (its controlled shutdown needs a controller"
                + " quorum); killing it", nodeId, p.pid(), grace.toSeconds());
        kill();
        return false;
    }

    private void waitGone(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("broker " + nodeId + " (pid " + process.pid()
                        + ") is still alive " + timeout.toSeconds() + " s after SIGKILL");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for broker " + nodeId + " to die", e);
        }
    }

    synchronized boolean running() {
        return process != null && process.isAlive();
    }

    /** The current (or last) process id; -1 before the first start. */
    synchronized long pid() {
        return process == null ? -1 : process.pid();
    }

    Path logFile() {
        return logFile;
    }
}
