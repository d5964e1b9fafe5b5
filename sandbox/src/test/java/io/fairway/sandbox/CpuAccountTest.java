package io.fairway.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class CpuAccountTest {
    private static final AtomicBoolean STOP = new AtomicBoolean();

    /** Burns CPU until told to stop: on a loaded machine a thread may get no CPU at all in a fixed time. */
    private static Thread burner(String name, long unused) {
        return new Thread(() -> {
            long x = 0;
            while (!STOP.get()) {
                x += System.identityHashCode(new Object());
            }
            if (x == 42) {
                System.out.print("");
            }
        }, name);
    }

    @Test
    void threadsCountForTheFirstPartThatOwnsThemAndTheRestIsTheJvms() throws Exception {
        CpuAccount account = CpuAccount.start();
        assertThat(account).as("this JVM measures thread CPU time").isNotNull();
        Thread named = burner("burner-named", 300);
        Thread prefixed = burner("burner-prefixed-1", 300);
        named.start();
        prefixed.start();
        Map<String, Double> s;
        try {
            ThreadMXBean mx = ManagementFactory.getThreadMXBean();
            long t0 = System.nanoTime();
            // each has had a tenth of a second of CPU, however long the machine takes to give it
            while (mx.getThreadCpuTime(named.threadId()) < 100_000_000L
                    || mx.getThreadCpuTime(prefixed.threadId()) < 100_000_000L) {
                Thread.sleep(20);
                if (System.nanoTime() - t0 > 120_000_000_000L) {
                    throw new AssertionError("the burners got no CPU in two minutes");
                }
            }
            Thread.sleep(Math.max(0, 250 - (System.nanoTime() - t0) / 1_000_000));
            s = account.seconds(List.of(
                    CpuAccount.named("by thread", Set.of(named)),
                    CpuAccount.prefixed("by prefix", "burner-"),
                    CpuAccount.matching("never", n -> false)));
        } finally {
            STOP.set(true);
            named.join();
            prefixed.join();
        }
        assertThat(s.keySet()).containsExactly("by thread", "by prefix", "never", "other threads",
                "JVM (JIT compilers, GC)", "total", "wall clock");
        assertThat(s.get("by thread")).isGreaterThan(0.05);
        assertThat(s.get("by prefix")).isGreaterThan(0.05);
        assertThat(s.get("never")).isZero();
        assertThat(s.get("wall clock")).isGreaterThanOrEqualTo(0.24);
        assertThat(s.get("total")).isGreaterThanOrEqualTo(s.get("by thread") + s.get("by prefix") - 0.02);
    }
}
