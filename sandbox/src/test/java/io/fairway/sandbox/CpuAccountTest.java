package io.fairway.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CpuAccountTest {
    private static Thread burner(String name, long millis) {
        return new Thread(() -> {
            long end = System.nanoTime() + millis * 1_000_000;
            long x = 0;
            while (System.nanoTime() < end) {
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
            Thread.sleep(250);
            s = account.seconds(List.of(
                    CpuAccount.named("by thread", Set.of(named)),
                    CpuAccount.prefixed("by prefix", "burner-"),
                    CpuAccount.matching("never", n -> false)));
        } finally {
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
