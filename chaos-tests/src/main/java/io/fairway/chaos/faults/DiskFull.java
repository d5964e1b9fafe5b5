package io.fairway.chaos.faults;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A replica's data directory on a small tmpfs of its own, so that the disk can be filled under it and freed again. Only
 * where this process may mount (root); otherwise {@link #mount} says why not and the fault is skipped.
 */
public final class DiskFull implements AutoCloseable {
    private final String replica;
    private final Path dir;
    private final Path filler;

    private DiskFull(String replica, Path dir) {
        this.replica = replica;
        this.dir = dir;
        this.filler = dir.resolve("chaos-filler");
    }

    /** Mounts a {@code sizeMiB} tmpfs on {@code dir}; throws with the reason when this machine does not allow it. */
    public static DiskFull mount(String replica, Path dir, int sizeMiB) throws IOException {
        Files.createDirectories(dir);
        run("mount", "-t", "tmpfs", "-o", "size=" + sizeMiB + "m", "tmpfs", dir.toString());
        return new DiskFull(replica, dir);
    }

    public String replica() {
        return replica;
    }

    /** Writes until the disk says no space is left. */
    public void fill() {
        byte[] block = new byte[1 << 20];
        try (OutputStream out = Files.newOutputStream(filler)) {
            while (true) {
                out.write(block);
            }
        } catch (IOException e) {
            // ENOSPC: the disk is full, as wanted
        }
    }

    public void free() {
        try {
            Files.deleteIfExists(filler);
        } catch (IOException e) {
            throw new IllegalStateException("cannot free the full disk at " + dir + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            run("umount", "-l", dir.toString());
        } catch (IOException e) {
            // already gone with the process tree; nothing to keep
        }
    }

    private static void run(String... cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            if (!p.waitFor(20, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException(String.join(" ", cmd) + " failed: "
                        + new String(p.getInputStream().readAllBytes()).trim());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
