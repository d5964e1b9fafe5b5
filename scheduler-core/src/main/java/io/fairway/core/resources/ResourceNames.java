package io.fairway.core.resources;

import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Interns resource names into small dense ids so that a {@link Resources} vector is an array of longs.
 *
 * <p>The id of a name depends on the order names were first seen in this JVM, so ids never leave the
 * process: anything persisted or hashed uses the name.
 */
public final class ResourceNames {
    public static final int CPU = 0;
    public static final int MEMORY = 1;
    public static final int PODS = 2;
    public static final int EPHEMERAL_STORAGE = 3;

    private static final ConcurrentHashMap<String, Integer> IDS = new ConcurrentHashMap<>();
    private static volatile String[] names = new String[0];

    static {
        id("cpu");
        id("memory");
        id("pods");
        id("ephemeral-storage");
    }

    private ResourceNames() {
    }

    /** The id of a Kubernetes resource name, interning it on first sight. */
    public static int id(String name) {
        Integer known = IDS.get(name);
        if (known != null) {
            return known;
        }
        synchronized (ResourceNames.class) {
            known = IDS.get(name);
            if (known != null) {
                return known;
            }
            int next = names.length;
            String[] grown = Arrays.copyOf(names, next + 1);
            grown[next] = name;
            names = grown;
            IDS.put(name, next);
            return next;
        }
    }

    public static String name(int id) {
        return names[id];
    }

    public static int count() {
        return names.length;
    }

    /**
     * Maps a resource name as YuniKorn's config writes it to the Kubernetes name: {@code vcore} is cpu.
     * Names are otherwise kept as they are, extended resources included.
     */
    public static String fromYuniKorn(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return switch (lower) {
            case "vcore", "cpu" -> "cpu";
            case "memory" -> "memory";
            case "pods" -> "pods";
            case "ephemeral-storage" -> "ephemeral-storage";
            default -> name;
        };
    }
}
