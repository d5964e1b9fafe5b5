package io.fairway.core.config;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A YuniKorn ACL: {@code "users groups"}, each a comma-separated list, separated by one space; {@code "*"} allows
 * everyone. An absent ACL is {@link #NOT_SET} (inherit from the parent); an empty one allows nobody.
 */
public record Acl(String raw, boolean everyone, Set<String> users, Set<String> groups) {
    public static final Acl NOT_SET = new Acl(null, false, Set.of(), Set.of());

    public Acl {
        users = Set.copyOf(users);
        groups = Set.copyOf(groups);
    }

    /**
     * Reads an ACL as YuniKorn writes it. Only a lone {@code "*"} (the whole ACL, the user list or the group list)
     * means everyone; YuniKorn ignores a {@code "*"} mixed into a list, so we do too. More than one space is not
     * rejected here: {@link ConfigValidator} reports it with the place in the file.
     */
    public static Acl parse(String raw) {
        if (raw == null) {
            return NOT_SET;
        }
        if (raw.trim().equals("*")) {
            return new Acl(raw, true, Set.of(), Set.of());
        }
        int space = raw.indexOf(' ');
        List<String> users = entries(space < 0 ? raw : raw.substring(0, space));
        List<String> groups = entries(space < 0 ? "" : raw.substring(space + 1));
        boolean everyone = users.equals(List.of("*")) || groups.equals(List.of("*"));
        return new Acl(raw, everyone, without(users), without(groups));
    }

    private static List<String> entries(String list) {
        List<String> out = new ArrayList<>();
        for (String s : list.split(",")) {
            String t = s.trim();
            if (!t.isEmpty()) {
                out.add(t);
            }
        }
        return out;
    }

    private static Set<String> without(List<String> names) {
        Set<String> out = new LinkedHashSet<>(names);
        out.remove("*");
        return out;
    }

    public boolean isSet() {
        return raw != null;
    }

    public boolean allows(String user, List<String> userGroups) {
        if (everyone || users.contains(user)) {
            return true;
        }
        for (String g : userGroups) {
            if (groups.contains(g)) {
                return true;
            }
        }
        return false;
    }
}
