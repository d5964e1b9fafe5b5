package io.fairway.store;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which deleted pods the store holds, in order, without reading the store.
 *
 * <p>The state keeps pod tombstones in insertion order and forgets the eldest past a limit, so their order is state
 * too: a restored state must forget the same ones first. They can be many (65,536), so each is its own row under a
 * growing sequence number rather than one list rewritten per batch. A pod's tombstone is only ever added at the end
 * (by a PodGone; uids are never reused) and removed from the front (forgotten), which is what makes the mirror here
 * enough to find the rows to add and delete.
 */
final class PodTombstones {
    /** What one batch changes. */
    record Change(List<String> added, List<Long> addedSeqs, List<Long> deletedSeqs) {
    }

    private final LinkedHashMap<String, Long> seqs = new LinkedHashMap<>();
    private long nextSeq;

    /** Called while opening, in key (sequence) order. */
    void loaded(long seq, String uid) {
        seqs.put(uid, seq);
        nextSeq = Math.max(nextSeq, seq + 1);
    }

    void clear() {
        seqs.clear();
        nextSeq = 0;
    }

    int size() {
        return seqs.size();
    }

    /**
     * Brings the mirror to the state's tombstones after a batch.
     *
     * @param state      the state's pod tombstones, oldest first
     * @param candidates the uids of the batch's PodGone events, in order (repeats and ignored ones included)
     */
    Change update(Map<String, String> state, List<String> candidates) {
        Set<String> seen = new HashSet<>();
        boolean repeated = false;
        LinkedHashSet<String> fresh = new LinkedHashSet<>();
        for (String uid : candidates) {
            repeated |= !seen.add(uid);
            if (state.containsKey(uid) && !seqs.containsKey(uid)) {
                fresh.add(uid);
            }
        }
        List<String> added = new ArrayList<>(fresh);
        if (repeated && added.size() > 1) {
            // A uid deleted twice in the batch (the first deletion ignored as older) was inserted at the second; only
            // the state knows where, so take the order from it. Rare, and then one pass over the tombstones.
            added.clear();
            for (String uid : state.keySet()) {
                if (fresh.contains(uid)) {
                    added.add(uid);
                }
            }
        }
        List<Long> deleted = new ArrayList<>();
        int excess = seqs.size() + added.size() - state.size();
        Iterator<Long> it = seqs.values().iterator();
        while (excess-- > 0 && it.hasNext()) {
            deleted.add(it.next());
            it.remove();
        }
        List<Long> addedSeqs = new ArrayList<>(added.size());
        for (String uid : added) {
            long seq = nextSeq++;
            seqs.put(uid, seq);
            addedSeqs.add(seq);
        }
        return new Change(added, addedSeqs, deleted);
    }
}
