package io.fairway.sandbox.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The objects, indexed by storage key, namespace and name, with one global resourceVersion. Every write commits
 * under one lock: it takes the next resourceVersion, serialises the object once, appends the change to a bounded
 * history (for watches that resume) and offers it to the open watchers of its kind. Reads need no lock; a list
 * takes the lock only while it collects references, so it is a consistent snapshot at its resourceVersion.
 */
final class Store {
    /**
     * What a write does to the current version: return the new tree (an equal tree is a no-op) or throw.
     * {@code currentTree} is the current object, freshly parsed; it must not be modified (copy it), the result
     * may share unmodified subtrees with it.
     */
    @FunctionalInterface
    interface Mutation {
        ObjectNode apply(Stored current, ObjectNode currentTree);

        /** A mutation that edits a copy of the current object. */
        static Mutation editing(BiFunction<Stored, ObjectNode, ObjectNode> edit) {
            return (cur, tree) -> edit.apply(cur, tree.deepCopy());
        }
    }

    record Key(String storage, String namespace, String name) {}

    /** {@code remainingItemCount} is -1 when not known (the last page, or a list with selectors). */
    record Page(List<Stored> items, long rv, String continueToken, long remainingItemCount) {}

    record DeleteOptions(Long gracePeriodSeconds, String propagationPolicy, String uid, String resourceVersion) {
        static final DeleteOptions DEFAULT = new DeleteOptions(null, null, null, null);
    }

    /** The outcome of a delete: the object as returned to the client, and whether it is gone (200) or pending (202). */
    record Deleted(Stored object, boolean gone) {}

    /** How a watch starts: with synthetic ADDED events for the current state, or after a resourceVersion. */
    record WatchStart(boolean initialState, boolean initialEventsEndBookmark, long afterRv) {}

    private final Map<String, ConcurrentSkipListMap<String, Stored>> objects = new HashMap<>();
    /** The same objects hashed by key: point reads and writes need no ordered search. */
    private final Map<String, ConcurrentHashMap<String, Stored>> byKey = new HashMap<>();
    private final Map<String, CopyOnWriteArrayList<Watcher>> watchers = new HashMap<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Change[] history;
    private long historyCount;
    private volatile long rv;
    private volatile long priorityClassWrites;
    private final AtomicLong expiredWatches = new AtomicLong();
    // garbage collection indexes, guarded by lock
    private final Map<String, Key> byUid = new HashMap<>();
    private final Map<String, Set<Key>> dependents = new HashMap<>();

    /** {@link ApiServerOptions#kubeletsDeletePods()}: a running pod's graceful deletion waits for its kubelet. */
    private final boolean kubeletsDeletePods;
    /** Where every change is written before it applies; null keeps the store in memory only. Set before serving. */
    private StoreJournal journal;
    /** Told of every committed change, under the lock; null when nobody asked. Set before serving. */
    private Consumer<Change> commitListener;
    /** The resourceVersion the store was restored at: the changes before it are gone, so watches from older ones get 410. */
    private long restoredRv;

    Store(int historySize, boolean kubeletsDeletePods) {
        this.kubeletsDeletePods = kubeletsDeletePods;
        this.history = new Change[Math.max(1, historySize)];
        for (ResourceType t : ResourceTypes.STORED) {
            objects.put(t.storage(), new ConcurrentSkipListMap<>());
            byKey.put(t.storage(), new ConcurrentHashMap<>());
            watchers.put(t.storage(), new CopyOnWriteArrayList<>());
        }
    }

    /** From now on every change is written to {@code j} before it applies (call before serving). */
    void journalTo(StoreJournal j) {
        this.journal = j;
    }

    /** From now on {@code listener} is told of every committed change, under the write lock (call before serving). */
    void onCommit(Consumer<Change> listener) {
        this.commitListener = listener;
    }

