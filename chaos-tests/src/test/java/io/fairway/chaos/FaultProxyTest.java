package io.fairway.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The fault proxy over real loopback sockets, in front of an echo server that counts what it received. Where a fault
 * delays, the checks are lower bounds only (a busy machine adds time, never removes it); where a fault stops the flow,
 * "nothing came" is judged over a short wait and "it all came" after the heal, byte for byte.
 */
class FaultProxyTest {
    private static final Duration QUIET = Duration.ofMillis(400);

    private ServerSocket echo;
    private final AtomicLong received = new AtomicLong();
    private final AtomicInteger connections = new AtomicInteger();
    private FaultProxy proxy;

    @BeforeEach
    void start() throws IOException {
        echo = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(() -> {
            while (!echo.isClosed()) {
                try {
                    Socket s = echo.accept();
                    connections.incrementAndGet();
                    Thread.ofVirtual().start(() -> echoAll(s));
                } catch (IOException e) {
                    return;
                }
            }
        });
        proxy = FaultProxy.start("echo", "127.0.0.1", echo.getLocalPort());
    }

    private void echoAll(Socket s) {
        try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
            byte[] buf = new byte[8192];
            int n;
            while ((n = in.read(buf)) >= 0) {
                received.addAndGet(n);
                out.write(buf, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // the client went away
        }
    }

    @AfterEach
    void stop() throws IOException {
        proxy.close();
        echo.close();
    }

    private Socket connect() throws IOException {
        Socket s = new Socket("127.0.0.1", proxy.port());
        s.setSoTimeout((int) Duration.ofSeconds(30).toMillis());
        return s;
    }

    private static byte[] readExactly(Socket s, int n) throws IOException {
        byte[] out = s.getInputStream().readNBytes(n);
        assertThat(out).as("bytes before the end of the stream").hasSize(n);
        return out;
    }

    /** True when nothing (no byte, no end of stream) arrives within {@link #QUIET}. */
    private static boolean nothingArrives(Socket s) throws IOException {
        int before = s.getSoTimeout();
        s.setSoTimeout((int) QUIET.toMillis());
        try {
            s.getInputStream().read();
            return false;
        } catch (SocketTimeoutException e) {
            return true;
        } finally {
            s.setSoTimeout(before);
        }
    }

    @Test
    void withoutAFaultEveryByteGoesBothWays() throws IOException {
        byte[] payload = new byte[3 * 1024 * 1024 + 17];
        new Random(7).nextBytes(payload);
        try (Socket s = connect()) {
            Thread.ofVirtual().start(() -> {
                try {
                    s.getOutputStream().write(payload);
                    s.getOutputStream().flush();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            assertThat(Arrays.equals(readExactly(s, payload.length), payload)).isTrue();
        }
        assertThat(proxy.stats().bytesToServer()).isEqualTo(payload.length);
        assertThat(proxy.stats().bytesToClient()).isEqualTo(payload.length);
        assertThat(proxy.stats().accepted()).isEqualTo(1);
    }

    @Test
    void latencyDelaysEachWay() throws IOException {
        try (Socket s = connect()) {
            roundTrip(s, "warm");
            proxy.latency(Duration.ofMillis(300));
            long t0 = System.nanoTime();
            roundTrip(s, "ping");
            // 300 ms to the server and 300 ms back
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(600));
            proxy.latency(Duration.ZERO);
            roundTrip(s, "fast again");
        }
    }

    @Test
    void aBandwidthCapPacesTheFlow() throws IOException {
        proxy.bandwidth(256 * 1024);
        byte[] payload = new byte[256 * 1024];
        new Random(3).nextBytes(payload);
        try (Socket s = connect()) {
            long t0 = System.nanoTime();
            Thread.ofVirtual().start(() -> {
                try {
                    s.getOutputStream().write(payload);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            assertThat(Arrays.equals(readExactly(s, payload.length), payload)).isTrue();
            // 256 KB at 256 KB/s, each way (the two ways overlap): at least most of a second
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(800));
        }
        assertThatThrownBy(() -> proxy.bandwidth(-1)).hasMessageContaining("proxy echo: a bandwidth of -1 bytes/s");
    }

    @Test
    void aPartitionStopsBothWaysAndNewConnectionsLoseNothingAndFlowOnAfterTheHeal() throws IOException {
        try (Socket s = connect()) {
            roundTrip(s, "before");
            long before = received.get();
            proxy.partition();
            write(s, "during");
            assertThat(nothingArrives(s)).isTrue();
            assertThat(received.get()).as("the server got nothing").isEqualTo(before);
            // a connection opened now is accepted, and waits
            try (Socket late = connect()) {
                write(late, "late");
                assertThat(nothingArrives(late)).isTrue();
                int servers = connections.get();
                proxy.heal();
                assertThat(new String(readExactly(s, 6), StandardCharsets.UTF_8)).isEqualTo("during");
                assertThat(new String(readExactly(late, 4), StandardCharsets.UTF_8)).isEqualTo("late");
                assertThat(connections.get()).isEqualTo(servers + 1);
            }
        }
    }

    @Test
    void aOneWayStallHoldsOnlyThatWay() throws IOException {
        try (Socket s = connect()) {
            roundTrip(s, "x");
            // toward the client: the server gets the bytes and echoes, the client sees nothing yet
            long before = received.get();
            proxy.stall(FaultProxy.Direction.TO_CLIENT);
            write(s, "abc");
            await().atMost(Duration.ofSeconds(30)).until(() -> received.get() == before + 3);
            assertThat(nothingArrives(s)).isTrue();
            proxy.heal();
            assertThat(new String(readExactly(s, 3), StandardCharsets.UTF_8)).isEqualTo("abc");

            // toward the server: not even the server sees it
            proxy.stall(FaultProxy.Direction.TO_SERVER);
            write(s, "de");
            assertThat(nothingArrives(s)).isTrue();
            assertThat(received.get()).isEqualTo(before + 3);
            proxy.heal();
            assertThat(new String(readExactly(s, 2), StandardCharsets.UTF_8)).isEqualTo("de");
        }
    }

    @Test
    void aResetEndsOpenConnectionsAndNewOnesAreServed() throws IOException {
        try (Socket s = connect()) {
            roundTrip(s, "hello");
            proxy.resetConnections();
            assertThatThrownBy(() -> {
                // the reset shows at the next read or write, whichever comes first
                write(s, "after");
                if (s.getInputStream().read() < 0) {
                    throw new IOException("end of stream");
                }
            }).isInstanceOf(IOException.class);
        }
        assertThat(proxy.stats().reset()).isEqualTo(1);
        try (Socket again = connect()) {
            roundTrip(again, "served");
        }
    }

    @Test
    void refusedConnectionsNeverReachTheServer() throws IOException {
        proxy.refuseNew(true);
        try (Socket s = connect()) {
            assertThatThrownBy(() -> {
                write(s, "hi");
                if (s.getInputStream().read() < 0) {
                    throw new IOException("end of stream");
                }
            }).isInstanceOf(IOException.class);
        }
        assertThat(connections.get()).isZero();
        assertThat(proxy.stats().refused()).isEqualTo(1);
        proxy.clear();
        try (Socket s = connect()) {
            roundTrip(s, "welcome back");
        }
    }

    private static void write(Socket s, String text) throws IOException {
        s.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
        s.getOutputStream().flush();
    }

    private static void roundTrip(Socket s, String text) throws IOException {
        write(s, text);
        byte[] got = readExactly(s, text.getBytes(StandardCharsets.UTF_8).length);
        assertThat(new String(got, StandardCharsets.UTF_8)).isEqualTo(text);
    }
}
