package io.fairway.sandbox.apiserver;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store's changes as JSON lines in {@code DIR/store.jsonl}, so that a server started again on the same directory,
 * after a clean stop or a SIGKILL, finds its objects and carries on with higher resourceVersions. Each committed
 * change is written with one {@code write} call before the request is answered; there is no fsync, since a killed
 * process leaves what it wrote in the OS page cache (a machine crash may lose the tail). Lines:
 * <pre>
 * {"journal":"fairway-sandbox-apiserver","version":1,"rv":N}                 first line: the resourceVersion counter
 * {"rv":N,"op":"put","resource":"pods","ns":"default","name":"a","object":{…}} the object as stored at N
 * {"rv":N,"op":"remove","resource":"pods","ns":"default","name":"a"}          removed at N
 * </pre>
 * {@code resource} is the storage name (both kinds of events are stored as core {@code events}); {@code ns} is "" for
 * cluster-scoped objects. On open the journal is read (a torn last line, left by a kill in the middle of a write, is
 * skipped with a warning), then compacted: rewritten with the header and one {@code put} per live object into a new
 * file that atomically replaces the old, so it grows only with the changes of one run.
 */
final class StoreJournal implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StoreJournal.class);
    static final String FILE_NAME = "store.jsonl";
    private static final String FORMAT = "fairway-sandbox-apiserver";
    private static final int VERSION = 1;

    /** What the journal held: the live objects and the resourceVersion counter (0 and none for a new directory). */
    record Restored(List<Stored> objects, long rv) {
        boolean isEmpty() {
            return objects.isEmpty() && rv == 0;
        }
    }

    private final Path file;
    private final Restored restored;
    private final OutputStream out;
    // reused for every line: append runs under the store's write lock, one change at a time
    private final ByteArrayOutputStream line = new ByteArrayOutputStream(4096);

    private StoreJournal(Path file, Restored restored, OutputStream out) {
        this.file = file;
        this.restored = restored;
        this.out = out;
    }

    /** Reads and compacts {@code dir}'s journal (creating the directory if needed) and opens it for appending. */
    static StoreJournal open(Path dir) {
        Path file = dir.resolve(FILE_NAME);
        try {
            Files.createDirectories(dir);
            Restored restored = Files.exists(file) ? read(file) : new Restored(List.of(), 0);
            compact(file, restored);
            LOG.info("store journal {}: restored {} objects at resourceVersion {}", file, restored.objects().size(), restored.rv());
            return new StoreJournal(file, restored, new FileOutputStream(file.toFile(), true));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the store journal " + file + ": " + e.getMessage()
                    + " (check that the --data directory is writable)", e);
        }
    }

    Restored restored() {
        return restored;
    }

    Path file() {
        return file;
    }

    /**
     * Writes one change; called under the store's write lock before the change is applied, so a change that
     * cannot be journaled is refused (the request fails) rather than lost on the next restart.
     */
    void append(Change c) {
        Stored s = c.cur();
        line.reset();
        try {
            boolean removed = c.type() == Change.Type.DELETED;
            ascii("{\"rv\":" + c.rv() + ",\"op\":\"" + (removed ? "remove" : "put") + "\",\"resource\":");
            quoted(s.type.storage());
            ascii(",\"ns\":");
            quoted(s.namespace);
            ascii(",\"name\":");
            quoted(s.name);
            if (!removed) {
                ascii(",\"object\":");
                line.write(s.json);
            }
            ascii("}\n");
            line.writeTo(out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to the store journal " + file + ": " + e.getMessage()
                    + "; the change was refused (is the disk full?)", e);
        }
    }

    private void ascii(String s) {
        line.writeBytes(s.getBytes(StandardCharsets.UTF_8));
    }

    private void quoted(String s) {
        line.write('"');
        line.writeBytes(JsonStringEncoder.getInstance().quoteAsUTF8(s == null ? "" : s));
        line.write('"');
    }

    @Override
    public void close() {
        try {
            out.close();
        } catch (IOException e) {
            LOG.warn("cannot close the store journal {}", file, e);
        }
    }

    // ---- reading and compaction -----------------------------------------------------------------------------

    private record Entry(ResourceType type, ObjectNode object, long rv) {}

    private static Restored read(Path file) throws IOException {
        List<String> lines = new ArrayList<>();
        // a torn last line may end inside a multi-byte character: the reader replaces it rather than failing
        try (BufferedReader in = new BufferedReader(new InputStreamReader(Files.newInputStream(file), StandardCharsets.UTF_8))) {
            String l;
            while ((l = in.readLine()) != null) {
                lines.add(l);
            }
        }
        Map<String, Entry> live = new LinkedHashMap<>();
        long rv = 0;
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i);
            if (l.isBlank()) {
                continue;
            }
            JsonNode n;
            try {
                n = Json.MAPPER.readTree(l);
                if (n == null || !n.isObject() || !n.path("rv").canConvertToLong()) {
                    throw new IOException("not a journal line (no \"rv\")");
                }
            } catch (IOException e) {
                if (i == lines.size() - 1) {
                    LOG.warn("store journal {}: skipping the torn last line {} (a write cut short by a kill): {}", file, i + 1, abbreviate(l));
                    continue;
                }
                throw new IllegalStateException("store journal " + file + " line " + (i + 1) + " is not valid (" + e.getMessage()
                        + "): " + abbreviate(l) + ". Only a torn last line is expected after a kill; move the file away to start empty.", e);
            }
            rv = Math.max(rv, n.get("rv").asLong());
            if (n.has("journal")) {
                if (!FORMAT.equals(n.path("journal").asText()) || n.path("version").asInt() != VERSION) {
                    throw invalid(file, i, "a header of another format or version (this server reads " + FORMAT + " version " + VERSION + ")", l);
                }
                continue;
            }
            String storage = n.path("resource").asText();
            String key = storage + " " + n.path("ns").asText() + "/" + n.path("name").asText();
            switch (n.path("op").asText()) {
                case "put" -> {
                    if (!(n.get("object") instanceof ObjectNode o)) {
                        throw invalid(file, i, "a put without an object", l);
                    }
                    live.remove(key);
                    live.put(key, new Entry(storedType(file, i, storage, l), o, n.get("rv").asLong()));
                }
                case "remove" -> live.remove(key);
                default -> throw invalid(file, i, "unknown op \"" + n.path("op").asText() + "\"", l);
            }
        }
        List<Entry> entries = new ArrayList<>(live.values());
        entries.sort(Comparator.comparingLong(Entry::rv));
        List<Stored> objects = new ArrayList<>(entries.size());
        for (Entry e : entries) {
            objects.add(Stored.of(e.type(), e.object(), e.rv()));
        }
        return new Restored(objects, rv);
    }

    private static ResourceType storedType(Path file, int line, String storage, String text) {
        for (ResourceType t : ResourceTypes.STORED) {
            if (t.storage().equals(storage)) {
                return t;
            }
        }
        throw invalid(file, line, "unknown resource \"" + storage + "\"", text);
    }

    private static IllegalStateException invalid(Path file, int line, String why, String text) {
        return new IllegalStateException("store journal " + file + " line " + (line + 1) + ": " + why + ": " + abbreviate(text)
                + ". Was it written by another version? Move the file away to start empty.");
    }

    private static String abbreviate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "…";
    }

    /** Rewrites the journal as its header and the live objects, replacing the old file only once the new one is whole. */
    private static void compact(Path file, Restored r) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (OutputStream o = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
            o.write(("{\"journal\":\"" + FORMAT + "\",\"version\":" + VERSION + ",\"rv\":" + r.rv() + "}\n").getBytes(StandardCharsets.UTF_8));
            StoreJournal writer = new StoreJournal(tmp, r, o);
            for (Stored s : r.objects()) {
                writer.append(new Change(s.rv, Change.Type.ADDED, null, s));
            }
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
