package io.fairway.store;

import io.fairway.core.events.Allocated;
import io.fairway.core.events.Event;
import io.fairway.core.events.GangReleased;
import io.fairway.core.events.GangReserved;
import io.fairway.core.state.AppState;
import io.fairway.core.state.Gang;
import io.fairway.core.events.LeaderElected;
import io.fairway.core.events.NodeGone;
import io.fairway.core.events.NodeObserved;
import io.fairway.core.events.PodGone;
import io.fairway.core.events.PodObserved;
import io.fairway.core.events.PriorityClassGone;
import io.fairway.core.events.AdminAction;
import io.fairway.core.events.PriorityClassObserved;
import io.fairway.core.events.QueueConfigObserved;
import io.fairway.core.events.Released;
import io.fairway.core.events.Unschedulable;
import io.fairway.core.objects.Node;
import io.fairway.core.state.ClusterState;
import io.fairway.core.state.StateChanges;
import io.fairway.core.state.StateSnapshot;
import io.fairway.log.PodStory;
import io.fairway.log.StoryBook;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletableFuture;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.rocksdb.Checkpoint;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;
import org.rocksdb.FlushOptions;
import org.rocksdb.InfoLogLevel;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The materialized {@link ClusterState} in RocksDB, with the offset of the next event to apply.
 *
 * <p>Layout: one column family per entity kind ({@code nodes}, {@code pods}, {@code apps}), {@code cluster} for the
 * rows that are not entities (queue config, leader, priority classes, counters, tombstones) and {@code meta} (schema
 * version, next offset, leader epoch, state hash). Every {@link #write} puts the rows the events touched and the meta
 * in one {@link WriteBatch}, so the store is always exactly the state at its offset, never half a batch.
 *
 * <p>Only rows are stored, never what can be derived (usage, queue trees, indexes): {@link #load} hands the rows to
 * {@link ClusterState#restore}, which rebuilds the rest, and checks the result against the stored hash.
 *
 * <p>Not thread-safe: one thread applies and writes. {@link #checkpoint} may run alongside (RocksDB allows it).
 */
public final class StateStore implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StateStore.class);
    /** The layout this build writes and reads. Bump it when a row's shape changes incompatibly: old stores rebuild. */
    public static final int SCHEMA_VERSION = 2;

    static final String NODES = "nodes";
    static final String PODS = "pods";
    static final String APPS = "apps";
    static final String CLUSTER = "cluster";
    static final String META = "meta";
    static final String STORIES = "stories";
    private static final List<String> FAMILIES = List.of(NODES, PODS, APPS, CLUSTER, META, STORIES);
    /**
     * Story rows of pods the state no longer knows (deleted, and their tombstone forgotten) are swept out after this
     * many tombstones were forgotten: a scan of the stories now and then instead of a read per forgotten pod.
     */
    static final int STORY_SWEEP_EVERY = 65_536;
    /** {@link #STORY_SWEEP_EVERY}, lower in the test of the sweep. */
    int storySweepEvery = STORY_SWEEP_EVERY;

    private static final byte[] META_SCHEMA = EntityCodec.key("schemaVersion");
    private static final byte[] META_OFFSET = EntityCodec.key("nextOffset");
    private static final byte[] META_EPOCH = EntityCodec.key("leaderEpoch");
    private static final byte[] META_HASH = EntityCodec.key("hash");
    private static final byte[] META_HASH_OFFSET = EntityCodec.key("hashOffset");
    private static final byte[] META_SCHEDULER = EntityCodec.key("schedulerName");
    /** Above every key: every key starts with a UTF-8 byte of a name or prefix, and UTF-8 never has a 0xFF byte. */
    private static final byte[] END_OF_KEYS = {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF};

    /** The write-ahead log's bound: what an open of the store may have to replay. */
    static final long MAX_WAL_BYTES = 16L << 20;

    static {
        RocksNative.load();
    }

    private final Path dir;
    private final StoreOptions options;
    private final EntityCodec codec = new EntityCodec();
    private final DBOptions dbOptions;
    private final ColumnFamilyOptions cfOptions;
    private final WriteOptions writeOptions;
    private final RocksDB db;
    private final List<ColumnFamilyHandle> handles;
    private final ColumnFamilyHandle nodes;
    private final ColumnFamilyHandle pods;
    private final ColumnFamilyHandle apps;
    private final ColumnFamilyHandle cluster;
    private final ColumnFamilyHandle meta;
    private final ColumnFamilyHandle stories;
    private final boolean readOnly;
    private int forgottenSinceSweep;
    private final PodTombstones podTombstones = new PodTombstones();
    /**
     * The cluster rows as stored. They are few and small, and compared with the state's after every batch rather than
     * derived from the events: a rejected queue config, for one, is ignored yet still moves the config's seen version.
     */
    private ClusterRows stored;
    /** Volatile: a commit may run on a writer thread, and {@link #meta} is read by others. */
    private volatile StoreMeta current;
    private int writesSinceHash;
    /**
     * Set when a write failed: the mirrors may be ahead of the files, so the store refuses further writes. Volatile: a
     * commit may run on a writer thread.
     */
    private volatile String failed;
    private boolean closed;

    private StateStore(Path dir, StoreOptions options, DBOptions dbOptions, ColumnFamilyOptions cfOptions,
                       RocksDB db, List<ColumnFamilyHandle> handles, boolean readOnly) {
        this.dir = dir;
        this.readOnly = readOnly;
        this.options = options;
        this.dbOptions = dbOptions;
        this.cfOptions = cfOptions;
        this.writeOptions = new WriteOptions().setSync(options.sync()).setDisableWAL(false);
        this.db = db;
        this.handles = handles;
        this.nodes = handles.get(1);
        this.pods = handles.get(2);
        this.apps = handles.get(3);
        this.cluster = handles.get(4);
        this.meta = handles.get(5);
        this.stories = handles.get(6);
    }

    public static StateStore open(Path dir) {
        return open(dir, StoreOptions.defaults());
    }

    /**
     * Opens the store in {@code dir}, creating it when the directory is missing or empty.
     *
     * @throws StoreCorruptException      RocksDB cannot open it (files missing or damaged), or its meta is unreadable
     * @throws StoreIncompatibleException it was written with another {@link #SCHEMA_VERSION}
     * @throws StoreException             it is open elsewhere, or the directory cannot be created
     */
    public static StateStore open(Path dir, StoreOptions options) {
        boolean isNew = isMissingOrEmpty(dir);
        if (!isNew && !Files.exists(dir.resolve("CURRENT"))) {
            // RocksDB would quietly start an empty database over the leftovers; a store that lost its CURRENT file is
            // damaged, not new, and must be rebuilt knowingly.
            throw new StoreCorruptException("state store " + dir + " has files but no CURRENT file: it is damaged. "
                    + "Delete the directory (recovery rebuilds it from the newest snapshot and the log)");
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new StoreException("cannot create the state store directory " + dir + ": " + e
                    + ". Check the path and its permissions", e);
        }
        DBOptions dbOptions = new DBOptions()
                .setCreateIfMissing(isNew)
                .setCreateMissingColumnFamilies(true)
                .setParanoidChecks(true)
                .setInfoLogLevel(InfoLogLevel.WARN_LEVEL)
                .setKeepLogFileNum(2)
                // every open replays the write-ahead log, a reader's too (explain, a restarted replica): flushing
                // memtables early keeps it short (RocksDB's defaults let it reach hundreds of MB)
                .setMaxTotalWalSize(MAX_WAL_BYTES);
        ColumnFamilyOptions cfOptions = new ColumnFamilyOptions().setCompressionType(CompressionType.LZ4_COMPRESSION)
                .setWriteBufferSize(MAX_WAL_BYTES / 2);
        List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
        descriptors.add(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, cfOptions));
        for (String f : FAMILIES) {
            descriptors.add(new ColumnFamilyDescriptor(EntityCodec.key(f), cfOptions));
        }
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        RocksDB db;
        try {
            db = RocksDB.open(dbOptions, dir.toString(), descriptors, handles);
        } catch (RocksDBException e) {
            dbOptions.close();
            cfOptions.close();
            if (describe(e).contains("lock")) {
                // Another process (or this one) has it open: the store is fine, and must not be rebuilt under it.
                throw new StoreException("state store " + dir + " is in use by another process or another open "
                        + "StateStore (" + describe(e) + "). Stop the other replica or give this one its own directory",
                        e);
            }
            if (isEnvironmentFailure(e)) {
                // A full or read-only disk is not a damaged store: moving it aside would throw a good store away and
                // rebuild from the log (which retention may have cut), on the same full disk.
                throw new StoreException("cannot open the state store " + dir + ": " + describe(e) + ". The store is "
                        + "kept as it is: free space on (or fix) that disk and start the replica again", e);
            }
            throw new StoreCorruptException("cannot open the state store " + dir + ": " + describe(e)
                    + ". Delete the directory (recovery rebuilds it from the newest snapshot and the log)", e);
        }
        StateStore store = new StateStore(dir, options, dbOptions, cfOptions, db, handles, false);
        try {
            store.current = store.readMeta();
            if (!store.isEmpty()) {
                store.stored = store.readClusterRows();
                store.loadPodTombstones();
            }
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
        return store;
    }

    /**
     * Opens the store of a replica for reading, while that replica may have it open for writing ({@code explain} and
     * tools): it sees the store as of this moment, takes no lock, and refuses every write.
     *
     * @throws StoreException the directory holds no store, or one this build cannot read
     */
    public static StateStore openReadOnly(Path dir) {
        if (!Files.exists(dir.resolve("CURRENT"))) {
            throw new StoreException("there is no state store at " + dir + " (no CURRENT file); give the store "
                    + "directory of a replica: <data directory>/" + "store", null);
        }
        DBOptions dbOptions = new DBOptions().setInfoLogLevel(InfoLogLevel.WARN_LEVEL);
        ColumnFamilyOptions cfOptions = new ColumnFamilyOptions();
        List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
        descriptors.add(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, cfOptions));
        for (String f : FAMILIES) {
            descriptors.add(new ColumnFamilyDescriptor(EntityCodec.key(f), cfOptions));
        }
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        RocksDB db;
        try {
            db = RocksDB.openReadOnly(dbOptions, dir.toString(), descriptors, handles);
        } catch (RocksDBException e) {
            dbOptions.close();
            cfOptions.close();
            throw new StoreException("cannot open the state store " + dir + " for reading: " + describe(e)
                    + " (a store written by an older Fairway lacks column families this one reads; the replica "
                    + "rebuilds it at its next start)", e);
        }
        StateStore store = new StateStore(dir, StoreOptions.defaults(), dbOptions, cfOptions, db, handles, true);
        try {
            store.current = store.readMeta();
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
        return store;
    }

    private static boolean isMissingOrEmpty(Path dir) {
        if (!Files.isDirectory(dir)) {
            return true;
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        } catch (IOException e) {
            throw new StoreException("cannot list the state store directory " + dir + ": " + e, e);
        }
    }

    // ---------------------------------------------------------------- reading

    public Path directory() {
        return dir;
    }

    public StoreOptions options() {
        return options;
    }

    /** The meta row; {@code nextOffset} is -1 for a store nothing was written to. */
    public StoreMeta meta() {
        return current;
    }

    /** True when nothing was written yet: {@link #load} returns empty and the first write stores everything. */
    public boolean isEmpty() {
        return current.nextOffset() < 0;
    }

    /**
     * A restored state, the offset of the next event to apply to it, and the stored stories of its pods (empty when
     * they were not asked for).
     */
    public record Loaded(ClusterState state, long nextOffset, List<PodStory.Saved> stories) {
    }

    /**
     * The state the store holds, restored, its next offset and the stories of its pods; empty for a new store.
     *
     * @throws StoreCorruptException a row cannot be read or decoded, or the restored state does not have the stored hash
     */
    public Optional<Loaded> load() {
        return load(true);
    }

    /** As {@link #load()}, without the stories: for a reader that tells one pod's story. */
    public Optional<Loaded> loadState() {
        return load(false);
    }

    private Optional<Loaded> load(boolean withStories) {
        checkOpen();
        if (isEmpty()) {
            return Optional.empty();
        }
        long start = System.nanoTime();
        StateSnapshot snapshot = readSnapshot();
        long read = System.nanoTime();
        Set<String> live = new HashSet<>();
        if (withStories) {
            snapshot.pods().forEach(p -> live.add(p.pod().uid()));
        }
        // The stories are read and decoded while the state is rebuilt and its hash checked, which share nothing with
        // them and keep one core busy: a restart of 100,000 pods saves most of a second.
        CompletableFuture<List<PodStory.Saved>> stories = new CompletableFuture<>();
        if (live.isEmpty()) {
            stories.complete(List.of());
        } else {
            Thread.ofPlatform().name("fairway-story-load").daemon().start(() -> {
                try {
                    stories.complete(storiesOfLive(live));
                } catch (Throwable t) {
                    stories.completeExceptionally(t);
                }
            });
        }
        ClusterState state;
        long restored;
        try {
            try {
                state = ClusterState.restore(snapshot);
            } catch (RuntimeException e) {
                throw corrupt("its rows do not make a state: " + e.getMessage(), e);
            }
            restored = System.nanoTime();
            if (current.hashIsCurrent()) {
                String actual = state.hash();
                if (!actual.equals(current.hash())) {
                    throw corrupt("the restored state's hash " + actual + " is not the stored hash " + current.hash()
                            + " of offset " + current.nextOffset(), null);
                }
            }
        } catch (RuntimeException e) {
            // the scan must end before the caller closes the store under it
            stories.handle((v, t) -> null).join();
            throw e;
        }
        long hashed = System.nanoTime();
        List<PodStory.Saved> told;
        try {
            told = stories.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
        // where a slow start went, for whoever waits for a replica to be ready
        LOG.info("loaded state store {} at offset {}: {} nodes, {} pods; rows read and decoded in {} ms, state rebuilt "
                        + "in {} ms, hash {} in {} ms, {} stories read beside them, {} ms more", dir,
                current.nextOffset(), snapshot.nodes().size(), snapshot.pods().size(), (read - start) / 1_000_000,
                (restored - read) / 1_000_000,
                current.hashIsCurrent() ? "checked" : "not stored at this offset, not checked",
                (hashed - restored) / 1_000_000, told.size(), (System.nanoTime() - hashed) / 1_000_000);
        // The loaded state records what it changes, for the next write.
        state.drainChanges();
        return Optional.of(new Loaded(state, current.nextOffset(), told));
    }

    /** The stored rows as a snapshot, unverified (tests and dumps). */
    StateSnapshot readSnapshot() {
        ClusterRows c = readClusterRows();
        EntityCodec.CountersRow counters = requiredRow(EntityCodec.COUNTERS, b -> codec.row(b, EntityCodec.CountersRow.class));
        List<StateSnapshot.Tombstone> podTombs = scanDecoded(cluster, CLUSTER,
                EntityCodec.key(EntityCodec.POD_TOMBSTONES), codec::tombstone);
        List<Node> nodeRows = scanDecoded(nodes, NODES, null, codec::node);
        List<StateSnapshot.AppEntry> appRows = scanDecoded(apps, APPS, null, codec::app);
        List<StateSnapshot.PodEntry> podRows = scanDecoded(pods, PODS, null, codec::pod);
        return new StateSnapshot(current.schedulerName(), c.config().text(), c.config().version(),
                c.config().seenVersion(), c.leader().epoch(), c.leader().replica(), counters.applied(),
                counters.ignored(), counters.fpgaReprograms(), c.config().appliedAt(), counters.preemptions(), counters.decisions(),
                c.config().history(), c.leader().terms(), nodeRows, appRows, podRows, c.priorityClasses(), podTombs, c.nodeTombstones());
    }

    /** The rows of the cluster column family other than counters and pod tombstones, as the state has them. */
    private record ClusterRows(EntityCodec.ConfigRow config, EntityCodec.LeaderRow leader,
                               Map<String, Integer> priorityClasses, List<StateSnapshot.Tombstone> nodeTombstones) {
        static ClusterRows of(ClusterState s) {
            return new ClusterRows(new EntityCodec.ConfigRow(s.configText(), s.configVersion(), s.configSeenVersion(),
                    s.configAppliedAt(), s.configHistory()),
                    // copies: the state's maps are live views, and these are what the store holds
                    new EntityCodec.LeaderRow(s.leaderEpoch(), s.leader(), s.leaderTerms()), new TreeMap<>(s.priorityClasses()),
                    nodeTombstones(s));
        }

        static List<StateSnapshot.Tombstone> nodeTombstones(ClusterState s) {
            List<StateSnapshot.Tombstone> out = new ArrayList<>(s.nodeTombstones().size());
            s.nodeTombstones().forEach((k, v) -> out.add(new StateSnapshot.Tombstone(k, v)));
            return out;
        }
    }

    private ClusterRows readClusterRows() {
        return new ClusterRows(
                requiredRow(EntityCodec.CONFIG, b -> codec.row(b, EntityCodec.ConfigRow.class)),
                requiredRow(EntityCodec.LEADER, b -> codec.row(b, EntityCodec.LeaderRow.class)),
                requiredRow(EntityCodec.PRIORITY_CLASSES, codec::priorityClasses),
                requiredRow(EntityCodec.NODE_TOMBSTONES, codec::tombstones));
    }

    private <T> T requiredRow(String key, Function<byte[], T> reader) {
        byte[] v = get(cluster, EntityCodec.key(key));
        if (v == null) {
            throw corrupt("the cluster row " + key + " is missing", null);
        }
        return decode(CLUSTER, key, () -> reader.apply(v));
    }

    private interface RowVisitor {
        void row(byte[] key, byte[] value);
    }

    private void scan(ColumnFamilyHandle cf, String family, RowVisitor visitor) {
        scan(cf, family, null, visitor);
    }

    private void scan(ColumnFamilyHandle cf, String family, byte[] prefix, RowVisitor visitor) {
        try (RocksIterator it = db.newIterator(cf)) {
            if (prefix == null) {
                it.seekToFirst();
            } else {
                it.seek(prefix);
            }
            for (; it.isValid(); it.next()) {
                byte[] k = it.key();
                if (prefix != null && !startsWith(k, prefix)) {
                    break;
                }
                byte[] v = it.value();
                decode(family, EntityCodec.string(k), () -> {
                    visitor.row(k, v);
                    return null;
                });
            }
            it.status();
        } catch (RocksDBException e) {
            throw corrupt("reading column family " + family + " failed: " + describe(e), e);
        }
    }

    /**
     * Every row of a family (under {@code prefix}, if not null) decoded, in key order. The rows are read in one pass
     * and decoded on every core: decoding JSON is most of what loading a large store costs.
     */
    private <T> List<T> scanDecoded(ColumnFamilyHandle cf, String family, byte[] prefix, Function<byte[], T> decoder) {
        List<byte[]> keys = new ArrayList<>();
        List<byte[]> values = new ArrayList<>();
        scan(cf, family, prefix, (k, v) -> {
            keys.add(k);
            values.add(v);
        });
        return decodeAll(family, keys, values, decoder);
    }

    private <T> List<T> decodeAll(String family, List<byte[]> keys, List<byte[]> values, Function<byte[], T> decoder) {
        Object[] out = new Object[values.size()];
        IntStream.range(0, out.length).parallel().forEach(i -> out[i] = decode(family,
                EntityCodec.string(keys.get(i)), () -> decoder.apply(values.get(i))));
        @SuppressWarnings("unchecked")
        List<T> decoded = (List<T>) Arrays.asList(out);
        return decoded;
    }

    private static boolean startsWith(byte[] k, byte[] prefix) {
        if (k.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (k[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private <T> T decode(String family, String key, Supplier<T> f) {
        try {
            return f.get();
        } catch (IllegalArgumentException e) {
            throw corrupt("row '" + key + "' of column family " + family + " does not decode: " + e.getMessage(), e);
        }
    }

    private byte[] get(ColumnFamilyHandle cf, byte[] key) {
        try {
            return db.get(cf, key);
        } catch (RocksDBException e) {
            throw corrupt("reading '" + EntityCodec.string(key) + "' failed: " + describe(e), e);
        }
    }

    private StoreMeta readMeta() {
        byte[] schema = get(meta, META_SCHEMA);
        byte[] offset = get(meta, META_OFFSET);
        if (schema == null && offset == null) {
            return new StoreMeta(SCHEMA_VERSION, -1, 0, "", -1, "");
        }
        int version = (int) metaLong(META_SCHEMA, schema);
        if (version != SCHEMA_VERSION) {
            throw new StoreIncompatibleException("state store " + dir + " has schema version " + version
                    + ", this build reads " + SCHEMA_VERSION + ". Delete the directory (recovery rebuilds it from the"
                    + " log) or run the build that wrote it");
        }
        byte[] hash = get(meta, META_HASH);
        byte[] scheduler = get(meta, META_SCHEDULER);
        if (scheduler == null) {
            throw corrupt("its meta has no " + EntityCodec.string(META_SCHEDULER), null);
        }
        return new StoreMeta(version, metaLong(META_OFFSET, offset), metaLong(META_EPOCH, get(meta, META_EPOCH)),
                hash == null ? "" : EntityCodec.string(hash),
                hash == null ? -1 : metaLong(META_HASH_OFFSET, get(meta, META_HASH_OFFSET)),
                EntityCodec.string(scheduler));
    }

    private long metaLong(byte[] key, byte[] value) {
        if (value == null) {
            throw corrupt("its meta has no " + EntityCodec.string(key), null);
        }
        try {
            return Long.parseLong(EntityCodec.string(value));
        } catch (NumberFormatException e) {
            throw corrupt("its meta " + EntityCodec.string(key) + " is '" + EntityCodec.string(value)
                    + "', not a number", e);
        }
    }

    private void loadPodTombstones() {
        podTombstones.clear();
        scan(cluster, CLUSTER, EntityCodec.key(EntityCodec.POD_TOMBSTONES), (k, v) -> podTombstones.loaded(
                EntityCodec.tombstoneSeq(EntityCodec.POD_TOMBSTONES, k), codec.tombstone(v).key()));
    }

    // ---------------------------------------------------------------- writing

    /**
     * Writes the rows {@code state} changed since the store last wrote it ({@link ClusterState#drainChanges}), with the
     * cluster rows compared with the state, in one batch. A store that is still empty, or a state whose changes were
     * not recorded since (one the store never wrote nor loaded), gets the whole state.
     *
     * @param state      the state after applying every event before {@code nextOffset}
     * @param nextOffset the offset of the next event to apply (the last applied offset + 1)
     */
    public void write(ClusterState state, long nextOffset) {
        write(state, nextOffset, null);
    }

    /**
     * The same, with the pod stories told since the last write ({@link StoryBook#drain}), which go in the same batch:
     * the stories are always those of the store's offset.
     */
    public void write(ClusterState state, long nextOffset, StoryBook.Drained told) {
        Prepared w = prepare(state, nextOffset, told);
        if (w != null) {
            commit(w);
        }
    }

    /**
     * A write made ready on the thread that applies: the rows the events changed, as data that no later event
     * changes, for {@link #commit} to encode and write, on another thread if need be. Everything that reads the state
     * (which rows changed, the cluster rows, the counters, the hash when it is due, the story rows to sweep) is done
     * here; encoding the rows and RocksDB's write are left to the commit.
     */
    static final class Prepared {
        private final long nextOffset;
        private final long leaderEpoch;
        private final String schedulerName;
        private final List<String> podKeys = new ArrayList<>();
        private final List<StateSnapshot.PodEntry> podRows = new ArrayList<>();
        private final List<String> appKeys = new ArrayList<>();
        private final List<StateSnapshot.AppEntry> appRows = new ArrayList<>();
        private final List<String> nodeKeys = new ArrayList<>();
        private final List<Node> nodeRows = new ArrayList<>();
        private final List<StateSnapshot.Tombstone> tombstonesAdded = new ArrayList<>();
        private PodTombstones.Change tombstones;
        private StoryBook.Drained told;
        private List<byte[]> storiesSwept = List.of();
        private ClusterRows clusterNow;
        private ClusterRows clusterBefore;
        private EntityCodec.CountersRow counters;
        /** The state's hash at this offset when it is due with this write, else null. */
        private String hash;

        private Prepared(long nextOffset, long leaderEpoch, String schedulerName) {
            this.nextOffset = nextOffset;
            this.leaderEpoch = leaderEpoch;
            this.schedulerName = schedulerName;
        }

        long nextOffset() {
            return nextOffset;
        }
    }

    /**
     * Makes the write of {@link #write(ClusterState, long, StoryBook.Drained)} ready without writing it, or writes the
     * whole state at once and returns null when the store needs all of it (still empty, or changes not recorded).
     * Prepared writes must be committed in the order they were prepared, each before the next is prepared.
     */
    Prepared prepare(ClusterState state, long nextOffset, StoryBook.Drained told) {
        checkWritable();
        if (!isEmpty() && nextOffset < current.nextOffset()) {
            throw new StoreException("state store " + dir + " is at offset " + current.nextOffset()
                    + "; writing offset " + nextOffset + " would go back. Write only states that followed it, or "
                    + "writeFull to reset the store");
        }
        StateChanges changes = state.drainChanges();
        if (isEmpty() || !changes.recorded()) {
            writeFull(state, nextOffset, told);
            return null;
        }
        try {
            Prepared w = new Prepared(nextOffset, state.leaderEpoch(), state.schedulerName());
            for (String uid : changes.pods()) {
                w.podKeys.add(uid);
                w.podRows.add(StateSnapshot.podEntry(state, uid));
            }
            for (String appId : changes.apps()) {
                w.appKeys.add(appId);
                w.appRows.add(StateSnapshot.appEntry(state, appId));
            }
            for (String name : changes.nodes()) {
                w.nodeKeys.add(name);
                w.nodeRows.add(StateSnapshot.node(state, name));
            }
            w.tombstones = podTombstones.update(state.tombstones(), changes.tombstoned());
            for (String uid : w.tombstones.added()) {
                w.tombstonesAdded.add(new StateSnapshot.Tombstone(uid, state.tombstones().get(uid)));
            }
            w.told = told;
            forgottenSinceSweep += w.tombstones.deletedSeqs().size();
            if (forgottenSinceSweep >= storySweepEvery) {
                w.storiesSwept = sweepStories(state);
            }
            w.clusterNow = ClusterRows.of(state);
            w.clusterBefore = stored;
            stored = w.clusterNow;
            w.counters = counters(state);
            if (++writesSinceHash >= options.hashEvery()) {
                w.hash = state.hash();
                writesSinceHash = 0;
            }
            return w;
        } catch (RuntimeException e) {
            throw poisoned(nextOffset, e);
        }
    }

    /** Encodes and writes a prepared write in one batch; any thread may, one at a time and in order. */
    void commit(Prepared w) {
        checkWritable();
        try (WriteBatch batch = new WriteBatch()) {
            for (int i = 0; i < w.podKeys.size(); i++) {
                StateSnapshot.PodEntry p = w.podRows.get(i);
                byte[] key = EntityCodec.key(w.podKeys.get(i));
                if (p == null) {
                    batch.delete(pods, key);
                } else {
                    batch.put(pods, key, codec.pod(p));
                }
            }
            for (int i = 0; i < w.appKeys.size(); i++) {
                StateSnapshot.AppEntry a = w.appRows.get(i);
                byte[] key = EntityCodec.key(w.appKeys.get(i));
                if (a == null) {
                    batch.delete(apps, key);
                } else {
                    batch.put(apps, key, codec.app(a));
                }
            }
            for (int i = 0; i < w.nodeKeys.size(); i++) {
                Node n = w.nodeRows.get(i);
                byte[] key = EntityCodec.key(w.nodeKeys.get(i));
                if (n == null) {
                    batch.delete(nodes, key);
                } else {
                    batch.put(nodes, key, codec.node(n));
                }
            }
            putPodTombstones(batch, w.tombstones, w.tombstonesAdded);
            putStories(batch, w.told);
            for (byte[] key : w.storiesSwept) {
                batch.delete(stories, key);
            }
            putClusterRows(batch, w.clusterNow, w.clusterBefore);
            batch.put(cluster, EntityCodec.key(EntityCodec.COUNTERS), codec.row(w.counters));
            batch.put(meta, META_OFFSET, EntityCodec.longValue(w.nextOffset));
            batch.put(meta, META_EPOCH, EntityCodec.longValue(w.leaderEpoch));
            String hash = current.hash();
            long hashOffset = current.hashOffset();
            if (w.hash != null) {
                hash = w.hash;
                hashOffset = w.nextOffset;
                batch.put(meta, META_HASH, EntityCodec.key(hash));
                batch.put(meta, META_HASH_OFFSET, EntityCodec.longValue(hashOffset));
            }
            db.write(writeOptions, batch);
            current = new StoreMeta(SCHEMA_VERSION, w.nextOffset, w.leaderEpoch, hash, hashOffset, w.schedulerName);
        } catch (RocksDBException e) {
            throw writeFailed(w.nextOffset, e);
        } catch (RuntimeException e) {
            throw poisoned(w.nextOffset, e);
        }
    }

    /**
     * Replaces the whole content of the store with {@code state} at {@code nextOffset}, in one batch. Pod stories are
     * emptied: they are told while following the log, never derived from a state.
     */
    public void writeFull(ClusterState state, long nextOffset) {
        writeFull(state, nextOffset, null);
    }

    private void writeFull(ClusterState state, long nextOffset, StoryBook.Drained told) {
        checkWritable();
        if (nextOffset < 0) {
            throw new IllegalArgumentException("nextOffset must be 0 or more, not " + nextOffset);
        }
        StateSnapshot s = state.snapshot();
        // From here on the state records what it changes, for the next write.
        state.drainChanges();
        try (WriteBatch batch = new WriteBatch()) {
            for (ColumnFamilyHandle cf : handles.subList(1, handles.size())) {
                batch.deleteRange(cf, new byte[0], END_OF_KEYS);
            }
            for (Node n : s.nodes()) {
                batch.put(nodes, EntityCodec.key(n.name()), codec.node(n));
            }
            for (StateSnapshot.AppEntry a : s.apps()) {
                batch.put(apps, EntityCodec.key(a.appId()), codec.app(a));
            }
            for (StateSnapshot.PodEntry p : s.pods()) {
                batch.put(pods, EntityCodec.key(p.pod().uid()), codec.pod(p));
            }
            podTombstones.clear();
            long seq = 0;
            for (StateSnapshot.Tombstone t : s.podTombstones()) {
                batch.put(cluster, EntityCodec.tombstoneKey(EntityCodec.POD_TOMBSTONES, seq), codec.tombstone(t));
                podTombstones.loaded(seq++, t.key());
            }
            ClusterRows now = ClusterRows.of(state);
            putClusterRows(batch, now, null);
            putCounters(batch, state);
            batch.put(meta, META_SCHEMA, EntityCodec.longValue(SCHEMA_VERSION));
            batch.put(meta, META_SCHEDULER, EntityCodec.key(state.schedulerName()));
            putStories(batch, told);
            forgottenSinceSweep = 0;
            commit(batch, state, nextOffset, true);
            stored = now;
        } catch (RocksDBException e) {
            throw writeFailed(nextOffset, e);
        } catch (RuntimeException e) {
            throw poisoned(nextOffset, e);
        }
    }

    /**
     * Stores the hash of {@code state}, which must be the state at the store's offset, when the last write did not:
     * after this the store loads verified. Called before a snapshot and on close.
     */
    public void writeHash(ClusterState state) {
        checkWritable();
        if (isEmpty() || current.hashIsCurrent()) {
            return;
        }
        try (WriteBatch batch = new WriteBatch()) {
            String hash = state.hash();
            batch.put(meta, META_HASH, EntityCodec.key(hash));
            batch.put(meta, META_HASH_OFFSET, EntityCodec.longValue(current.nextOffset()));
            db.write(writeOptions, batch);
            current = new StoreMeta(current.schemaVersion(), current.nextOffset(), current.leaderEpoch(), hash,
                    current.nextOffset(), current.schedulerName());
            writesSinceHash = 0;
        } catch (RocksDBException e) {
            throw writeFailed(current.nextOffset(), e);
        }
    }

    /** Puts the cluster rows that differ from {@code before} (all of them when it is null). */
    private void putClusterRows(WriteBatch batch, ClusterRows now, ClusterRows before) throws RocksDBException {
        if (before == null || !now.config().equals(before.config())) {
            batch.put(cluster, EntityCodec.key(EntityCodec.CONFIG), codec.row(now.config()));
        }
        if (before == null || !now.leader().equals(before.leader())) {
            batch.put(cluster, EntityCodec.key(EntityCodec.LEADER), codec.row(now.leader()));
        }
        if (before == null || !now.priorityClasses().equals(before.priorityClasses())) {
            batch.put(cluster, EntityCodec.key(EntityCodec.PRIORITY_CLASSES), codec.priorityClasses(now.priorityClasses()));
        }
        if (before == null || !now.nodeTombstones().equals(before.nodeTombstones())) {
            batch.put(cluster, EntityCodec.key(EntityCodec.NODE_TOMBSTONES), codec.tombstones(now.nodeTombstones()));
        }
    }

    // ---------------------------------------------------------------- pod stories

    private static byte[] storyKey(String uid) {
        return EntityCodec.key("u/" + uid);
    }

    /** The name index: {@code n/<namespace/name>\0<uid>}, empty value; a name may have named several pods. */
    private static byte[] storyNameKey(String key, String uid) {
        return EntityCodec.key("n/" + key + "\0" + uid);
    }

    private void putStories(WriteBatch batch, StoryBook.Drained told) throws RocksDBException {
        if (told == null) {
            return;
        }
        for (PodStory.Saved s : told.stories()) {
            batch.put(stories, storyKey(s.uid()), codec.story(s));
            if (told.created().contains(s.uid())) {
                batch.put(stories, storyNameKey(s.key(), s.uid()), new byte[0]);
            }
        }
    }

    /** The story rows, and name rows, of pods the state knows neither alive nor as a tombstone: to delete. */
    private List<byte[]> sweepStories(ClusterState state) {
        List<byte[]> out = new ArrayList<>();
        int swept = 0;
        try (RocksIterator it = db.newIterator(stories)) {
            byte[] u = EntityCodec.key("u/");
            for (it.seek(u); it.isValid() && startsWith(it.key(), u); it.next()) {
                String uid = EntityCodec.string(it.key()).substring(2);
                if (state.pod(uid) == null && !state.tombstones().containsKey(uid)) {
                    out.add(it.key());
                    swept++;
                }
            }
            byte[] n = EntityCodec.key("n/");
            for (it.seek(n); it.isValid() && startsWith(it.key(), n); it.next()) {
                String k = EntityCodec.string(it.key());
                String uid = k.substring(k.lastIndexOf('\0') + 1);
                if (state.pod(uid) == null && !state.tombstones().containsKey(uid)) {
                    out.add(it.key());
                }
            }
            it.status();
        } catch (RocksDBException e) {
            throw new StoreException("cannot read the stories of state store " + dir + " to sweep them: "
                    + describe(e), e);
        }
        forgottenSinceSweep = 0;
        LOG.debug("sweeping the stories of {} forgotten pods", swept);
        return out;
    }

    /** The stored stories of these pods (those that have one), for a follower to carry on with. */
    public List<PodStory.Saved> stories(Collection<String> uids) {
        checkOpen();
        // point reads and decoding on every core: a restart reads the story of every live pod
        return uids.parallelStream().map(uid -> {
            byte[] v = get(stories, storyKey(uid));
            return v == null ? null : decode(STORIES, "u/" + uid, () -> codec.story(v));
        }).filter(Objects::nonNull).toList();
    }

    /**
     * The stored stories of the pods in {@code live}, in one pass over the stories rather than a read per pod: what a
     * restart carries on with, for every pod the state still holds.
     */
    public List<PodStory.Saved> storiesOfLive(Set<String> live) {
        checkOpen();
        byte[] prefix = storyKey("");
        List<byte[]> keys = new ArrayList<>();
        List<byte[]> values = new ArrayList<>();
        scan(stories, STORIES, prefix, (k, v) -> {
            if (live.contains(EntityCodec.string(k).substring(2))) {
                keys.add(k);
                values.add(v);
            }
        });
        return decodeAll(STORIES, keys, values, codec::story);
    }

    /**
     * The stored stories {@code ref} names: the pod of that uid, or every pod of that {@code namespace/name} still
     * remembered, newest first.
     */
    public List<PodStory.Saved> storiesOf(String ref) {
        checkOpen();
        List<String> uids = new ArrayList<>();
        if (get(stories, storyKey(ref)) != null) {
            uids.add(ref);
        } else {
            scan(stories, STORIES, storyNameKey(ref, ""), (k, v) -> {
                String key = EntityCodec.string(k);
                uids.add(key.substring(key.lastIndexOf('\0') + 1));
            });
        }
        List<PodStory.Saved> out = new ArrayList<>(stories(uids));
        out.sort(Comparator.comparingLong((PodStory.Saved s) -> s.entries().isEmpty() ? -1
                : s.entries().get(0).offset()).reversed());
        return out;
    }

    private void putCounters(WriteBatch batch, ClusterState state) throws RocksDBException {
        batch.put(cluster, EntityCodec.key(EntityCodec.COUNTERS), codec.row(counters(state)));
    }

    private static EntityCodec.CountersRow counters(ClusterState state) {
        return new EntityCodec.CountersRow(state.appliedCount(), state.ignoredCount(), state.fpgaReprograms(),
                state.preemptions(), state.decisionsApplied());
    }

    /** @param added the tombstones {@code change} adds, in its order */
    private void putPodTombstones(WriteBatch batch, PodTombstones.Change change, List<StateSnapshot.Tombstone> added)
            throws RocksDBException {
        for (long seq : change.deletedSeqs()) {
            batch.delete(cluster, EntityCodec.tombstoneKey(EntityCodec.POD_TOMBSTONES, seq));
        }
        for (int i = 0; i < added.size(); i++) {
            batch.put(cluster, EntityCodec.tombstoneKey(EntityCodec.POD_TOMBSTONES, change.addedSeqs().get(i)),
                    codec.tombstone(added.get(i)));
        }
    }

    /** Adds the meta to the batch and writes it. */
    private void commit(WriteBatch batch, ClusterState state, long nextOffset, boolean full) throws RocksDBException {
        batch.put(meta, META_OFFSET, EntityCodec.longValue(nextOffset));
        batch.put(meta, META_EPOCH, EntityCodec.longValue(state.leaderEpoch()));
        String hash = current.hash();
        long hashOffset = current.hashOffset();
        if (full || ++writesSinceHash >= options.hashEvery()) {
            hash = state.hash();
            hashOffset = nextOffset;
            batch.put(meta, META_HASH, EntityCodec.key(hash));
            batch.put(meta, META_HASH_OFFSET, EntityCodec.longValue(hashOffset));
            writesSinceHash = 0;
        }
        db.write(writeOptions, batch);
        current = new StoreMeta(SCHEMA_VERSION, nextOffset, state.leaderEpoch(), hash, hashOffset,
                state.schedulerName());
    }

    // ---------------------------------------------------------------- files

    /** Writes memtables to SST files; a checkpoint does this itself. */
    public void flush() {
        checkOpen();
        try (FlushOptions fo = new FlushOptions().setWaitForFlush(true)) {
            db.flush(fo, handles);
        } catch (RocksDBException e) {
            throw new StoreException("cannot flush the state store " + dir + ": " + describe(e)
                    + ". Check free disk space", e);
        }
    }

    /**
     * A consistent copy of the store in {@code target} (which must not exist): a RocksDB checkpoint, hard links to the
     * SST files where the file system allows. It opens as a store at the offset of the last completed write.
     */
    public void checkpoint(Path target) {
        checkOpen();
        try (Checkpoint cp = Checkpoint.create(db)) {
            cp.createCheckpoint(target.toString());
        } catch (RocksDBException e) {
            throw new StoreException("cannot take a checkpoint of the state store " + dir + " into " + target + ": "
                    + describe(e) + ". Check that the target does not exist and there is disk space", e);
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (ColumnFamilyHandle h : handles) {
            h.close();
        }
        try {
            db.closeE();
        } catch (RocksDBException e) {
            throw new StoreException("closing the state store " + dir + " failed: " + describe(e), e);
        } finally {
            writeOptions.close();
            dbOptions.close();
            cfOptions.close();
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("state store " + dir + " is closed");
        }
    }

    private void checkWritable() {
        checkOpen();
        if (readOnly) {
            throw new StoreException("state store " + dir + " was opened read-only; it refuses writes", null);
        }
        if (failed != null) {
            throw new StoreException("state store " + dir + " refuses writes after a failed one (" + failed
                    + "). Close it and recover (StateFollower.recover), which reopens or rebuilds it");
        }
    }

    private StoreException writeFailed(long nextOffset, RocksDBException e) {
        failed = "writing offset " + nextOffset + ": " + describe(e);
        return new StoreException("cannot write offset " + nextOffset + " to the state store " + dir + ": "
                + describe(e) + ". Check free disk space; then close the store and recover", e);
    }

    /** A failure half-way through preparing a batch: the mirrors may have moved without the files. */
    private RuntimeException poisoned(long nextOffset, RuntimeException e) {
        failed = "writing offset " + nextOffset + ": " + e;
        return e;
    }

    private StoreCorruptException corrupt(String what, Throwable cause) {
        return new StoreCorruptException("state store " + dir + " is corrupt: " + what
                + ". Delete the directory (recovery rebuilds it from the newest snapshot and the log)", cause);
    }

    /** The disk is full, read-only or not ours: the store's surroundings failed, not the store. */
    static boolean isEnvironmentFailure(RocksDBException e) {
        org.rocksdb.Status st = e.getStatus();
        if (st != null && st.getSubCode() == org.rocksdb.Status.SubCode.NoSpace) {
            return true;
        }
        String m = describe(e);
        return m.contains("No space left on device") || m.contains("Read-only file system")
                || m.contains("Permission denied") || m.contains("Disk quota exceeded");
    }

    static String describe(RocksDBException e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? String.valueOf(e.getStatus()) : m;
    }
}
