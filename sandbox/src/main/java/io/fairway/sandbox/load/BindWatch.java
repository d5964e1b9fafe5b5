package io.fairway.sandbox.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.parsetools.RecordParser;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Watches the pods of one scheduler and notes when each is first seen bound: the benchmark's view of the cluster,
 * kept lean (one watch, each event read as a JSON tree) so that it costs the shared machine little.
 */
public final class BindWatch implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Vertx vertx;
    private final Thread eventLoop;
    private final HttpClientAgent http;
    private final Set<String> bound = ConcurrentHashMap.newKeySet();
    private final Map<String, Long> sentNanos;
    private final List<Long> latencies = new ArrayList<>();
    private volatile long lastBindNanos;
    private volatile String failure;

    /**
     * Opens the watch and returns once the API server has answered it.
     *
     * @param sentNanos where bind latency counts from: {@code namespace/name} → {@link System#nanoTime()}; filled
     *                  while the watch runs (a pod bound before its entry appears gets no latency)
     */
    public BindWatch(String url, String schedulerName, Map<String, Long> sentNanos, Duration timeout) {
        this.sentNanos = sentNanos;
        URI uri = URI.create(url);
        vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1));
        CompletableFuture<Thread> loop = new CompletableFuture<>();
        vertx.runOnContext(v -> loop.complete(Thread.currentThread()));
        this.eventLoop = loop.join();
        http = vertx.createHttpClient(new HttpClientOptions().setDefaultHost(uri.getHost())
                .setDefaultPort(uri.getPort()).setIdleTimeout(0));
        String selector = URLEncoder.encode("spec.schedulerName=" + schedulerName, StandardCharsets.UTF_8);
        HttpClientResponse resp = http.request(new RequestOptions().setMethod(HttpMethod.GET)
                        .setURI("/api/v1/pods?watch=true&fieldSelector=" + selector)
                        .setTimeout(0).setIdleTimeout(0))
                .compose(req -> req.send())
                .timeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .await();
        if (resp.statusCode() != 200) {
            throw new IllegalStateException("the pod watch was refused: HTTP " + resp.statusCode());
        }
        RecordParser lines = RecordParser.newDelimited("\n", this::event);
        resp.handler(lines);
        resp.exceptionHandler(e -> failure = "the pod watch failed: " + e);
        resp.endHandler(v -> failure = "the API server ended the pod watch");
    }

    private void event(Buffer line) {
        if (line.length() == 0) {
            return;
        }
        long now = System.nanoTime();
        JsonNode e;
        try {
            e = JSON.readTree(line.getBytes());
        } catch (IOException ex) {
            failure = "unreadable watch event: " + ex.getMessage();
            return;
        }
        JsonNode o = e.path("object");
        String node = o.path("spec").path("nodeName").asText("");
        if (node.isEmpty() || "DELETED".equals(e.path("type").asText())) {
            return;
        }
        String key = o.path("metadata").path("namespace").asText() + "/" + o.path("metadata").path("name").asText();
        if (bound.add(key)) {
            Long sent = sentNanos.get(key);
            synchronized (latencies) {
                if (sent != null) {
                    latencies.add(now - sent);
                }
                lastBindNanos = now;
            }
        }
    }

    /** Pods seen bound. */
    public int bound() {
        return bound.size();
    }

    /** When the last new binding was seen ({@link System#nanoTime()}), 0 before the first. */
    public long lastBindNanos() {
        return lastBindNanos;
    }

    /** Why the watch stopped, or null while it runs. */
    public String failure() {
        return failure;
    }

    /** Bind latencies so far, in milliseconds, sorted. */
    public long[] latenciesMillis() {
        synchronized (latencies) {
            return latencies.stream().mapToLong(n -> n / 1_000_000).sorted().toArray();
        }
    }

    /** The thread that does this client's work (for accounting where a benchmark's CPU went). */
    public Thread eventLoop() {
        return eventLoop;
    }

    @Override
    public void close() {
        http.close().await();
        vertx.close().await();
    }
}
