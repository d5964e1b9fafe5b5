package io.fairway.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The snapshots of a store: RocksDB checkpoints in {@code dir}, one directory per snapshot named by its offset
 * ({@code snapshot-00000000000000123456}), each a complete store that opens on its own. A snapshot is built under a
 * temporary name and renamed when complete, so a crash while taking one never leaves a half snapshot as the newest.
 */
public final class Snapshots {
    private static final Logger LOG = LoggerFactory.getLogger(Snapshots.class);
    private static final Pattern NAME = Pattern.compile("snapshot-(\\d{20})");
    static final String TEMP_PREFIX = ".tmp-";

    /** One snapshot: its directory and the offset of the next event to apply to it. */
    public record Snapshot(Path path, long nextOffset) {
    }

    private final Path dir;
    private final int keep;

    /** @param keep how many to keep when {@link #take} rotates; at least 1 */
    public Snapshots(Path dir, int keep) {
        if (keep < 1) {
            throw new IllegalArgumentException("snapshots to keep must be at least 1, not " + keep
                    + " (turn snapshots off in the SnapshotPolicy instead)");
        }
        this.dir = dir;
        this.keep = keep;
    }

    public Path directory() {
        return dir;
    }

    /** The complete snapshots, newest first. */
    public List<Snapshot> list() {
        List<Snapshot> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            for (Path p : s) {
                Matcher m = NAME.matcher(p.getFileName().toString());
                if (m.matches() && Files.isDirectory(p)) {
                    out.add(new Snapshot(p, Long.parseLong(m.group(1))));
                }
            }
        } catch (IOException e) {
            throw new StoreException("cannot list the snapshots in " + dir + ": " + e + ". Check the directory", e);
        }
        out.sort(Comparator.comparingLong(Snapshot::nextOffset).reversed());
        return out;
    }

    public Optional<Snapshot> newest() {
        List<Snapshot> all = list();
        return all.isEmpty() ? Optional.empty() : Optional.of(all.getFirst());
    }

    /**
     * Checkpoints {@code store} as a new snapshot at its current offset and drops the oldest beyond {@code keep}.
     * A snapshot of that offset that exists already is kept as it is.
     */
    public Snapshot take(StateStore store) {
        long offset = store.meta().nextOffset();
        if (offset < 0) {
            throw new StoreException("state store " + store.directory() + " is empty: there is nothing to snapshot. "
                    + "Write a state first");
        }
        Path target = dir.resolve(name(offset));
        if (!Files.isDirectory(target)) {
            Path temp = dir.resolve(TEMP_PREFIX + name(offset) + "-" + System.nanoTime());
            try {
                Files.createDirectories(dir);
                store.checkpoint(temp);
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                deleteTree(temp);
                throw new StoreException("cannot create snapshot " + target + ": " + e
                        + ". Check free disk space and permissions of " + dir, e);
            } catch (RuntimeException e) {
                deleteTree(temp);
                throw e;
            }
        }
        rotate();
        return new Snapshot(target, offset);
    }

    /** Deletes all but the newest {@code keep} snapshots, and temporary leftovers of interrupted ones. */
    public void rotate() {
        List<Snapshot> all = list();
        for (int i = keep; i < all.size(); i++) {
            deleteTree(all.get(i).path());
        }
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, TEMP_PREFIX + "*")) {
            for (Path p : s) {
                LOG.info("deleting {}: a snapshot that was never completed", p);
                deleteTree(p);
            }
        } catch (IOException e) {
            throw new StoreException("cannot list the snapshots in " + dir + ": " + e, e);
        }
    }

    /**
     * Makes {@code storeDir} (which must not exist) a copy of the snapshot. SST files are immutable in RocksDB, so they
     * are hard-linked where the file system allows; the rest is copied, since the store appends to it.
     */
    public static void copyTo(Snapshot snapshot, Path storeDir) {
        try {
            Files.createDirectories(storeDir.getParent());
            Files.createDirectory(storeDir);
            try (DirectoryStream<Path> s = Files.newDirectoryStream(snapshot.path())) {
                for (Path f : s) {
                    Path to = storeDir.resolve(f.getFileName());
                    if (f.getFileName().toString().endsWith(".sst")) {
                        try {
                            Files.createLink(to, f);
                            continue;
                        } catch (IOException | UnsupportedOperationException e) {
                            // another file system, or no links: copy instead
                        }
                    }
                    Files.copy(f, to, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        } catch (FileAlreadyExistsException e) {
            throw new StoreException("cannot restore snapshot " + snapshot.path() + " into " + storeDir
                    + ": it exists already. Move it away first", e);
        } catch (IOException e) {
            throw new StoreException("cannot restore snapshot " + snapshot.path() + " into " + storeDir + ": " + e
                    + ". Check free disk space and permissions", e);
        }
    }

    static String name(long offset) {
        return String.format("snapshot-%020d", offset);
    }

    /** Deletes a directory and everything under it; a missing one is fine. */
    public static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                    Files.deleteIfExists(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + root + ": " + e.getMessage(), e);
        }
    }
}