    /**
     * Fills an empty store with what a journal held, at its resourceVersion. The history of changes before it is
     * lost, as after an etcd compaction: a watch or a continue token from an older resourceVersion gets 410 Gone and
     * its client relists.
     */
    void restore(StoreJournal.Restored r) {
        lock.lock();
        try {
            if (rv != 0 || objectCount() != 0) {
                throw new IllegalStateException("restore needs an empty store, this one is at resourceVersion " + rv);
            }
            for (Stored s : r.objects()) {
                objects.get(s.type.storage()).put(s.key(), s);
                byKey.get(s.type.storage()).put(s.key(), s);
                index(new Change(s.rv, Change.Type.ADDED, null, s));
                if (s.type == ResourceTypes.PRIORITY_CLASSES) {
                    priorityClassWrites++;
                }
            }
            rv = r.rv();
            restoredRv = r.rv();
        } finally {
            lock.unlock();
        }
    }

    /** Changes whenever a priority class is written (admission caches the classes against it). */
    long priorityClassWrites() {
        return priorityClassWrites;
    }

    long resourceVersion() {
        return rv;
    }

    long objectCount() {
        long n = 0;
        for (Map<String, Stored> m : byKey.values()) {
            n += m.size();
        }
        return n;
    }

    int watcherCount() {
        int n = 0;
        for (List<Watcher> l : watchers.values()) {
            n += l.size();
        }
        return n;
    }

    private ConcurrentSkipListMap<String, Stored> map(ResourceType t) {
        return objects.get(t.storage());
    }

    private Map<String, Stored> index(ResourceType t) {
        return byKey.get(t.storage());
    }

    private static String key(ResourceType t, String ns, String name) {
        return (t.namespaced() ? ns : "") + "/" + name;
    }

    Stored get(ResourceType t, String ns, String name) {
        return index(t).get(key(t, ns, name));
    }

    Stored require(ResourceType t, String ns, String name) {
        Stored s = get(t, ns, name);
        if (s == null) {
            throw ApiException.notFound(t, name);
        }
        return s;
    }

    // ---- lists ----------------------------------------------------------------------------------------------

    /**
     * A list, or one page of it ({@code limit} > 0): later pages (with the {@code continueToken} of the previous one)
     * show the state as of the first page's resourceVersion (see {@link ListSnapshot}).
     */
    Page list(ResourceType t, String ns, Predicate<Stored> filter, long limit, String continueToken) {
        NavigableMap<String, Stored> range = map(t);
        if (t.namespaced() && ns != null) {
            range = range.subMap(ns + "/", true, ns + "0", false);
        }
        ListSnapshot.Token token = continueToken == null || continueToken.isEmpty() ? null : ListSnapshot.decode(continueToken);
        if (token != null) {
            range = range.tailMap(token.afterKey(), false);
        }
        List<Stored> items = new ArrayList<>();
        String next = null;
        long remaining = -1;
        long listRv;
        lock.lock();
        try {
            Iterable<Stored> objects = range.values();
            if (token != null) {
                listRv = token.rv();
                if (listRv < oldestReplayable() || listRv > rv) {
                    throw ListSnapshot.expired(listRv, oldestReplayable(), rv);
                }
                objects = ListSnapshot.asOf(range, changedSince(t, t.namespaced() ? ns : null, token.afterKey(), listRv));
            } else {
                listRv = rv;
            }
            Iterator<Stored> it = objects.iterator();
            while (it.hasNext()) {
                Stored s = it.next();
                if (filter != null && !filter.test(s)) {
                    continue;
                }
                if (limit > 0 && items.size() >= limit) {
                    next = ListSnapshot.encode(listRv, items.get(items.size() - 1).key());
                    if (filter == null) {
                        // as kube-apiserver: counted only for lists without selectors (exact then)
                        remaining = 1;
                        while (it.hasNext()) {
                            it.next();
                            remaining++;
                        }
                    }
                    break;
                }
                items.add(s);
            }
        } finally {
            lock.unlock();
        }
        return new Page(items, listRv, next, remaining);
    }

