package io.fairway.chaos;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A TCP proxy in front of one server (a Kafka broker, the API server) whose faults are set while it runs, with no
 * kernel feature (this machine has no {@code netem}): added latency, a bandwidth cap, a partition, a one-way stall,
 * every connection reset, new connections refused.
 *
 * <p>A partition or a stall stops the bytes as dropped packets would: nothing is read from the sender, so its TCP
 * window fills and it blocks; a connection opened meanwhile is accepted but reaches the server only once the
 * partition heals. After it heals the bytes flow on, none lost, as TCP's retransmission would have it. Losing what was
 * in flight is what {@link #resetConnections} does. Latency delays every chunk by the same time without slowing the
 * flow, as a long link would.
 */
public final class FaultProxy implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FaultProxy.class);
    private static final int CHUNK = 16 * 1024;
    /** Chunks read ahead of the writer per direction: what the proxy holds beyond the sockets' own buffers. */
    private static final int QUEUE = 64;

    /** Which way bytes go. */
    public enum Direction { TO_SERVER, TO_CLIENT }

    /** What went through so far. */
    public record Stats(long accepted, long refused, long reset, long bytesToServer, long bytesToClient, int open) {
    }

    private final String name;
    private final InetSocketAddress target;
    private final ServerSocket server;
    private final Set<Link> links = ConcurrentHashMap.newKeySet();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition flowing = lock.newCondition();
    private volatile long latencyNanos;
    private volatile long bytesPerSecond;
    private volatile boolean stalledToServer;
    private volatile boolean stalledToClient;
    private volatile boolean refusing;
    private volatile boolean closed;
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong reset = new AtomicLong();
    private final AtomicLong toServer = new AtomicLong();
    private final AtomicLong toClient = new AtomicLong();

    private FaultProxy(String name, InetSocketAddress target, ServerSocket server) {
        this.name = name;
        this.target = target;
        this.server = server;
    }

    /** A proxy on a free loopback port in front of {@code host:port}, passing everything until a fault is set. */
    public static FaultProxy start(String name, String host, int port) throws IOException {
        ServerSocket server = new ServerSocket(0, 128, InetAddress.getLoopbackAddress());
        FaultProxy p = new FaultProxy(name, new InetSocketAddress(host, port), server);
        Thread.ofVirtual().name("fault-proxy-" + name).start(p::accept);
        return p;
    }

    public int port() {
        return server.getLocalPort();
    }

    /** {@code 127.0.0.1:PORT}, for a client's bootstrap or server address. */
    public String address() {
        return "127.0.0.1:" + port();
    }

    public String name() {
        return name;
    }

    // ---- faults ----

    /** Every chunk, each way, arrives this much later than it was sent; zero for none. */
    public FaultProxy latency(Duration added) {
        latencyNanos = Math.max(0, added.toNanos());
        return this;
    }

    /** At most this many bytes a second each way, per connection; zero for no cap. */
    public FaultProxy bandwidth(long bytesPerSecondEachWay) {
        if (bytesPerSecondEachWay < 0) {
            throw new IllegalArgumentException("proxy " + name + ": a bandwidth of " + bytesPerSecondEachWay
                    + " bytes/s; give 0 for no cap or a positive rate");
        }
        bytesPerSecond = bytesPerSecondEachWay;
        return this;
    }

    /** Nothing flows either way, and new connections wait, until {@link #heal}. */
    public FaultProxy partition() {
        stalledToServer = true;
        stalledToClient = true;
        return this;
    }

    /** Nothing flows one way (a one-way drop) until {@link #heal}; the other way is untouched. */
    public FaultProxy stall(Direction direction) {
        if (direction == Direction.TO_SERVER) {
            stalledToServer = true;
        } else {
            stalledToClient = true;
        }
        return this;
    }

    /** Ends a partition or stall: what waited flows on. Latency, bandwidth and refusal stay as set. */
    public FaultProxy heal() {
        lock.lock();
        try {
            stalledToServer = false;
            stalledToClient = false;
            flowing.signalAll();
        } finally {
            lock.unlock();
        }
        return this;
    }

    /** New connections are reset as soon as they are accepted, until called with false. */
    public FaultProxy refuseNew(boolean refuse) {
        refusing = refuse;
        return this;
    }

    /** Resets every open connection (RST, what was in flight is lost); new ones are served as before. */
    public FaultProxy resetConnections() {
        for (Link l : links) {
            l.reset();
        }
        return this;
    }

    /** No fault: no latency, no cap, no partition or stall, new connections served. Open connections stay. */
    public FaultProxy clear() {
        latencyNanos = 0;
        bytesPerSecond = 0;
        refusing = false;
        return heal();
    }

    public Stats stats() {
        return new Stats(accepted.get(), refused.get(), reset.get(), toServer.get(), toClient.get(), links.size());
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            LOG.debug("proxy {}: closing its port: {}", name, e.toString());
        }
        heal();
        for (Link l : links) {
            l.close();
        }
    }

    @Override
    public String toString() {
        return "proxy " + name + " " + address() + " -> " + target.getHostString() + ":" + target.getPort();
    }

    // ---- the flow ----

    private void accept() {
        while (!closed) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                if (!closed) {
                    LOG.warn("{} stops accepting: {}", this, e.toString());
                }
                return;
            }
            if (refusing) {
                refused.incrementAndGet();
                abort(client);
                continue;
            }
            accepted.incrementAndGet();
            Link link = new Link(client);
            links.add(link);
            Thread.ofVirtual().name("fault-proxy-" + name + "-connect").start(link::connect);
        }
    }

    private boolean stalled(Direction d) {
        return d == Direction.TO_SERVER ? stalledToServer : stalledToClient;
    }

    /** Waits while {@code d} is stalled; false once the proxy is closed. */
    private boolean awaitFlowing(Direction d) {
        if (!stalled(d)) {
            return !closed;
        }
        lock.lock();
        try {
            while (stalled(d) && !closed) {
                flowing.await();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            lock.unlock();
        }
        return !closed;
    }

    private static void sleepUntil(long deadline) throws InterruptedException {
        long left;
        while ((left = deadline - System.nanoTime()) > 0) {
            Thread.sleep(left / 1_000_000, (int) (left % 1_000_000));
        }
    }

    /** Closes with an RST rather than a FIN: the peer sees "connection reset". */
    private static void abort(Socket s) {
        try {
            s.setSoLinger(true, 0);
        } catch (IOException e) {
            // already closed
        }
        quietly(s);
    }

    private static void quietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // already closed
        }
    }

    private record Chunk(byte[] bytes, int length, long readAt) {
        static final Chunk END = new Chunk(new byte[0], -1, 0);
    }

    /** One client connection and its connection to the server, with a reader and a writer each way. */
    private final class Link {
        private final Socket client;
        private volatile Socket upstream;
        private volatile boolean done;
        private int halvesClosed;

        Link(Socket client) {
            this.client = client;
        }

        void connect() {
            // a connection opened during a partition reaches the server only once it heals
            if (stalledToServer && stalledToClient && !awaitFlowing(Direction.TO_SERVER)) {
                close();
                return;
            }
            try {
                Socket s = new Socket();
                s.setTcpNoDelay(true);
                s.connect(target, 10_000);
                upstream = s;
                client.setTcpNoDelay(true);
            } catch (IOException e) {
                LOG.debug("{}: the server did not take a connection: {}", FaultProxy.this, e.toString());
                abort(client);
                close();
                return;
            }
            if (done) {
                close();
                return;
            }
            pump(client, upstream, Direction.TO_SERVER, toServer);
            pump(upstream, client, Direction.TO_CLIENT, toClient);
        }

        private void pump(Socket from, Socket to, Direction d, AtomicLong counter) {
            BlockingQueue<Chunk> queue = new ArrayBlockingQueue<>(QUEUE);
            Thread.ofVirtual().name("fault-proxy-" + name + "-read-" + d).start(() -> read(from, queue, d));
            Thread.ofVirtual().name("fault-proxy-" + name + "-write-" + d).start(() -> write(to, queue, d, counter));
        }

        private void read(Socket from, BlockingQueue<Chunk> queue, Direction d) {
            try {
                InputStream in = from.getInputStream();
                while (awaitFlowing(d)) {
                    byte[] buf = new byte[CHUNK];
                    int n = in.read(buf);
                    if (n < 0) {
                        break;
                    }
                    queue.put(new Chunk(buf, n, System.nanoTime()));
                }
                queue.put(Chunk.END);
            } catch (IOException | InterruptedException e) {
                close();
            }
        }

        private void write(Socket to, BlockingQueue<Chunk> queue, Direction d, AtomicLong counter) {
            long nextFree = 0;
            try {
                OutputStream out = to.getOutputStream();
                while (true) {
                    Chunk c = queue.take();
                    if (c == Chunk.END) {
                        to.shutdownOutput();
                        halfClosed();
                        return;
                    }
                    sleepUntil(c.readAt() + latencyNanos);
                    if (!awaitFlowing(d)) {
                        return;
                    }
                    long rate = bytesPerSecond;
                    if (rate > 0) {
                        long now = System.nanoTime();
                        long start = Math.max(now, nextFree);
                        nextFree = start + c.length() * 1_000_000_000L / rate;
                        sleepUntil(start);
                    }
                    out.write(c.bytes(), 0, c.length());
                    out.flush();
                    counter.addAndGet(c.length());
                }
            } catch (IOException | InterruptedException e) {
                close();
            }
        }

        private synchronized void halfClosed() {
            if (++halvesClosed == 2) {
                close();
            }
        }

        void reset() {
            if (!done) {
                reset.incrementAndGet();
                abort(client);
                Socket u = upstream;
                if (u != null) {
                    abort(u);
                }
                close();
            }
        }

        void close() {
            done = true;
            quietly(client);
            Socket u = upstream;
            if (u != null) {
                quietly(u);
            }
            links.remove(this);
        }
    }
}
