package io.fairway.sandbox.apiserver;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Measures the local API server as the sandbox loads it: pods created and then updated over HTTP by concurrent
 * clients, while watchers follow every pod change across namespaces. Reports writes per second and how long a
 * change takes from being sent to reaching each watcher ({@code fairway bench apiserver}).
 */
public final class ApiServerBenchmark {
    private static final byte[] MARK = "\"fairway.io/bench-seq\":\"".getBytes(StandardCharsets.UTF_8);

    private static final int MIN_EVENT_GAP = 600;

    private ApiServerBenchmark() {}

    /**
     * @param pods        pods created in the measured run (then each is updated {@code updatesPerPod} times)
     * @param updatesPerPod merge patches per pod after the creates
     * @param namespaces  namespaces the pods are spread over
     * @param watchers    pod watches across all namespaces, open during the run
     * @param connections HTTP connections of the writing clients
     * @param inFlight    requests outstanding at any time
     * @param warmupPods  pods created and updated once before measuring (JIT warm-up), in other namespaces
     */
    public record Options(int pods, int updatesPerPod, int namespaces, int watchers, int connections, int inFlight, int warmupPods) {
        public Options {
            if (pods < 1 || updatesPerPod < 0 || namespaces < 1 || watchers < 0 || connections < 1 || inFlight < 1 || warmupPods < 0) {
                throw new IllegalArgumentException("invalid benchmark options");
            }
        }

        /** 50,000 pods created then updated once (100,000 writes) after 120,000 warm-up writes; 10 namespaces, 3 watchers, 8 connections with 16 requests pipelined on each. */
        public static Options defaults() {
            return new Options(50_000, 1, 10, 3, 8, 128, 60_000);
        }

        public Options withPods(int n) {
            return new Options(n, updatesPerPod, namespaces, watchers, connections, inFlight, warmupPods);
        }

        public Options withUpdatesPerPod(int n) {
            return new Options(pods, n, namespaces, watchers, connections, inFlight, warmupPods);
        }

        public Options withWatchers(int n) {
            return new Options(pods, updatesPerPod, namespaces, n, connections, inFlight, warmupPods);
        }

        public Options withConnections(int n) {
            return new Options(pods, updatesPerPod, namespaces, watchers, n, inFlight, warmupPods);
        }

        public Options withInFlight(int n) {
            return new Options(pods, updatesPerPod, namespaces, watchers, connections, n, warmupPods);
        }

        public Options withWarmupPods(int n) {
            return new Options(pods, updatesPerPod, namespaces, watchers, connections, inFlight, n);
        }

        public long writes() {
            return (long) pods * (1 + updatesPerPod);
        }
    }

    /**
     * The figures of one run.
     *
     * @param writes          successful writes measured (creates + updates)
     * @param errors          writes answered with an error status or failed
     * @param seconds         wall time of the measured writes
     * @param writesPerSecond writes / seconds
     * @param watchers        watches open during the run
     * @param eventsDelivered watch events of the measured writes received, all watchers together
     * @param lagP50Millis    median time from sending a write to a watcher receiving its event
     * @param lagP99Millis    99th percentile of that
     * @param lagMaxMillis    the longest
     * @param objects         objects stored at the end
     * @param cpuMicrosPerWrite CPU time of the whole JVM (server, writers and watchers together) per measured write;
     *                          2,000,000 / this is what two otherwise idle cores could sustain
     * @param serverMicrosPerWrite CPU time of the server's event loops per measured write (request handling, storage,
     *                          fan-out to the watchers; without garbage collection and kernel networking)
     */
    public record Result(long writes, long errors, double seconds, double writesPerSecond, int watchers, long eventsDelivered,
                         double lagP50Millis, double lagP99Millis, double lagMaxMillis, long objects, double cpuMicrosPerWrite,
                         double serverMicrosPerWrite) {

        public String summary() {
            return String.format(Locale.ROOT,
                    "%,d writes in %.2f s: %,.0f writes/s with %d watcher(s); %,d watch events, lag p50 %.1f ms, p99 %.1f ms, max %.1f ms;"
                            + " %,d objects; %d errors; CPU per write: %.1f µs in all (server, writers, watchers, GC), %.1f µs in the"
                            + " server's event loops",
                    writes, seconds, writesPerSecond, watchers, eventsDelivered, lagP50Millis, lagP99Millis, lagMaxMillis, objects, errors,
                    cpuMicrosPerWrite, serverMicrosPerWrite);
        }
    }

