package io.fairway.sandbox;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Other work saturating the machine's cores, for {@code bench failover --stress}: a JVM of its own (so that it shares
 * no safepoint and no heap with the processes it competes with) running busy threads at normal priority. It ends when
 * its standard input closes, so that it never outlives the benchmark that started it, even one killed with SIGKILL.
 */
public final class CpuHog {
    /** Written to by the busy threads so that the loops are not optimised away. */
    static volatile long sink;

    private CpuHog() {
    }

    public static void main(String[] args) throws IOException {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : Runtime.getRuntime().availableProcessors();
        for (int i = 0; i < threads; i++) {
            Thread.ofPlatform().daemon().name("cpu-hog-" + i).start(() -> {
                long x = 1;
                while (true) {
                    for (int j = 0; j < 1_000_000; j++) {
                        x = x * 6364136223846793005L + 1442695040888963407L;
                    }
                    sink = x;
                }
            });
        }
        // until the parent closes our standard input (or dies)
        while (System.in.read() >= 0) {
            // nothing to read; a byte is only a keep-alive
        }
        System.exit(0);
    }

    /** A hog of {@code threads} busy threads as a child process; closing it ends the process. */
    static final class Process implements AutoCloseable {
        private final java.lang.Process process;

        Process(int threads) {
            List<String> cmd = new ArrayList<>();
            cmd.add(ProcessHandle.current().info().command().orElse("java"));
            cmd.addAll(List.of("-Xmx32m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                    CpuHog.class.getName(), String.valueOf(threads)));
            try {
                process = new ProcessBuilder(cmd).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start the CPU hog: " + e.getMessage(), e);
            }
        }

        @Override
        public void close() {
            try {
                process.getOutputStream().close();
            } catch (IOException e) {
                // it is killed below anyway
            }
            process.destroyForcibly();
        }
    }

    /**
     * The machine's CPU counters from {@code /proc/stat} (total and idle jiffies, idle including I/O wait), or null
     * where there is no such file.
     */
    static long[] cpuTimes() {
        try {
            String line = Files.readAllLines(Path.of("/proc/stat")).getFirst();
            String[] f = line.trim().split("\\s+");
            long total = 0;
            for (int i = 1; i < f.length; i++) {
                total += Long.parseLong(f[i]);
            }
            return new long[] {total, Long.parseLong(f[4]) + Long.parseLong(f[5])};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** The share of CPU time that was busy between two {@link #cpuTimes()} readings, -1 when unknown. */
    static double busy(long[] before, long[] after) {
        if (before == null || after == null || after[0] <= before[0]) {
            return -1;
        }
        return 1.0 - (double) (after[1] - before[1]) / (after[0] - before[0]);
    }
}
