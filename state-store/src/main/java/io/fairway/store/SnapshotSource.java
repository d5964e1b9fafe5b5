package io.fairway.store;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Where a replica with no usable store of its own fetches a snapshot another replica took: a new replica, or one whose
 * next events retention deleted. The fetched snapshot is then checked as a local one is (it opens, its state has the
 * stored hash, it was built for this scheduler, the log still holds what follows it).
 */
@FunctionalInterface
public interface SnapshotSource {
    /** A snapshot fetched, unpacked and checked against its manifest, and where it came from. */
    record Fetched(Path directory, SnapshotManifest manifest, String origin) {
    }

    /**
     * Fetches the newest snapshot offered at an offset from {@code fromOffset} to {@code toOffset}, unpacked into
     * {@code into} (which must not exist yet); empty when no one offers one in that range. A source with several peers
     * tries the next when one fails, and logs why.
     */
    Optional<Fetched> fetch(long fromOffset, long toOffset, Path into);
}
