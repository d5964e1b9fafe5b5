package io.fairway.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fairway.log.InMemoryEventLog;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A replica with nothing of its own starts from a snapshot another replica took, sent as a {@link SnapshotArchive}
 * (real RocksDB on both sides), and reaches the state the log gives, even when the log's start was deleted.
 */
class PeerSnapshotTest {
    @TempDir
    Path tmp;

    private static FollowerOptions options() {
        return FollowerOptions.defaults().withBatchEvents(20).withCatchUpBatchEvents(20)
                .withSnapshots(new SnapshotPolicy(0, null, 2));
    }

    /** A peer that serves one archive, and counts how often it was asked. */
    private static final class OnePeer implements SnapshotSource {
        final byte[] archive;
        final long offset;
        final AtomicInteger asked = new AtomicInteger();

        OnePeer(byte[] archive, long offset) {
            this.archive = archive;
            this.offset = offset;
        }

        @Override
        public Optional<Fetched> fetch(long fromOffset, long toOffset, Path into) {
            asked.incrementAndGet();
            if (offset < fromOffset || offset > toOffset) {
                return Optional.empty();
            }
            return Optional.of(new Fetched(into, SnapshotArchive.read(new ByteArrayInputStream(archive), into,
                    "peer-a"), "peer-a"));
        }
    }

    /** Replica A follows the log and takes a snapshot; its archive. */
    private record Taken(byte[] archive, SnapshotManifest manifest, long offset) {
    }

    private Taken snapshotOfA(LogGenerator g) throws IOException {
        try (StateFollower a = StateFollower.recover(tmp.resolve("a"), g.log(), options())) {
            Snapshots.Snapshot s = a.snapshot();
            SnapshotManifest m = SnapshotArchive.manifest(s.path());
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            SnapshotArchive.write(s.path(), m, out);
            return new Taken(out.toByteArray(), m, s.nextOffset());
        }
    }

    @Test
    void anArchiveArrivesAsTheSameFilesWithTheManifestOfTheStore() throws IOException {
        LogGenerator g = LogGenerator.inMemory(7, 15, true);
        Taken t = snapshotOfA(g);
        assertThat(t.manifest().nextOffset()).isEqualTo(g.log().endOffset());
        assertThat(t.manifest().stateHash()).isEqualTo(g.hashAt(t.offset() - 1));
        assertThat(t.manifest().files()).extracting(SnapshotManifest.FileEntry::name)
                .contains("CURRENT").anyMatch(n -> n.endsWith(".sst")).noneMatch(n -> n.startsWith("LOG"));

        Path into = tmp.resolve("b");
        SnapshotManifest got = SnapshotArchive.read(new ByteArrayInputStream(t.archive()), into, "peer-a");
        assertThat(got).isEqualTo(t.manifest());
        Path source = tmp.resolve("a").resolve(StateFollower.SNAPSHOTS_DIR).resolve(Snapshots.name(t.offset()));
        for (SnapshotManifest.FileEntry f : got.files()) {
            assertThat(Files.readAllBytes(into.resolve(f.name()))).as(f.name())
                    .isEqualTo(Files.readAllBytes(source.resolve(f.name())));
        }
        try (StateStore s = StateStore.open(into)) {
            assertThat(s.load().orElseThrow().state().hash()).isEqualTo(g.hashAt(t.offset() - 1));
        }
    }

    @Test
    void aDamagedOrShortArchiveIsRefusedWholeAndLeavesNothing() throws IOException {
        Taken t = snapshotOfA(LogGenerator.inMemory(8, 10, false));
        byte[] cut = Arrays.copyOf(t.archive(), t.archive().length / 2);
        Path into = tmp.resolve("cut");
        assertThatThrownBy(() -> SnapshotArchive.read(new ByteArrayInputStream(cut), into, "peer-a"))
                .isInstanceOf(StoreCorruptException.class).hasMessageContaining("the snapshot from peer-a");
        assertThat(into).doesNotExist();

        // every byte after the manifest flipped in turn would take long; a spread of positions covers entries'
        // headers, deflated data and the central directory
        int refused = 0;
        for (int at = 200; at < t.archive().length; at += Math.max(1, t.archive().length / 40)) {
            byte[] bad = t.archive().clone();
            bad[at] ^= 0x5a;
            Path dir = tmp.resolve("bad-" + at);
            try {
                SnapshotArchive.read(new ByteArrayInputStream(bad), dir, "peer-a");
                // a flip in the central directory, which a streaming read does not need, changes nothing it uses
                assertThat(dir).isDirectory();
            } catch (StoreCorruptException e) {
                refused++;
                assertThat(dir).doesNotExist();
            }
        }
        assertThat(refused).isGreaterThan(20);

        byte[] notOurs = "PK\u0003\u0004 not a snapshot".getBytes();
        assertThatThrownBy(() -> SnapshotArchive.read(new ByteArrayInputStream(notOurs), tmp.resolve("x"), "peer-z"))
                .isInstanceOf(StoreCorruptException.class).hasMessageContaining("peer-z");
    }

