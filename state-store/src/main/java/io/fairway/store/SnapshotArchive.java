package io.fairway.store;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * A snapshot as one stream, for a replica to hand to another: a ZIP whose first entry is the
 * {@link SnapshotManifest} and whose other entries are the store's files. The receiver checks every file's size and
 * SHA-256 against the manifest before it uses any, so a transfer cut short or damaged on the way is refused whole.
 */
public final class SnapshotArchive {
    /** The archive format this build writes and reads. */
    public static final int FORMAT = 1;
    static final String MANIFEST = "fairway-snapshot.json";
    // a field added by a newer build is no reason to refuse a snapshot; a change that matters bumps FORMAT
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private SnapshotArchive() {
    }

    /**
     * The manifest of a complete snapshot: its meta row and its files (RocksDB's informational {@code LOG} files left
     * out, since opening the store writes to them).
     *
     * @throws StoreException the snapshot cannot be read, or carries no state hash at its offset to be checked by
     */
    public static SnapshotManifest manifest(Path snapshotDir) {
        StoreMeta meta;
        try (StateStore s = StateStore.openReadOnly(snapshotDir)) {
            meta = s.meta();
        }
        if (!meta.hashIsCurrent()) {
            throw new StoreException("snapshot " + snapshotDir + " holds no state hash at its offset " + meta.nextOffset()
                    + ", so a receiver could not check it; it is not offered (a newer snapshot will be)", null);
        }
        List<SnapshotManifest.FileEntry> files = new ArrayList<>();
        try (DirectoryStream<Path> d = Files.newDirectoryStream(snapshotDir)) {
            for (Path f : d) {
                String name = f.getFileName().toString();
                if (Files.isRegularFile(f) && !isInfoLog(name)) {
                    files.add(new SnapshotManifest.FileEntry(name, Files.size(f), sha256(f)));
                }
            }
        } catch (IOException e) {
            throw new StoreException("cannot read snapshot " + snapshotDir + ": " + e, e);
        }
        files.sort((a, b) -> a.name().compareTo(b.name()));
        return new SnapshotManifest(FORMAT, meta.nextOffset(), meta.hash(), meta.schedulerName(),
                meta.schemaVersion(), files);
    }

    /** Writes the manifest, then each of its files from {@code snapshotDir}, to {@code out} (not closed). */
    public static void write(Path snapshotDir, SnapshotManifest manifest, OutputStream out) throws IOException {
        ZipOutputStream zip = new ZipOutputStream(out);
        // SST blocks are compressed already: the fastest level still shrinks the rest, at little CPU
        zip.setLevel(Deflater.BEST_SPEED);
        zip.putNextEntry(new ZipEntry(MANIFEST));
        zip.write(JSON.writeValueAsBytes(manifest));
        zip.closeEntry();
        for (SnapshotManifest.FileEntry f : manifest.files()) {
            zip.putNextEntry(new ZipEntry(f.name()));
            Files.copy(snapshotDir.resolve(f.name()), zip);
            zip.closeEntry();
        }
        zip.finish();
        zip.flush();
    }

    /**
     * Unpacks an archive from {@code in} into {@code into} (which must not exist) and checks every file against the
     * manifest. On any failure {@code into} is deleted and nothing is left behind.
     *
     * @param origin where the archive comes from, for messages
     * @throws StoreCorruptException the archive is cut short, damaged, or does not match its manifest
     */
    public static SnapshotManifest read(InputStream in, Path into, String origin) {
        try {
            Files.createDirectories(into.getParent());
            Files.createDirectory(into);
            return unpack(in, into, origin);
        } catch (IOException e) {
            Snapshots.deleteTree(into);
            throw new StoreCorruptException("the snapshot from " + origin + " could not be received whole: " + e, e);
        } catch (RuntimeException e) {
            Snapshots.deleteTree(into);
            throw e;
        }
    }

    private static SnapshotManifest unpack(InputStream in, Path into, String origin) throws IOException {
        ZipInputStream zip = new ZipInputStream(in);
        ZipEntry first = zip.getNextEntry();
        if (first == null || !first.getName().equals(MANIFEST)) {
            throw corrupt(origin, "it does not start with " + MANIFEST + " (is it a Fairway snapshot?)");
        }
        SnapshotManifest manifest = JSON.readValue(zip.readNBytes(1 << 20), SnapshotManifest.class);
        if (manifest.format() != FORMAT) {
            throw corrupt(origin, "its format is " + manifest.format() + ", this build reads " + FORMAT
                    + " (is the peer another Fairway version?)");
        }
        Map<String, SnapshotManifest.FileEntry> expected = new HashMap<>();
        for (SnapshotManifest.FileEntry f : manifest.files()) {
            if (f.name().isEmpty() || f.name().contains("/") || f.name().contains("\\") || f.name().startsWith(".")) {
                throw corrupt(origin, "its manifest names a file '" + f.name() + "' outside a store directory");
            }
            expected.put(f.name(), f);
        }
        for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
            SnapshotManifest.FileEntry f = expected.remove(e.getName());
            if (f == null) {
                throw corrupt(origin, "it holds a file '" + e.getName() + "' its manifest does not list, or twice");
            }
            MessageDigest digest = sha256();
            long size;
            try (OutputStream out = Files.newOutputStream(into.resolve(f.name()))) {
                // one byte more than promised is enough to tell it lied; a peer cannot fill the disk
                size = new DigestInputStream(zip, digest).transferTo(new LimitedOutput(out, f.size() + 1));
            }
            String sha = HexFormat.of().formatHex(digest.digest());
            if (size != f.size() || !sha.equals(f.sha256())) {
                throw corrupt(origin, "file " + f.name() + " arrived with " + size + " bytes and SHA-256 " + sha
                        + ", its manifest says " + f.size() + " bytes and " + f.sha256());
            }
        }
        if (!expected.isEmpty()) {
            throw corrupt(origin, "it ends before files " + expected.keySet().stream().sorted().toList()
                    + " of its manifest (cut short on the way?)");
        }
        return manifest;
    }

    private static StoreCorruptException corrupt(String origin, String why) {
        return new StoreCorruptException("the snapshot from " + origin + " is refused: " + why, null);
    }

    private static boolean isInfoLog(String name) {
        return name.equals("LOG") || name.startsWith("LOG.old");
    }

    private static String sha256(Path f) throws IOException {
        MessageDigest d = sha256();
        try (InputStream in = new DigestInputStream(Files.newInputStream(f), d)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(d.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
    }

    /** Fails once more than {@code limit} bytes were written. */
    private static final class LimitedOutput extends OutputStream {
        private final OutputStream out;
        private long left;

        LimitedOutput(OutputStream out, long limit) {
            this.out = out;
            this.left = limit;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (len > left) {
                out.write(b, off, (int) left);
                left = 0;
                throw new IOException("a file is longer than its manifest says");
            }
            out.write(b, off, len);
            left -= len;
        }
    }
}
