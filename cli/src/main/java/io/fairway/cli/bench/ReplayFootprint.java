package io.fairway.cli.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.stream.Stream;

/** What a replica's state costs at rest: the heap it keeps live and the bytes its store takes on disk. */
public final class ReplayFootprint {
    private ReplayFootprint() {
    }

    /** Heap in use right after a full collection: what the process keeps reachable, not what it allocated. */
    public static long liveHeapBytes() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        memory.gc();
        return memory.getHeapMemoryUsage().getUsed();
    }

    /**
     * CPU time this process has used so far, every thread (the embedded broker's, the collector's and RocksDB's
     * included), in nanoseconds; -1 where the JVM does not say. On a machine shared with other work the CPU a replay
     * takes is a steadier figure than its wall time.
     */
    public static long processCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return -1;
    }

    /** CPU time of the calling thread so far, in nanoseconds; -1 where the JVM does not measure it. */
    public static long threadCpuNanos() {
        java.lang.management.ThreadMXBean t = ManagementFactory.getThreadMXBean();
        return t.isCurrentThreadCpuTimeSupported() ? t.getCurrentThreadCpuTime() : -1;
    }

    /** The bytes of every regular file below {@code dir} (a RocksDB store: SST files, WAL, manifest). */
    public static long bytesUnder(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.mapToLong(f -> {
                try {
                    BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class);
                    return a.isRegularFile() ? a.size() : 0;
                } catch (IOException e) {
                    // a file RocksDB removed between listing and reading counts as nothing
                    return 0;
                }
            }).sum();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot measure the store at " + dir + ": " + e.getMessage(), e);
        }
    }
}
