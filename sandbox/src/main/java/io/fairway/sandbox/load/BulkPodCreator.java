package io.fairway.sandbox.load;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A load generator that creates many pods as fast as the API server takes them: the request bodies are rendered
 * before the clock starts and sent over a few keep-alive HTTP/1.1 connections with pipelining. On a machine where
 * the scheduler shares two cores with the API server, a lean client keeps the measurement about the scheduler; in a
 * real cluster the pods' creators run elsewhere.
 */
public final class BulkPodCreator implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BulkPodCreator.class);

    /** One pod ready to send. */
    public record Prepared(String namespace, String name, Buffer body) {
        public String key() {
            return namespace + "/" + name;
        }
    }

    /** What a run did. */
    public record Result(int requested, int created, int failed, Duration elapsed) {
        public double podsPerSecond() {
            double s = elapsed.toNanos() / 1e9;
            return s <= 0 ? 0 : created / s;
        }
    }

    private final Vertx vertx;
    private final Thread eventLoop;
    private final HttpClientAgent http;

    /**
     * @param url         the API server, {@code http://host:port}
     * @param connections keep-alive connections
     * @param pipelining  requests pipelined on each connection
     */
    public BulkPodCreator(String url, int connections, int pipelining) {
        if (connections < 1 || pipelining < 1) {
            throw new IllegalArgumentException("connections and pipelining must be at least 1, not " + connections
                    + " and " + pipelining);
        }
        URI uri = URI.create(url);
        if (!"http".equals(uri.getScheme())) {
            throw new IllegalArgumentException("the bulk creator speaks plain HTTP to a local API server, not " + url);
        }
        this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1));
        CompletableFuture<Thread> loop = new CompletableFuture<>();
        vertx.runOnContext(v -> loop.complete(Thread.currentThread()));
        this.eventLoop = loop.join();
        this.http = vertx.createHttpClient(new HttpClientOptions().setDefaultHost(uri.getHost())
                        .setDefaultPort(uri.getPort()).setKeepAlive(true).setPipelining(true)
                        .setPipeliningLimit(pipelining).setTcpNoDelay(true),
                new PoolOptions().setHttp1MaxSize(connections).setMaxWaitQueueSize(-1));
    }

    /** Renders the pods' JSON (what fabric8 would send for them). */
    public static List<Prepared> prepare(List<Pod> pods, KubernetesSerialization serialization) {
        List<Prepared> out = new ArrayList<>(pods.size());
        for (Pod p : pods) {
            out.add(new Prepared(p.getMetadata().getNamespace(), p.getMetadata().getName(),
                    Buffer.buffer(serialization.asJson(p))));
        }
        return out;
    }

    /**
     * Creates every pod with at most {@code inFlight} requests outstanding; returns once each has an answer.
     * {@code onSend} hears each pod's {@link Prepared#key()} and {@link System#nanoTime()} as its request goes out.
     */
    public Result create(List<Prepared> pods, int inFlight, Duration timeout, BiConsumer<String, Long> onSend) {
        AtomicInteger next = new AtomicInteger();
        LongAdder created = new LongAdder();
        LongAdder failed = new LongAdder();
        AtomicLong logged = new AtomicLong();
        CountDownLatch done = new CountDownLatch(pods.size());
        long t0 = System.nanoTime();
        Runnable[] pump = new Runnable[1];
        pump[0] = () -> {
            int i = next.getAndIncrement();
            if (i >= pods.size()) {
                return;
            }
            Prepared p = pods.get(i);
            onSend.accept(p.key(), System.nanoTime());
            http.request(new RequestOptions().setMethod(HttpMethod.POST)
                            .setURI("/api/v1/namespaces/" + p.namespace() + "/pods")
                            .putHeader("Content-Type", "application/json").putHeader("Accept", "application/json"))
                    .compose(req -> req.send(p.body()))
                    .compose(resp -> resp.body().map(body -> {
                        if (resp.statusCode() == 201) {
                            created.increment();
                        } else {
                            failed.increment();
                            if (logged.incrementAndGet() <= 10) {
                                LOG.warn("pod {} not created: HTTP {} {}", p.key(), resp.statusCode(),
                                        body.toString().substring(0, Math.min(300, body.length())));
                            }
                        }
                        return null;
                    }))
                    .onFailure(e -> {
                        failed.increment();
                        if (logged.incrementAndGet() <= 10) {
                            LOG.warn("pod {} not created: {}", p.key(), e.toString());
                        }
                    })
                    .onComplete(r -> {
                        done.countDown();
                        pump[0].run();
                    });
        };
        vertx.runOnContext(v -> {
            for (int k = 0; k < Math.max(1, inFlight); k++) {
                pump[0].run();
            }
        });
        try {
            if (!done.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("{} of {} pod creations still without an answer after {}", done.getCount(), pods.size(), timeout);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return new Result(pods.size(), (int) created.sum(), (int) failed.sum(),
                Duration.ofNanos(System.nanoTime() - t0));
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
