package io.fairway.chaos.harness;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The local API server as its own process, on one port for its whole life (restarts included), its store kept in
 * {@code data} across restarts and every mutating request recorded in {@code history}. Faults are set through its
 * {@code /chaos/faults} endpoint; they apply to the replicas' requests only (their User-Agent starts with
 * {@code fairway/}).
 */
public final class ApiServerProcess implements AutoCloseable {
    private static final Pattern READY = Pattern.compile("apiserver ready on (http://\\S+)");
    private final Path dir;
    private final int port;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private volatile JavaProcess process;
    private int starts;

    private ApiServerProcess(Path dir, int port) {
        this.dir = dir;
        this.port = port;
    }

    public static ApiServerProcess start(Path dir) {
        ApiServerProcess a = new ApiServerProcess(dir, freePort());
        a.launch();
        return a;
    }

    private void launch() {
        starts++;
        process = JavaProcess.start("apiserver", dir.resolve("apiserver.log"),
                List.of("-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"),
                "io.fairway.sandbox.apiserver.ApiServerMain",
                List.of("--port", Integer.toString(port), "--data", dir.resolve("apiserver-data").toString(),
                        "--history", history().toString(), "--kubelets-delete-pods"));
        process.await(READY, Duration.ofSeconds(90));
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public Path history() {
        return dir.resolve("apiserver-history.jsonl");
    }

    public JavaProcess process() {
        return process;
    }

    /** SIGKILL then a new process on the same port and store, after {@code down}. */
    public void restart(Duration down) {
        process.kill();
        JavaProcess.sleep(down.toMillis());
        launch();
    }

    /** Replaces the fault settings ({@code {"errorShare":0.3}}; {@code {}} clears them). */
    public void faults(String json) {
        send(HttpRequest.newBuilder(URI.create(url() + "/chaos/faults")).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(json)));
    }

    public void cutWatches() {
        send(HttpRequest.newBuilder(URI.create(url() + "/chaos/cut-watches")).POST(HttpRequest.BodyPublishers.noBody()));
    }

    private void send(HttpRequest.Builder b) {
        try {
            HttpResponse<String> r = http.send(b.timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() >= 300) {
                throw new IllegalStateException("the API server refused " + b.build().uri() + ": " + r.statusCode()
                        + " " + r.body());
            }
        } catch (IOException e) {
            throw new IllegalStateException("the API server did not answer " + b.build().uri() + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public void close() {
        if (process != null && process.alive()) {
            process.terminate(Duration.ofSeconds(10));
        }
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free loopback port: " + e.getMessage(), e);
        }
    }

}