    /** Runs against a fresh server with the default server options. */
    public static Result run(Options o) {
        try (LocalApiServer server = LocalApiServer.start()) {
            return run(o, server);
        }
    }

    /** Runs against {@code server} (which keeps the benchmark's pods afterwards). */
    public static Result run(Options o, LocalApiServer server) {
        URI uri = URI.create(server.url());
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
        try {
            HttpClientAgent http = vertx.createHttpClient(new HttpClientOptions()
                    .setDefaultHost(uri.getHost()).setDefaultPort(uri.getPort()), new PoolOptions().setHttp1MaxSize(1));
            if (o.warmupPods() > 0) {
                // the same code paths as the measured run, watchers included, so that it runs compiled
                createNamespaces(http, "bench-warmup-", o.namespaces());
                Options warm = o.withPods(o.warmupPods()).withUpdatesPerPod(1);
                AtomicLongArray warmSent = new AtomicLongArray((int) warm.writes());
                List<Watch> warmWatches = new ArrayList<>();
                for (int i = 0; i < o.watchers(); i++) {
                    warmWatches.add(new Watch(vertx, uri, server.resourceVersion(), warmSent));
                }
                for (Watch w : warmWatches) {
                    w.ready.await(30, TimeUnit.SECONDS);
                }
                load(vertx, uri, warm, "bench-warmup-", "w", warmSent);
                for (Watch w : warmWatches) {
                    w.close();
                }
            }
            createNamespaces(http, "bench-", o.namespaces());
            List<Watch> watches = new ArrayList<>();
            long startRv = server.resourceVersion();
            AtomicLongArray sent = new AtomicLongArray((int) Math.min(Integer.MAX_VALUE, o.writes()));
            for (int i = 0; i < o.watchers(); i++) {
                watches.add(new Watch(vertx, uri, startRv, sent));
            }
            for (Watch w : watches) {
                w.ready.await(30, TimeUnit.SECONDS);
            }
            long cpuBefore = processCpuNanos();
            long serverBefore = server.eventLoopCpuNanos();
            long[] outcome = load(vertx, uri, o, "bench-", "p", sent);
            long ok = outcome[0];
            double seconds = outcome[2] / 1e9;
            long expectedPerWatcher = ok;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            for (Watch w : watches) {
                while (w.received.get() < expectedPerWatcher && System.nanoTime() < deadline) {
                    Thread.sleep(5);
                }
            }
            long[] lags = watches.stream().flatMapToLong(w -> Arrays.stream(w.lags, 0, (int) Math.min(w.lags.length, w.received.get())))
                    .sorted().toArray();
            long delivered = lags.length;
            double cpuPerWrite = cpuBefore < 0 ? Double.NaN : (processCpuNanos() - cpuBefore) / 1e3 / Math.max(1, ok);
            double serverPerWrite = serverBefore < 0 ? Double.NaN : (server.eventLoopCpuNanos() - serverBefore) / 1e3 / Math.max(1, ok);
            for (Watch w : watches) {
                w.close();
            }
            http.close().await();
            return new Result(ok, outcome[1], seconds, ok / seconds, o.watchers(), delivered,
                    percentile(lags, 0.50), percentile(lags, 0.99), lags.length == 0 ? 0 : lags[lags.length - 1] / 1e6,
                    server.objectCount(), cpuPerWrite, serverPerWrite);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } finally {
            vertx.close().await();
        }
    }

