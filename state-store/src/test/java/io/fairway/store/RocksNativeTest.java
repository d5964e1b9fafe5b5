package io.fairway.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** RocksDB's native library, extracted once into a cache and loaded from there by later processes. */
class RocksNativeTest {
    @TempDir
    Path cache;

    @Test
    void theLibraryIsExtractedOnceAndAFreshJvmLoadsItFromTheCache() throws Exception {
        Path dir = RocksNative.extractTo(cache);
        assertThat(dir).isNotNull().startsWith(cache);
        List<Path> files;
        try (var s = Files.list(dir)) {
            files = s.toList();
        }
        assertThat(files).as("one library, no leftover part files").hasSize(1);
        Path lib = files.getFirst();
        assertThat(Files.size(lib)).isGreaterThan(1_000_000);

        // a second extraction finds it there and leaves it alone
        FileTime before = FileTime.fromMillis(1_000_000_000_000L);
        Files.setLastModifiedTime(lib, before);
        assertThat(RocksNative.extractTo(cache)).isEqualTo(dir);
        assertThat(Files.getLastModifiedTime(lib)).isEqualTo(before);

        // a new JVM loads it from the directory by RocksDB's own lookup, and opens a database with it
        Path db = cache.resolve("db");
        Process p = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                LoadFrom.class.getName(), dir.toString(), db.toString())
                .redirectErrorStream(true).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("loaded from " + dir).contains("opened " + db);
        assertThat(db.resolve("CURRENT")).exists();
    }

    /** Loads RocksDB from the directory alone (RocksDB's own loader would extract a copy), then opens a database. */
    public static final class LoadFrom {
        public static void main(String[] args) throws Exception {
            org.rocksdb.RocksDB.loadLibrary(List.of(args[0]));
            System.out.println("loaded from " + args[0]);
            try (org.rocksdb.Options o = new org.rocksdb.Options().setCreateIfMissing(true);
                 org.rocksdb.RocksDB db = org.rocksdb.RocksDB.open(o, args[1])) {
                db.put("k".getBytes(), "v".getBytes());
                System.out.println("opened " + args[1]);
            }
        }
    }
}
