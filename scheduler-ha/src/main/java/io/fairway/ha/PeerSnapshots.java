package io.fairway.ha;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fairway.store.SnapshotArchive;
import io.fairway.store.SnapshotManifest;
import io.fairway.store.SnapshotSource;
import io.fairway.store.Snapshots;
import io.fairway.store.StoreException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fetches a snapshot from other replicas' health ports ({@link SnapshotServing}): asks each peer for its manifest,
 * takes the newest one the log can continue from, and falls back to the next when a transfer fails or does not
 * match its manifest. Peers are base URLs, e.g. {@code http://fairway-health.fairway.svc:8080} (a Service over the
 * ready replicas) or each replica's address.
 */
public final class PeerSnapshots implements SnapshotSource {
    /** The longest a whole transfer may take before it is given up; 44 MiB per 100,000 pods takes about a second. */
    public static final Duration DEFAULT_TRANSFER_TIMEOUT = Duration.ofMinutes(5);
    private static final Duration ASK_TIMEOUT = Duration.ofSeconds(10);
    private static final Logger LOG = LoggerFactory.getLogger(PeerSnapshots.class);
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private final List<String> peers;
    private final Duration transferTimeout;
    /** Sent as a bearer token when not empty: peers whose console needs a token to read serve snapshots only so. */
    private final String token;
    private final HttpClient http;

    private record Offer(String peer, SnapshotManifest manifest) {
    }

    /**
     * @param peers base URLs ({@code http://} or {@code https://}, no query)
     * @throws IllegalArgumentException a peer is not such a URL, naming it
     */
    public PeerSnapshots(List<String> peers, Duration transferTimeout) {
        this(peers, transferTimeout, "");
    }

    /**
     * @param peers base URLs ({@code http://} or {@code https://}, no query)
     * @param token a viewer or admin token of the peers' console, sent with every request ("" for none)
     * @throws IllegalArgumentException a peer is not such a URL, naming it
     */
    public PeerSnapshots(List<String> peers, Duration transferTimeout, String token) {
        List<String> checked = new ArrayList<>();
        for (String p : peers) {
            checked.add(check(p));
        }
        if (checked.isEmpty()) {
            throw new IllegalArgumentException("no snapshot peers given: give at least one base URL such as "
                    + "http://fairway-health.fairway.svc:8080");
        }
        this.peers = List.copyOf(checked);
        this.transferTimeout = transferTimeout;
        this.token = token == null ? "" : token.strip();
        this.http = HttpClient.newBuilder().connectTimeout(ASK_TIMEOUT).version(HttpClient.Version.HTTP_1_1).build();
    }

    private HttpRequest request(String url) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(ASK_TIMEOUT).GET();
        if (!token.isEmpty()) {
            b.header("Authorization", "Bearer " + token);
        }
        return b.build();
    }

    /** A base URL without its trailing slash, or why it is not one. */
    static String check(String peer) {
        String p = peer.strip();
        URI u;
        try {
            u = URI.create(p);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("snapshot peer '" + peer + "' is not a URL: " + e.getMessage());
        }
        String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || u.getHost() == null || u.getQuery() != null) {
            throw new IllegalArgumentException("snapshot peer '" + peer + "' is not a base URL like "
                    + "http://HOST:PORT of another replica's health port");
        }
        return p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
    }

    public List<String> peers() {
        return peers;
    }

    @Override
    public Optional<Fetched> fetch(long fromOffset, long toOffset, Path into) {
        List<Offer> offers = new ArrayList<>();
        for (String peer : peers) {
            ask(peer).ifPresent(m -> {
                if (m.nextOffset() < fromOffset || m.nextOffset() > toOffset) {
                    LOG.info("peer {} offers a snapshot at offset {}, outside {}..{} that the log allows", peer,
                            m.nextOffset(), fromOffset, toOffset);
                } else {
                    offers.add(new Offer(peer, m));
                }
            });
        }
        offers.sort(Comparator.comparingLong((Offer o) -> o.manifest().nextOffset()).reversed());
        for (Offer o : offers) {
            String origin = "peer " + o.peer();
            try {
                SnapshotManifest got = download(o, into, origin);
                return Optional.of(new Fetched(into, got, origin));
            } catch (StoreException | IOException e) {
                LOG.warn("could not fetch the snapshot at offset {} from {}; trying the next peer: {}",
                        o.manifest().nextOffset(), o.peer(), e.getMessage());
            }
        }
        return Optional.empty();
    }

    private Optional<SnapshotManifest> ask(String peer) {
        try {
            HttpResponse<byte[]> r = http.send(request(peer + SnapshotServing.MANIFEST_PATH),
                    HttpResponse.BodyHandlers.ofByteArray());
            if (r.statusCode() != 200) {
                LOG.warn("peer {} offers no snapshot: HTTP {} {}{}", peer, r.statusCode(),
                        new String(r.body()).strip(), r.statusCode() == 401 || r.statusCode() == 403
                                ? " (its console needs a token to read: set snapshot.peerToken to a viewer token)" : "");
                return Optional.empty();
            }
            return Optional.of(JSON.readValue(r.body(), SnapshotManifest.class));
        } catch (IOException e) {
            LOG.warn("peer {} cannot be asked for a snapshot: {} (is it running, and is the address its health port?)",
                    peer, e.toString());
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted while asking " + peer + " for a snapshot", e);
        }
    }

    private SnapshotManifest download(Offer o, Path into, String origin) throws IOException {
        long offset = o.manifest().nextOffset();
        HttpResponse<InputStream> r;
        try {
            r = http.send(request(o.peer() + SnapshotServing.ARCHIVE_PATH + "?offset=" + offset),
                    HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted while fetching a snapshot from " + o.peer(), e);
        }
        try (InputStream body = r.body()) {
            if (r.statusCode() != 200) {
                throw new IOException("HTTP " + r.statusCode() + " " + new String(body.readNBytes(2000)).strip());
            }
            long start = System.nanoTime();
            // a transfer that stalls must not hold the replica's start for ever: closing the body ends the read
            CompletableFuture.delayedExecutor(transferTimeout.toMillis(), TimeUnit.MILLISECONDS).execute(() -> {
                try {
                    body.close();
                } catch (IOException ignored) {
                    // the read fails either way
                }
            });
            SnapshotManifest got = SnapshotArchive.read(body, into, origin);
            if (got.nextOffset() != offset || !got.stateHash().equals(o.manifest().stateHash())) {
                Snapshots.deleteTree(into);
                throw new StoreException(origin + " sent the snapshot at offset " + got.nextOffset() + " (hash "
                        + got.stateHash() + ") when asked for offset " + offset + " (hash " + o.manifest().stateHash()
                        + ")");
            }
            LOG.info("fetched the snapshot at offset {} from {}: {} MiB of files in {} ms", offset, o.peer(),
                    String.format("%.1f", got.bytes() / 1048576.0), (System.nanoTime() - start) / 1_000_000);
            return got;
        }
    }
}
