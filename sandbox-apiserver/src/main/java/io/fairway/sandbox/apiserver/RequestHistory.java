package io.fairway.sandbox.apiserver;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Appends {@link HistoryEntry} lines to a file. Requests are answered on several event loops, so lines are written
 * under a lock, each with one {@code write} call (no half line interleaves with another, and a kill leaves at most a
 * torn last line, which the next open cuts off).
 */
final class RequestHistory implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RequestHistory.class);

    private final Path file;
    private final OutputStream out;
    private final ReentrantLock lock = new ReentrantLock();

    private RequestHistory(Path file, OutputStream out) {
        this.file = file;
        this.out = out;
    }

    /** Opens {@code file} for appending (creating it and its directory if needed). */
    static RequestHistory open(Path file) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            cutTornLine(file);
            return new RequestHistory(file, new FileOutputStream(file.toFile(), true));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the request history " + file + ": " + e.getMessage()
                    + " (check that --history names a writable file)", e);
        }
    }

    /** A kill in the middle of a write may leave a last line without its newline: drop it, or the next line would join it. */
    private static void cutTornLine(Path file) throws IOException {
        if (!Files.exists(file)) {
            return;
        }
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            long end = f.length();
            long keep = end;
            while (keep > 0) {
                f.seek(keep - 1);
                if (f.read() == '\n') {
                    break;
                }
                keep--;
            }
            if (keep < end) {
                LOG.warn("request history {}: cutting a torn last line of {} bytes (a write cut short by a kill)", file, end - keep);
                f.setLength(keep);
            }
        }
    }

    void append(HistoryEntry e) {
        byte[] json = Json.bytes(e.toJson());
        byte[] line = Arrays.copyOf(json, json.length + 1);
        line[json.length] = '\n';
        lock.lock();
        try {
            out.write(line);
        } catch (IOException ex) {
            // the request is already decided; losing its line is reported, not turned into a failed answer
            LOG.error("cannot append to the request history {}: {}", file, ex.toString());
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            out.close();
        } catch (IOException e) {
            LOG.warn("cannot close the request history {}", file, e);
        } finally {
            lock.unlock();
        }
    }
}
