package io.fairway.sandbox.apiserver;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Iterator;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NoSuchElementException;
import java.util.TreeMap;

/**
 * Paged lists as one snapshot, as kube-apiserver serves them from etcd at the first page's revision: the continue
 * token carries that resourceVersion and the last key served, and a later page shows the objects as they were then
 * (an object created since does not appear, one deleted or changed since appears as it was). The store rebuilds
 * that state from its history of changes; a token whose resourceVersion has left the history (or is newer than the
 * store, after a restart) is 410 Gone, reason Expired, and the client starts a new list.
 */
final class ListSnapshot {
    private ListSnapshot() {}

    /** A decoded continue token: the list's resourceVersion and the key after which the next page starts. */
    record Token(long rv, String afterKey) {}

    static String encode(long rv, String key) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString((rv + "\n" + key).getBytes(StandardCharsets.UTF_8));
    }

    static Token decode(String token) {
        try {
            String s = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
            int i = s.indexOf('\n');
            return new Token(Long.parseLong(s.substring(0, i)), s.substring(i + 1));
        } catch (RuntimeException e) {
            throw ApiException.badRequest("invalid continue token \"" + token + "\": pass the metadata.continue of the "
                    + "previous page unchanged, or start a new list without the continue parameter");
        }
    }

    static ApiException expired(long tokenRv, long oldest, long current) {
        String why = tokenRv > current
                ? " (it is from resourceVersion " + tokenRv + ", newer than this server's " + current
                        + ": the server restarted since the first page)"
                : " (it is from resourceVersion " + tokenRv + "; the oldest this server can still list at is " + oldest + ")";
        return ApiException.expired("The provided continue parameter is too old to display a consistent list result. "
                + "You can start a new list without the continue parameter, or use the continue token in this response "
                + "to retrieve the remainder of the results. Continuing with the provided token results in an "
                + "inconsistent list - objects that were created, modified, or deleted between the time the first "
                + "chunk was returned and now may show up in the list." + why);
    }

    /**
     * The objects of {@code current} as they were at a past resourceVersion: {@code before} maps each key changed
     * since to its version then (null: it did not exist). Iterates in key order.
     */
    static Iterable<Stored> asOf(NavigableMap<String, Stored> current, Map<String, Stored> before) {
        if (before.isEmpty()) {
            return current.values();
        }
        TreeMap<String, Stored> gone = new TreeMap<>();
        for (Map.Entry<String, Stored> e : before.entrySet()) {
            if (e.getValue() != null && !current.containsKey(e.getKey())) {
                gone.put(e.getKey(), e.getValue());
            }
        }
        return () -> new Iterator<>() {
            private final Iterator<Map.Entry<String, Stored>> a = current.entrySet().iterator();
            private final Iterator<Map.Entry<String, Stored>> b = gone.entrySet().iterator();
            private Map.Entry<String, Stored> na = advance(a);
            private Map.Entry<String, Stored> nb = b.hasNext() ? b.next() : null;

            /** The next current entry that existed then, as it was then. */
            private Map.Entry<String, Stored> advance(Iterator<Map.Entry<String, Stored>> it) {
                while (it.hasNext()) {
                    Map.Entry<String, Stored> e = it.next();
                    if (!before.containsKey(e.getKey())) {
                        return e;
                    }
                    Stored then = before.get(e.getKey());
                    if (then != null) {
                        return Map.entry(e.getKey(), then);
                    }
                }
                return null;
            }

            @Override
            public boolean hasNext() {
                return na != null || nb != null;
            }

            @Override
            public Stored next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                Map.Entry<String, Stored> e;
                if (nb == null || (na != null && na.getKey().compareTo(nb.getKey()) < 0)) {
                    e = na;
                    na = advance(a);
                } else {
                    e = nb;
                    nb = b.hasNext() ? b.next() : null;
                }
                return e.getValue();
            }
        };
    }
}
