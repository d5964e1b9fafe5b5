package io.fairway.store;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.DBOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;

/** The store's RocksDB opened directly, to damage or inspect it the way a test needs. */
final class RawStore implements AutoCloseable {
    private static final List<String> FAMILIES = List.of("nodes", "pods", "apps", "cluster", "meta", "stories");
    private final DBOptions options = new DBOptions();
    private final List<ColumnFamilyHandle> handles = new ArrayList<>();
    private final RocksDB db;

    RawStore(Path dir) throws RocksDBException {
        List<ColumnFamilyDescriptor> d = new ArrayList<>();
        d.add(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY));
        for (String f : FAMILIES) {
            d.add(new ColumnFamilyDescriptor(f.getBytes(StandardCharsets.UTF_8)));
        }
        db = RocksDB.open(options, dir.toString(), d, handles);
    }

    void put(String family, String key, String value) throws RocksDBException {
        db.put(cf(family), key.getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8));
    }

    String get(String family, String key) throws RocksDBException {
        byte[] v = db.get(cf(family), key.getBytes(StandardCharsets.UTF_8));
        return v == null ? null : new String(v, StandardCharsets.UTF_8);
    }

    long count(String family) {
        long n = 0;
        try (var it = db.newIterator(cf(family))) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                n++;
            }
        }
        return n;
    }

    private ColumnFamilyHandle cf(String family) {
        return handles.get(1 + FAMILIES.indexOf(family));
    }

    @Override
    public void close() {
        handles.forEach(ColumnFamilyHandle::close);
        db.close();
        options.close();
    }
}
