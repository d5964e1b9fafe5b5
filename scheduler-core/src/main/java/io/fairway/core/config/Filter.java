package io.fairway.core.config;

import java.util.List;

/**
 * A placement rule filter. Entries are names or regular expressions, as in YuniKorn.
 *
 * @param allow true for {@code type: allow} (the default), false for {@code deny}
 */
public record Filter(boolean allow, List<String> users, List<String> groups) {
    public static final Filter ALLOW_ALL = new Filter(true, List.of(), List.of());

    public Filter {
        users = List.copyOf(users);
        groups = List.copyOf(groups);
    }
}