    /**
     * Under the lock: each key of the list (in namespace {@code ns} if not null, after {@code afterKey}) that changed
     * after {@code listRv}, mapped to its version at {@code listRv} (null when it did not exist then). The history holds
     * every change after it (checked by the caller).
     */
    private Map<String, Stored> changedSince(ResourceType t, String ns, String afterKey, long listRv) {
        Map<String, Stored> before = new HashMap<>();
        String storage = t.storage();
        String prefix = ns == null ? null : ns + "/";
        for (long r = listRv + 1; r <= rv; r++) {
            Change c = history[(int) (r % history.length)];
            if (c == null || c.rv() != r || !c.cur().type.storage().equals(storage)) {
                continue;
            }
            String key = c.cur().key();
            if ((prefix != null && !key.startsWith(prefix)) || key.compareTo(afterKey) <= 0 || before.containsKey(key)) {
                continue;
            }
            before.put(key, c.type() == Change.Type.ADDED ? null : c.prev());
        }
        return before;
    }

    // ---- writes ---------------------------------------------------------------------------------------------

    /** Creates an admitted object; a {@code generateName} without a name gets a random suffix here. */
    Stored create(ResourceType t, ObjectNode obj) {
        ObjectNode meta = Json.metadata(obj);
        String ns = t.namespaced() ? Json.text(meta, "namespace") : "";
        boolean generate = Json.isBlank(Json.text(meta, "name"));
        Map<String, Stored> m = index(t);
        lock.lock();
        try {
            if (t.namespaced()) {
                Stored namespace = get(ResourceTypes.NAMESPACES, "", ns);
                if (namespace == null) {
                    throw ApiException.namespaceNotFound(ns);
                }
                if (namespace.deleting) {
                    throw ApiException.forbidden(t, Json.text(meta, "name") == null ? "" : Json.text(meta, "name"),
                            "unable to create new content in namespace " + ns + " because it is being terminated");
                }
            }
            if (generate) {
                String prefix = Json.text(meta, "generateName");
                String name;
                do {
                    name = prefix + randomSuffix();
                } while (m.containsKey(key(t, ns, name)));
                meta.put("name", name);
            }
            String name = Json.text(meta, "name");
            String k = key(t, ns, name);
            if (m.containsKey(k)) {
                throw ApiException.alreadyExists(t, name);
            }
            Stored s = Stored.of(t, obj, rv + 1);
            commit(new Change(s.rv, Change.Type.ADDED, null, s));
            return s;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Applies {@code mutation} to the current version and commits the result, retrying when another write got
     * there first (the mutation runs outside the lock, on a snapshot). An unchanged result commits nothing.
     */
    Stored update(ResourceType t, String ns, String name, Mutation mutation) {
        Map<String, Stored> m = index(t);
        String k = key(t, ns, name);
        while (true) {
            Stored cur = m.get(k);
            if (cur == null) {
                throw ApiException.notFound(t, name);
            }
            ObjectNode curTree = cur.tree();
            ObjectNode next = mutation.apply(cur, curTree);
            Json.metadata(next).put("resourceVersion", Long.toString(cur.rv));
            if (next.equals(curTree)) {
                return cur;
            }
            boolean finishDeletion = false;
            lock.lock();
            try {
                if (m.get(k) != cur) {
                    continue;
                }
                Stored s = Stored.of(t, next, rv + 1);
                if (s.deleting && !s.hasFinalizers && cur.hasFinalizers) {
                    finishDeletion = true;
                }
                commit(new Change(s.rv, Change.Type.MODIFIED, cur, s));
                if (!finishDeletion) {
                    return s;
                }
            } finally {
                lock.unlock();
            }
            // the last finalizer of an object being deleted is gone: the deletion completes now
            return remove(t, ns, name, null, DeleteOptions.DEFAULT).object();
        }
    }

    /** Deletes as kube-apiserver does: finalizers defer it, owner references cascade (background unless Orphan). */
    Deleted delete(ResourceType t, String ns, String name, DeleteOptions opts) {
        Stored cur = require(t, ns, name);
        checkPreconditions(t, cur, opts);
        if (t == ResourceTypes.NAMESPACES || t.storage().equals("namespaces")) {
            return deleteNamespace(cur, opts);
        }
        if (cur.hasFinalizers) {
            Stored marked = markDeleting(t, ns, name, opts, 0L);
            return new Deleted(marked, false);
        }
        if (t.storage().equals("pods")) {
            Long grace = opts.gracePeriodSeconds();
            ObjectNode tree = cur.tree();
            boolean bound = !Json.isBlank(Json.text(tree, "spec", "nodeName"));
            String phase = Json.text(tree, "status", "phase");
            boolean terminal = "Succeeded".equals(phase) || "Failed".equals(phase);
            long g = grace != null ? grace : Json.at(tree, "spec", "terminationGracePeriodSeconds") instanceof JsonNode n ? n.asLong(30) : 30;
            if (bound && !terminal && g > 0) {
                if (kubeletsDeletePods) {
                    // the kubelet stops the containers within the grace period, then deletes the pod with grace 0;
                    // a second graceful deletion of a pod already terminating changes nothing
                    return new Deleted(cur.deleting ? cur : markDeleting(t, ns, name, opts, g), false);
                }
                if (!cur.deleting) {
                    // what a kubelet would show while it stops the containers, then gone at once: no kubelet here
                    markDeleting(t, ns, name, opts, g);
                }
            }
        }
        return remove(t, ns, name, null, opts);
    }

    private void checkPreconditions(ResourceType t, Stored cur, DeleteOptions opts) {
        if (opts.uid() != null && !opts.uid().equals(cur.uid)) {
            throw ApiException.conflict(t, cur.name, "Precondition failed: UID in precondition: " + opts.uid()
                    + ", UID in object meta: " + cur.uid);
        }
        if (opts.resourceVersion() != null && !opts.resourceVersion().equals(Long.toString(cur.rv))) {
            throw ApiException.conflict(t, cur.name, "Precondition failed: ResourceVersion in precondition: "
                    + opts.resourceVersion() + ", ResourceVersion in object meta: " + cur.rv);
        }
    }

    private Stored markDeleting(ResourceType t, String ns, String name, DeleteOptions opts, long grace) {
        return update(t, ns, name, Mutation.editing((cur, tree) -> {
            checkPreconditions(t, cur, opts);
            ObjectNode meta = Json.metadata(tree);
            if (!meta.hasNonNull("deletionTimestamp")) {
                meta.put("deletionTimestamp", Json.timestamp(Instant.now().plusSeconds(grace)));
                meta.put("deletionGracePeriodSeconds", grace);
            }
            return tree;
        }));
    }

    /** Removes the object now (DELETED event), then its dependents unless orphaned. */
    private Deleted remove(ResourceType t, String ns, String name, Stored expected, DeleteOptions opts) {
        Map<String, Stored> m = index(t);
        String k = key(t, ns, name);
        Stored gone;
        List<Key> deps;
        lock.lock();
        try {
            Stored cur = m.get(k);
            if (cur == null || (expected != null && cur != expected)) {
                throw ApiException.notFound(t, name);
            }
            gone = Stored.of(t, cur.tree(), rv + 1);
            Set<Key> set = cur.uid == null ? null : dependents.get(cur.uid);
            deps = set == null ? List.of() : new ArrayList<>(set);
            commit(new Change(gone.rv, Change.Type.DELETED, cur, gone));
        } finally {
            lock.unlock();
        }
        collectDependents(gone, deps, opts.propagationPolicy());
        return new Deleted(gone, true);
    }

    private Deleted deleteNamespace(Stored ns, DeleteOptions opts) {
        Stored marked = ns;
        if (!ns.deleting) {
            marked = update(ResourceTypes.NAMESPACES, "", ns.name, Mutation.editing((cur, tree) -> {
                Json.metadata(tree).put("deletionTimestamp", Json.now());
                Json.child(tree, "status").put("phase", "Terminating");
                return tree;
            }));
        }
        // the namespace controller's work, done at once: delete everything in it, then the namespace
        for (ResourceType t : ResourceTypes.STORED) {
            if (!t.namespaced()) {
                continue;
            }
            for (Stored s : list(t, ns.name, null, 0, null).items()) {
                try {
                    remove(t, s.namespace, s.name, null, DeleteOptions.DEFAULT);
                } catch (ApiException e) {
                    // deleted concurrently
                }
            }
        }
        return remove(ResourceTypes.NAMESPACES, "", ns.name, null, opts);
    }

    private void collectDependents(Stored owner, List<Key> deps, String policy) {
        for (Key d : deps) {
            ResourceType t = storedType(d.storage());
            Stored dep = get(t, d.namespace(), d.name());
            if (dep == null || !dep.owners.contains(owner.uid)) {
                continue;
            }
            try {
                if ("Orphan".equals(policy) || hasLiveOwner(dep, owner.uid)) {
                    update(t, d.namespace(), d.name(), Mutation.editing((cur, tree) -> {
                        JsonNode refs = Json.metadata(tree).get("ownerReferences");
                        if (refs instanceof ArrayNode a) {
                            for (int i = a.size() - 1; i >= 0; i--) {
                                if (owner.uid.equals(Json.text(a.get(i), "uid"))) {
                                    a.remove(i);
                                }
                            }
                            if (a.isEmpty()) {
                                Json.metadata(tree).remove("ownerReferences");
                            }
                        }
                        return tree;
                    }));
                } else {
                    delete(t, d.namespace(), d.name(), DeleteOptions.DEFAULT);
                }
            } catch (ApiException e) {
                // gone meanwhile
            }
        }
    }

    private boolean hasLiveOwner(Stored dep, String except) {
        lock.lock();
        try {
            for (String o : dep.owners) {
                if (!o.equals(except) && byUid.containsKey(o)) {
                    return true;
                }
            }
            return false;
        } finally {
            lock.unlock();
        }
    }

    static ResourceType storedType(String storage) {
        for (ResourceType t : ResourceTypes.STORED) {
            if (t.storage().equals(storage)) {
                return t;
            }
        }
        throw new IllegalArgumentException(storage);
    }

    /**
     * Under the lock: the change is journaled (if asked; a failure refuses it), then the new version becomes current,
     * joins the history and goes to the watchers.
     */
    private void commit(Change c) {
        if (journal != null) {
            journal.append(c);
        }
        Stored s = c.cur();
        ConcurrentSkipListMap<String, Stored> m = objects.get(s.type.storage());
        Map<String, Stored> h = byKey.get(s.type.storage());
        String key = s.key();
        if (c.type() == Change.Type.DELETED) {
            m.remove(key);
            h.remove(key);
        } else {
            m.put(key, s);
            h.put(key, s);
        }
        rv = c.rv();
        if (s.type == ResourceTypes.PRIORITY_CLASSES) {
            priorityClassWrites++;
        }
        history[(int) (c.rv() % history.length)] = c;
        historyCount++;
        index(c);
        for (Watcher w : watchers.get(s.type.storage())) {
            w.offer(c);
        }
        if (commitListener != null) {
            commitListener.accept(c);
        }
    }

    private void index(Change c) {
        Stored prev = c.prev();
        Stored cur = c.cur();
        Key k = new Key(cur.type.storage(), cur.namespace, cur.name);
        if (c.type() == Change.Type.DELETED) {
            if (cur.uid != null) {
                byUid.remove(cur.uid);
            }
            unlinkOwners(prev.owners, k);
            if (cur.uid != null) {
                dependents.remove(cur.uid);
            }
            return;
        }
        if (prev == null && cur.uid != null) {
            byUid.put(cur.uid, k);
        }
        List<String> before = prev == null ? List.of() : prev.owners;
        if (!before.equals(cur.owners)) {
            unlinkOwners(before, k);
            for (String o : cur.owners) {
                dependents.computeIfAbsent(o, x -> new LinkedHashSet<>()).add(k);
            }
        }
    }

    private void unlinkOwners(List<String> owners, Key k) {
        for (String o : owners) {
            Set<Key> set = dependents.get(o);
            if (set != null) {
                set.remove(k);
                if (set.isEmpty()) {
                    dependents.remove(o);
                }
            }
        }
    }

    /** The oldest resourceVersion a watch can still resume from (changes after it are all in the history). */
    private long oldestReplayable() {
        return Math.max(restoredRv, historyCount < history.length ? 0 : rv - history.length);
    }

    // ---- watches --------------------------------------------------------------------------------------------

    /** Registers a watcher: first the events it missed or the current state, then every later change, in order. */
    void watch(Watcher w, WatchStart start) {
        ResourceType t = w.view;
        lock.lock();
        try {
            if (start.initialState()) {
                NavigableMap<String, Stored> range = map(t);
                if (t.namespaced() && w.namespace != null) {
                    range = range.subMap(w.namespace + "/", true, w.namespace + "0", false);
                }
                for (Stored s : range.values()) {
                    if (w.matches(s)) {
                        w.enqueue(new Watcher.Event(Change.Type.ADDED, s));
                    }
                }
                if (start.initialEventsEndBookmark()) {
                    w.enqueue(new Watcher.Bookmark(rv, true));
                }
            } else {
                long after = start.afterRv();
                if (after < oldestReplayable()) {
                    expiredWatches.incrementAndGet();
                    w.fail(Json.bytes(ApiException.expired("too old resource version: " + after + " ("
                            + (oldestReplayable() + 1) + ")").status()));
                    return;
                }
                String storage = t.storage();
                for (long r = after + 1; r <= rv; r++) {
                    Change c = history[(int) (r % history.length)];
                    if (c != null && c.rv() == r && c.cur().type.storage().equals(storage)) {
                        w.offer(c);
                    }
                }
            }
            watchers.get(t.storage()).add(w);
        } finally {
            lock.unlock();
        }
    }

    /** Watches refused with 410 Gone because their resourceVersion had left the history. */
    long expiredWatches() {
        return expiredWatches.get();
    }

    void unwatch(Watcher w) {
        watchers.get(w.view.storage()).remove(w);
    }

    /** Under the lock, so a bookmark never overtakes an event it vouches for. */
    void bookmarkTick() {
        lock.lock();
        try {
            long now = rv;
            for (List<Watcher> l : watchers.values()) {
                for (Watcher w : l) {
                    if (w.bookmarks) {
                        w.enqueue(new Watcher.Bookmark(now, false));
                    }
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** Ends every open watch (their clients re-watch); returns how many were open. */
    int closeWatchers() {
        List<Watcher> all = new ArrayList<>();
        for (List<Watcher> l : watchers.values()) {
            all.addAll(l);
        }
        for (Watcher w : all) {
            w.close();
        }
        return all.size();
    }

    boolean uidExists(String uid) {
        lock.lock();
        try {
            return byUid.containsKey(uid);
        } finally {
            lock.unlock();
        }
    }

    private static final char[] SUFFIX = "bcdfghjklmnpqrstvwxz2456789".toCharArray();

    static String randomSuffix() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        char[] c = new char[5];
        for (int i = 0; i < c.length; i++) {
            c[i] = SUFFIX[r.nextInt(SUFFIX.length)];
        }
        return new String(c);
    }
}