    @Test
    void aNewReplicaJoinsALogWhoseStartWasDeletedFromAPeersSnapshot() throws IOException {
        LogGenerator g = LogGenerator.inMemory(9, 20, true);
        Taken t = snapshotOfA(g);
        g.rounds(10);
        Taken newer = snapshotOfA(g);
        InMemoryEventLog log = (InMemoryEventLog) g.log();
        log.deleteBefore(t.offset() + 3);
        OnePeer peer = new OnePeer(t.archive(), t.offset());
        // the snapshot is three offsets before the log's start: no peer has one in range, and it says so
        assertThatThrownBy(() -> StateFollower.recover(tmp.resolve("late"), log, options().withPeers(peer)))
                .isInstanceOf(StoreException.class).hasMessageContaining("no peer offered one");

        log.deleteBefore(newer.offset() - 5);
        Path data = tmp.resolve("b");
        String end;
        try (StateFollower b = StateFollower.recover(data, log, options().withPeers(new OnePeer(newer.archive(),
                newer.offset())))) {
            assertThat(b.recovery().source()).isEqualTo(Recovery.Source.PEER);
            assertThat(b.recovery().startOffset()).isEqualTo(newer.offset());
            g.rounds(3);
            while (b.nextOffset() < log.endOffset()) {
                b.poll(java.time.Duration.ofMillis(50));
            }
            end = b.state().hash();
            assertThat(end).isEqualTo(g.hashAt(log.endOffset() - 1));
            assertThat(b.snapshots().list()).extracting(Snapshots.Snapshot::nextOffset).contains(newer.offset());
        }
        // the next start is from its own store: the peer is not asked again
        OnePeer unused = new OnePeer(newer.archive(), newer.offset());
        try (StateFollower b = StateFollower.recover(data, log, options().withPeers(unused))) {
            assertThat(b.recovery().source()).isEqualTo(Recovery.Source.STORE);
            assertThat(b.state().hash()).isEqualTo(end);
        }
        assertThat(unused.asked).hasValue(0);
        try (Stream<Path> left = Files.list(data.resolve(StateFollower.SNAPSHOTS_DIR))) {
            assertThat(left.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith(Snapshots.TEMP_PREFIX));
        }
    }

    @Test
    void aPeersSnapshotIsPreferredToReplayingTheWholeLogAndAFalseOneIsRefused() throws IOException {
        LogGenerator g = LogGenerator.inMemory(10, 25, true);
        Taken t = snapshotOfA(g);
        g.rounds(2);
        try (StateFollower b = StateFollower.recover(tmp.resolve("b"), g.log(),
                options().withPeers(new OnePeer(t.archive(), t.offset())))) {
            assertThat(b.recovery().source()).isEqualTo(Recovery.Source.PEER);
            assertThat(b.recovery().events()).isEqualTo(g.log().endOffset() - t.offset());
            assertThat(b.state().hash()).isEqualTo(g.hashAt(g.log().endOffset() - 1));
        }

        // a peer whose manifest promises another state than the files hold: refused, and the log (whole here) used
        SnapshotSource lying = (from, to, into) -> {
            SnapshotManifest m = SnapshotArchive.read(new ByteArrayInputStream(t.archive()), into, "peer-liar");
            return Optional.of(new SnapshotSource.Fetched(into, new SnapshotManifest(m.format(), m.nextOffset(),
                    "0".repeat(64), m.schedulerName(), m.schemaVersion(), m.files()), "peer-liar"));
        };
        try (StateFollower c = StateFollower.recover(tmp.resolve("c"), g.log(), options().withPeers(lying))) {
            assertThat(c.recovery().source()).isEqualTo(Recovery.Source.SCRATCH);
            assertThat(c.state().hash()).isEqualTo(g.hashAt(g.log().endOffset() - 1));
            assertThat(c.snapshots().list()).as("the false snapshot is not kept").isEmpty();
        }
        // a peer that fails: the log is used, and the failure does not stop the start
        SnapshotSource down = (from, to, into) -> {
            throw new StoreException("peer-down: connection refused");
        };
        try (StateFollower d = StateFollower.recover(tmp.resolve("d"), g.log(), options().withPeers(down))) {
            assertThat(d.recovery().source()).isEqualTo(Recovery.Source.SCRATCH);
        }
    }

    /**
     * A crash while replaying the log after a peer's snapshot: the next start needs no peer (the fetched snapshot was
     * kept, and the store holds what was written), and still ends at the log's state.
     */
    @Test
    void aCrashAfterStartingFromAPeerNeedsNoPeerAgain() throws IOException {
        LogGenerator g = LogGenerator.inMemory(11, 20, true);
        Taken t = snapshotOfA(g);
        g.rounds(8);
        InMemoryEventLog log = (InMemoryEventLog) g.log();
        log.deleteBefore(t.offset());
        long crashAt = t.offset() + (log.endOffset() - t.offset()) / 2;
        FollowerOptions crashing = options().withPeers(new OnePeer(t.archive(), t.offset()))
                .withPublisher(io.fairway.log.StatePublisher.onApplied((e, r) -> {
                    if (e.offset() == crashAt) {
                        throw new RecoveryTest.Crash(e.offset());
                    }
                }));
        Path data = tmp.resolve("b");
        assertThatThrownBy(() -> StateFollower.recover(data, log, crashing)).isInstanceOf(RecoveryTest.Crash.class);
        try (StateFollower b = StateFollower.recover(data, log, options())) {
            assertThat(b.recovery().source()).isIn(Recovery.Source.STORE, Recovery.Source.SNAPSHOT);
            assertThat(b.recovery().startOffset()).isBetween(t.offset(), crashAt);
            assertThat(b.state().hash()).isEqualTo(g.hashAt(log.endOffset() - 1));
        }
    }
}
