package io.fairway.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.zip.CRC32;
import org.rocksdb.RocksDB;
import org.rocksdb.util.Environment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads RocksDB's native library from a cache directory, extracting it from the jar the first time only. RocksDB's
 * own loader inflates its 18 MB library into a new temporary file in every process, which was most of the start-up
 * of a short command such as {@code fairway explain}. The cache is {@code $FAIRWAY_CACHE}, else
 * {@code $XDG_CACHE_HOME/fairway}, else {@code ~/.cache/fairway}; where it cannot be used, RocksDB's own loader runs.
 */
final class RocksNative {
    private static final Logger LOG = LoggerFactory.getLogger(RocksNative.class);

    private RocksNative() {
    }

    static void load() {
        try {
            Path dir = extractTo(cacheRoot());
            if (dir != null) {
                RocksDB.loadLibrary(List.of(dir.toString()));
                return;
            }
        } catch (IOException | RuntimeException | UnsatisfiedLinkError e) {
            LOG.debug("RocksDB's native library from the cache: {}; extracting it to a temporary file instead",
                    e.toString());
        }
        RocksDB.loadLibrary();
    }

    /**
     * Extracts the library under {@code root} unless it is there already; returns the directory that holds it under
     * the name RocksDB looks for, or null if the jar does not have it.
     */
    static Path extractTo(Path root) throws IOException {
        String name = Environment.getJniLibraryFileName("rocksdb");
        if (RocksDB.class.getResource("/" + name) == null) {
            name = Environment.getFallbackJniLibraryFileName("rocksdb");
            if (name == null || RocksDB.class.getResource("/" + name) == null) {
                return null;
            }
        }
        // RocksDB's own class names its version, read through the class loader's open jar: asking the library's jar
        // entry for its size would open and index the whole (fat) jar a second time, which costs half a second
        Path dir = root.resolve("rocksdbjni-" + versionId());
        // RocksDB.loadLibrary(paths) looks in each path for the name made from "rocksdbjni", not "rocksdb"
        // (librocksdbjnijni-linux64.so): the file is stored under the name it looks for
        Path lib = dir.resolve(Environment.getJniLibraryFileName("rocksdbjni"));
        if (!Files.isRegularFile(lib)) {
            Files.createDirectories(dir);
            // another process may extract it at the same time: each writes its own file and renames it into place
            Path tmp = Files.createTempFile(dir, lib.getFileName().toString(), ".part");
            try (InputStream in = RocksDB.class.getResourceAsStream("/" + name)) {
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                Files.move(tmp, lib, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(tmp);
            }
        }
        return dir;
    }

    /** A CRC of RocksDB's main class: another RocksDB build, another directory. */
    private static String versionId() throws IOException {
        try (InputStream in = RocksDB.class.getResourceAsStream("RocksDB.class")) {
            if (in == null) {
                throw new IOException("RocksDB's class file is not readable as a resource");
            }
            CRC32 crc = new CRC32();
            crc.update(in.readAllBytes());
            return Long.toHexString(crc.getValue());
        }
    }

    static Path cacheRoot() {
        String own = System.getenv("FAIRWAY_CACHE");
        if (own != null && !own.isBlank()) {
            return Path.of(own);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank()) {
            return Path.of(xdg, "fairway");
        }
        return Path.of(System.getProperty("user.home"), ".cache", "fairway");
    }
}
