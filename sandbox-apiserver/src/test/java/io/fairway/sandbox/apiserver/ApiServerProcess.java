package io.fairway.sandbox.apiserver;

import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/** {@link ApiServerMain} started as a separate JVM from the test's own classpath, killed and stopped as a chaos suite does. */
final class ApiServerProcess implements AutoCloseable {
    private final Process process;
    private final Path stderr;
    private final List<String> stdoutLines;
    private final Thread stdoutReader;
    final String url;
    final int port;

    private ApiServerProcess(Process process, Path stderr, String url, Thread stdoutReader, List<String> stdoutLines) {
        this.process = process;
        this.stdoutLines = stdoutLines;
        this.stderr = stderr;
        this.url = url;
        this.port = Integer.parseInt(url.substring(url.lastIndexOf(':') + 1));
        this.stdoutReader = stdoutReader;
    }

    /** Starts the server with {@code args} and waits (up to 60 s) for its ready line; stderr goes to {@code logDir}. */
    static ApiServerProcess start(Path logDir, String... args) {
        String java = ProcessHandle.current().info().command().orElseThrow(() -> new IllegalStateException("cannot tell this JVM's java command"));
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), ApiServerMain.class.getName()));
        cmd.addAll(List.of(args));
        try {
            Files.createDirectories(logDir);
            Path err = Files.createTempFile(logDir, "apiserver-", ".stderr");
            Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).start();
            CompletableFuture<String> ready = new CompletableFuture<>();
            List<String> lines = new CopyOnWriteArrayList<>();
            Thread reader = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                    String l;
                    while ((l = in.readLine()) != null) {
                        lines.add(l);
                        ready.complete(l);
                    }
                } catch (IOException e) {
                    // the process is gone
                } finally {
                    ready.complete(null);
                }
            }, "apiserver-stdout");
            reader.setDaemon(true);
            reader.start();
            String first;
            try {
                first = ready.get(60, TimeUnit.SECONDS);
            } catch (Exception e) {
                p.destroyForcibly();
                throw new IllegalStateException("the API server did not print its ready line within 60 s; stderr:\n" + Files.readString(err), e);
            }
            if (first == null || !first.startsWith(ApiServerMain.READY)) {
                p.destroyForcibly();
                throw new IllegalStateException("the API server printed " + first + " instead of its ready line; stderr:\n" + Files.readString(err));
            }
            return new ApiServerProcess(p, err, first.substring(ApiServerMain.READY.length()), reader, lines);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A fabric8 client of this server that says {@code userAgent} and gives up at once on errors (no retries). */
    KubernetesClient client(String userAgent) {
        // a cold server process on a loaded machine can take longer than fabric8's default 10 s for its first answers
        return new KubernetesClientBuilder().withConfig(new ConfigBuilder().withMasterUrl(url).withNamespace("default")
                .withUserAgent(userAgent).withRequestRetryBackoffLimit(0).withWatchReconnectInterval(100)
                .withRequestTimeout(60_000).build()).build();
    }

    /** SIGKILL, as a crash or {@code kill -9}: nothing runs in the server after it. */
    void kill() {
        process.destroyForcibly();
        await();
    }

    /** SIGTERM; returns the exit code. */
    int stop() {
        process.destroy();
        return await();
    }

    private int await() {
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("the API server did not exit within 30 s");
            }
            stdoutReader.join(5000);
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Every line the server printed to stdout so far (all of them, once it exited). */
    List<String> stdout() {
        return List.copyOf(stdoutLines);
    }

    String stderr() {
        try {
            return Files.readString(stderr);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            kill();
        }
    }
}