    private static long processCpuNanos() {
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return -1;
    }

    private static double percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        return sorted[(int) Math.min(sorted.length - 1, Math.floor(p * sorted.length))] / 1e6;
    }

    private static void createNamespaces(HttpClientAgent http, String prefix, int n) {
        for (int i = 0; i < n; i++) {
            String body = "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"" + prefix + i + "\"}}";
            int code = send(http, HttpMethod.POST, "/api/v1/namespaces", "application/json", Buffer.buffer(body))
                    .map(HttpClientResponse::statusCode).await();
            if (code != 201 && code != 409) {
                throw new IllegalStateException("cannot create namespace " + prefix + i + ": HTTP " + code);
            }
        }
    }

    private static Future<HttpClientResponse> send(HttpClientAgent http, HttpMethod method, String path, String contentType, Buffer body) {
        return http.request(new RequestOptions().setMethod(method).setURI(path).putHeader("Content-Type", contentType)
                        .putHeader("Accept", "application/json"))
                .compose(req -> req.send(body))
                .compose(resp -> resp.body().map(b -> resp));
    }

    /**
     * Creates then updates the pods over {@code connections} keep-alive HTTP/1.1 connections with {@code inFlight}
     * requests outstanding in all (pipelined on each connection); returns {ok, errors, nanos}. The writer is a lean
     * HTTP client (request bytes written directly, responses framed by Content-Length) so that, on a small
     * machine shared with the server, the figures measure the server rather than client-side request building.
     */
    private static long[] load(Vertx vertx, URI uri, Options o, String nsPrefix, String namePrefix, AtomicLongArray sent)
            throws InterruptedException {
        long total = o.writes();
        Load load = new Load(o, nsPrefix, namePrefix, sent, total);
        NetClient net = vertx.createNetClient(new NetClientOptions().setTcpNoDelay(true));
        int depth = Math.max(1, (o.inFlight() + o.connections() - 1) / o.connections());
        List<Connection> connections = new ArrayList<>();
        for (int i = 0; i < o.connections(); i++) {
            connections.add(new Connection(net.connect(uri.getPort(), uri.getHost()).await(), load, depth, uri.getHost()));
        }
        load.start = System.nanoTime();
        for (Connection c : connections) {
            c.fill();
        }
        if (!load.done.await(10, TimeUnit.MINUTES)) {
            throw new IllegalStateException("the benchmark did not finish within 10 minutes");
        }
        long nanos = System.nanoTime() - load.start;
        net.close().await();
        return new long[] {load.ok.get(), load.errors.get(), nanos};
    }

    /** The shared state of one load: the next write to send and the outcome counters. */
    private static final class Load {
        final Options o;
        final String nsPrefix;
        final String namePrefix;
        final AtomicLongArray sent;
        final long total;
        final AtomicLong next = new AtomicLong();
        final AtomicLong ok = new AtomicLong();
        final AtomicLong errors = new AtomicLong();
        final CountDownLatch done;
        volatile long start;

        Load(Options o, String nsPrefix, String namePrefix, AtomicLongArray sent, long total) {
            this.o = o;
            this.nsPrefix = nsPrefix;
            this.namePrefix = namePrefix;
            this.sent = sent;
            this.total = total;
            this.done = new CountDownLatch((int) total);
        }

        /** Appends the request for write {@code seq}: a pod create, or a merge patch of a pod created before. */
        void request(long seq, Buffer out, String host) {
            int pod = (int) (seq % o.pods());
            String ns = nsPrefix + (pod % o.namespaces());
            String name = namePrefix + pod;
            String head;
            byte[] body;
            if (seq < o.pods()) {
                body = podJson(ns, name, seq).getBytes(StandardCharsets.UTF_8);
                head = "POST /api/v1/namespaces/" + ns + "/pods HTTP/1.1\r\ncontent-type: application/json\r\n";
            } else {
                body = ("{\"metadata\":{\"annotations\":{\"fairway.io/bench-seq\":\"" + seq + "\"}}}")
                        .getBytes(StandardCharsets.UTF_8);
                head = "PATCH /api/v1/namespaces/" + ns + "/pods/" + name + " HTTP/1.1\r\ncontent-type: application/merge-patch+json\r\n";
            }
            out.appendString(head + "host: " + host + "\r\naccept: application/json\r\ncontent-length: " + body.length + "\r\n\r\n");
            out.appendBytes(body);
            if (sent != null) {
                sent.set((int) seq, System.nanoTime());
            }
        }
    }

    /** One keep-alive connection with up to {@code depth} pipelined requests. */
    private static final class Connection {
        final NetSocket socket;
        final Load load;
        final int depth;
        final String host;
        int inFlight;
        byte[] buf = new byte[1 << 16];
        int from;
        int to;

        Connection(NetSocket socket, Load load, int depth, String host) {
            this.socket = socket;
            this.load = load;
            this.depth = depth;
            this.host = host;
            socket.handler(this::received);
        }

        synchronized void fill() {
            Buffer out = null;
            while (inFlight < depth) {
                long seq = load.next.getAndIncrement();
                if (seq >= load.total) {
                    break;
                }
                if (out == null) {
                    out = Buffer.buffer(4096);
                }
                load.request(seq, out, host);
                inFlight++;
            }
            if (out != null) {
                socket.write(out);
            }
        }

        private synchronized void received(Buffer data) {
            int n = data.length();
            if (to + n > buf.length) {
                int live = to - from;
                byte[] bigger = live + n > buf.length ? new byte[Math.max(buf.length * 2, live + n)] : buf;
                System.arraycopy(buf, from, bigger, 0, live);
                buf = bigger;
                from = 0;
                to = live;
            }
            data.getBytes(0, n, buf, to);
            to += n;
            while (true) {
                int headerEnd = indexOf(buf, CRLFCRLF, from, to);
                if (headerEnd < 0) {
                    break;
                }
                int bodyStart = headerEnd + 4;
                int length = contentLength(buf, from, headerEnd);
                if (to - bodyStart < length) {
                    break;
                }
                int status = (buf[from + 9] - '0') * 100 + (buf[from + 10] - '0') * 10 + (buf[from + 11] - '0');
                from = bodyStart + length;
                inFlight--;
                if (status < 300) {
                    load.ok.incrementAndGet();
                } else {
                    load.errors.incrementAndGet();
                }
                load.done.countDown();
            }
            if (from == to) {
                from = 0;
                to = 0;
            }
            fill();
        }

        private static int contentLength(byte[] b, int from, int to) {
            int i = indexOf(b, CONTENT_LENGTH, from, to);
            if (i < 0) {
                return 0;
            }
            int v = 0;
            for (int k = i + CONTENT_LENGTH.length; k < to && b[k] != '\r'; k++) {
                if (b[k] >= '0' && b[k] <= '9') {
                    v = v * 10 + (b[k] - '0');
                }
            }
            return v;
        }
    }

    private static final byte[] CRLFCRLF = "\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CONTENT_LENGTH = "content-length:".getBytes(StandardCharsets.US_ASCII);

    private static int indexOf(byte[] data, byte[] mark, int from, int to) {
        outer:
        for (int i = from; i <= to - mark.length; i++) {
            for (int j = 0; j < mark.length; j++) {
                if (data[i + j] != mark[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static String podJson(String ns, String name, long seq) {
        return "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"" + name + "\",\"namespace\":\"" + ns + "\","
                + "\"labels\":{\"applicationId\":\"app-" + (seq % 500) + "\",\"queue\":\"root.team-" + (seq % 7) + "\",\"spark-role\":\"executor\"},"
                + "\"annotations\":{\"fairway.io/bench-seq\":\"" + seq + "\"}},"
                + "\"spec\":{\"schedulerName\":\"fairway\",\"restartPolicy\":\"Never\",\"containers\":[{\"name\":\"executor\","
                + "\"image\":\"apache/spark:4.0.2\",\"args\":[\"executor\",\"--cores\",\"2\"],"
                + "\"env\":[{\"name\":\"SPARK_EXECUTOR_ID\",\"value\":\"" + seq + "\"},{\"name\":\"SPARK_DRIVER_URL\",\"value\":\"spark://driver:7078\"}],"
                + "\"resources\":{\"requests\":{\"cpu\":\"2\",\"memory\":\"4Gi\"},\"limits\":{\"memory\":\"4Gi\"}}}],"
                + "\"tolerations\":[{\"key\":\"fairway.io/gpu\",\"operator\":\"Exists\",\"effect\":\"NoSchedule\"}]}}";
    }

    /** A pod watch across namespaces that timestamps every benchmark event it receives. */
    private static final class Watch {
        final CountDownLatch ready = new CountDownLatch(1);
        final AtomicLong received = new AtomicLong();
        final long[] lags;
        private final NetClient net;
        private final AtomicLongArray sent;
        private byte[] carry = new byte[0];

        Watch(Vertx vertx, URI uri, long fromRv, AtomicLongArray sent) {
            this.lags = new long[sent.length()];
            this.sent = sent;
            // a raw connection: the marks are found in the bytes as they come, chunk framing and all
            this.net = vertx.createNetClient(new NetClientOptions().setTcpNoDelay(true));
            net.connect(uri.getPort(), uri.getHost()).onSuccess(socket -> {
                socket.handler(b -> {
                    ready.countDown();
                    scan(b.getBytes());
                });
                socket.write("GET /api/v1/pods?watch=true&resourceVersion=" + fromRv + " HTTP/1.1\r\nhost: " + uri.getHost()
                        + "\r\naccept: application/json\r\n\r\n");
            }).onFailure(e -> ready.countDown());
        }

        /** Finds each event's sequence annotation in the stream without decoding it (chunks may split an event). */
        private void scan(byte[] chunk) {
            byte[] data = chunk;
            if (carry.length > 0) {
                data = Arrays.copyOf(carry, carry.length + chunk.length);
                System.arraycopy(chunk, 0, data, carry.length, chunk.length);
            }
            int pos = 0;
            int keepFrom = -1;
            while (true) {
                int i = indexOf(data, MARK, pos, data.length);
                if (i < 0) {
                    break;
                }
                int start = i + MARK.length;
                int end = start;
                while (end < data.length && data[end] != '"') {
                    end++;
                }
                if (end >= data.length) {
                    keepFrom = i;
                    break;
                }
                int seq = 0;
                for (int k = start; k < end; k++) {
                    seq = seq * 10 + (data[k] - '0');
                }
                long n = received.get();
                if (n < lags.length) {
                    lags[(int) n] = System.nanoTime() - sent.get(seq);
                }
                received.set(n + 1);
                // one mark per event and every event is far longer than this: skip ahead
                pos = Math.min(end + 1 + MIN_EVENT_GAP, data.length);
            }
            if (keepFrom < 0) {
                keepFrom = Math.max(pos, data.length - MARK.length);
            }
            carry = Arrays.copyOfRange(data, keepFrom, data.length);
        }

        void close() {
            net.close();
        }
    }

    /** {@code java ... ApiServerBenchmark [pods] [watchers]}: prints the figures of one run. */
    public static void main(String[] args) {
        Options o = Options.defaults();
        if (args.length > 0) {
            o = o.withPods(Integer.parseInt(args[0]));
        }
        if (args.length > 1) {
            o = o.withWatchers(Integer.parseInt(args[1]));
        }
        System.out.println(run(o).summary());
    }
}
