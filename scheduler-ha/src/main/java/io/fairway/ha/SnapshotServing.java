package io.fairway.ha;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fairway.store.SnapshotArchive;
import io.fairway.store.SnapshotManifest;
import io.fairway.store.Snapshots;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves this replica's newest snapshot to a peer that starts without a store of its own ({@link PeerSnapshots}):
 * {@code GET /snapshot/manifest} its manifest as JSON, {@code GET /snapshot?offset=N} the archive of the snapshot at
 * {@code N} (the newest without {@code offset}). A replica with no snapshot yet takes one first. Each request runs on
 * a virtual thread of its own, so a transfer of many MiB holds up neither the event loop nor the probes.
 */
final class SnapshotServing {
    static final String MANIFEST_PATH = "/snapshot/manifest";
    static final String ARCHIVE_PATH = "/snapshot";
    static final String OFFSET_HEADER = "Fairway-Snapshot-Offset";
    private static final Logger LOG = LoggerFactory.getLogger(SnapshotServing.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int CHUNK = 256 * 1024;

    private final Replica replica;
    /** The manifest last computed, with its snapshot: hashing a store's files is not free, and peers ask twice. */
    private final AtomicReference<Manifested> last = new AtomicReference<>();

    private record Manifested(Snapshots.Snapshot snapshot, SnapshotManifest manifest) {
    }

    SnapshotServing(Replica replica) {
        this.replica = replica;
    }

    void handle(HttpServerRequest r) {
        Thread.ofVirtual().name("fairway-snapshot-serving").start(() -> {
            try {
                serve(r);
            } catch (RuntimeException e) {
                LOG.warn("serving {} to {} failed: {}", r.uri(), r.remoteAddress(), e.getMessage());
                if (!r.response().headWritten()) {
                    text(r.response(), 503, "cannot serve the snapshot of replica " + replica.name() + ": "
                            + e.getMessage() + "\n");
                } else {
                    // the peer sees an archive cut short, refuses it and tries another
                    r.connection().close();
                }
            }
        });
    }

    private void serve(HttpServerRequest r) {
        Snapshots snapshots = replica.follower().snapshots();
        if (snapshots == null) {
            text(r.response(), 404, "replica " + replica.name() + " keeps no snapshots\n");
            return;
        }
        String offsetParam = r.getParam("offset");
        Optional<Snapshots.Snapshot> chosen;
        if (offsetParam == null) {
            chosen = snapshots.newest().or(() -> Optional.of(takeOne()));
        } else {
            long offset;
            try {
                offset = Long.parseLong(offsetParam);
            } catch (NumberFormatException e) {
                text(r.response(), 400, "offset '" + offsetParam + "' is not a log offset\n");
                return;
            }
            chosen = snapshots.list().stream().filter(s -> s.nextOffset() == offset).findFirst();
            if (chosen.isEmpty()) {
                text(r.response(), 404, "replica " + replica.name() + " no longer has a snapshot at offset " + offset
                        + "; it has " + snapshots.list().stream().map(Snapshots.Snapshot::nextOffset).toList()
                        + ". Ask " + MANIFEST_PATH + " again\n");
                return;
            }
        }
        Manifested m = manifest(chosen.get());
        if (r.path().equals(MANIFEST_PATH)) {
            try {
                r.response().setStatusCode(200).putHeader("content-type", "application/json")
                        .end(Buffer.buffer(JSON.writeValueAsBytes(m.manifest())));
            } catch (IOException e) {
                throw new IllegalStateException("cannot render the manifest: " + e, e);
            }
            return;
        }
        long start = System.nanoTime();
        HttpServerResponse response = r.response().setChunked(true).setStatusCode(200)
                .putHeader("content-type", "application/zip")
                .putHeader(OFFSET_HEADER, Long.toString(m.manifest().nextOffset()));
        try (OutputStream out = new ResponseStream(response)) {
            SnapshotArchive.write(m.snapshot().path(), m.manifest(), out);
        } catch (IOException e) {
            throw new IllegalStateException("the snapshot at offset " + m.manifest().nextOffset()
                    + " could not be sent whole (rotated away, or the peer went): " + e.getMessage(), e);
        }
        response.end().await();
        LOG.info("sent snapshot at offset {} ({} MiB of files) to {} in {} ms", m.manifest().nextOffset(),
                String.format("%.1f", m.manifest().bytes() / 1048576.0), r.remoteAddress(),
                (System.nanoTime() - start) / 1_000_000);
    }

    private Snapshots.Snapshot takeOne() {
        try {
            return replica.snapshotNow().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("it has no snapshot yet and could not take one: " + e.getMessage(), e);
        }
    }

    private Manifested manifest(Snapshots.Snapshot s) {
        Manifested m = last.get();
        if (m != null && m.snapshot().equals(s)) {
            return m;
        }
        Manifested made = new Manifested(s, SnapshotArchive.manifest(s.path()));
        last.set(made);
        return made;
    }

    private static void text(HttpServerResponse response, int status, String body) {
        response.setStatusCode(status).putHeader("content-type", "text/plain").end(body);
    }

    /** Writes to a response in chunks, each waited for, so a slow peer slows the reading of the files, not the heap. */
    private static final class ResponseStream extends OutputStream {
        private final HttpServerResponse response;
        private final byte[] chunk = new byte[CHUNK];
        private int filled;

        ResponseStream(HttpServerResponse response) {
            this.response = response;
        }

        @Override
        public void write(int b) throws IOException {
            if (filled == chunk.length) {
                flush();
            }
            chunk[filled++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            while (len > 0) {
                if (filled == chunk.length) {
                    flush();
                }
                int n = Math.min(len, chunk.length - filled);
                System.arraycopy(b, off, chunk, filled, n);
                filled += n;
                off += n;
                len -= n;
            }
        }

        @Override
        public void flush() throws IOException {
            if (filled == 0) {
                return;
            }
            try {
                response.write(Buffer.buffer(Arrays.copyOf(chunk, filled))).await();
            } catch (RuntimeException e) {
                throw new IOException("the peer stopped reading: " + e.getMessage(), e);
            }
            filled = 0;
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
