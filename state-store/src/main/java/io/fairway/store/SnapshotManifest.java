package io.fairway.store;

import java.util.List;
import java.util.Objects;

/**
 * What a snapshot sent to another replica holds and how to check it arrived whole: the store's meta row (offset, state
 * hash, scheduler name) and every file's size and SHA-256. It travels first in a {@link SnapshotArchive}.
 *
 * @param format        the archive format, {@link SnapshotArchive#FORMAT}
 * @param nextOffset    the offset of the next event to apply to the snapshot's state
 * @param stateHash     {@code ClusterState.hash()} at {@code nextOffset}; the receiver's load checks the state against it
 * @param schedulerName the scheduler name the state was built for
 * @param schemaVersion the store layout version
 * @param files         the store's files
 */
public record SnapshotManifest(int format, long nextOffset, String stateHash, String schedulerName, int schemaVersion,
                               List<FileEntry> files) {
    /** One file of the store: its name in the store directory, its size in bytes and its SHA-256 in hex. */
    public record FileEntry(String name, long size, String sha256) {
        public FileEntry {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(sha256, "sha256");
        }
    }

    public SnapshotManifest {
        Objects.requireNonNull(stateHash, "stateHash");
        Objects.requireNonNull(schedulerName, "schedulerName");
        files = List.copyOf(files);
    }

    public long bytes() {
        return files.stream().mapToLong(FileEntry::size).sum();
    }
}
