package io.fairway.core.placement;

import io.fairway.core.config.Filter;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A placement rule's filter, ready to match: YuniKorn's semantics. A filter with no users and no groups lets everyone
 * through ({@code allow}) or nobody ({@code deny}). Otherwise the user is looked for in the users, then each of its
 * groups in the groups; found, the filter says its type (allow lets through, deny keeps out); not found, the opposite.
 *
 * <p>An entry that is a valid user (group) name is matched exactly; any other entry is a regular expression matched
 * against the whole name, as YuniKorn compiles it anchored ({@code dev.*} matches {@code dev-ml}, not {@code mydev}).
 * YuniKorn reads a regular expression only when it is the one entry of its list; here it may stand in any position.
 */
public final class UserFilter {
    public static final UserFilter ALLOW_ALL = of(Filter.ALLOW_ALL);

    /** As {@code ConfigValidator.USER_NAME} and {@code GROUP_NAME}: what is not a name is a pattern. */
    private static final Pattern USER_NAME = Pattern.compile("^[_a-zA-Z][a-zA-Z0-9:_.@-]*[$]?$");
    private static final Pattern GROUP_NAME = Pattern.compile("^[_a-zA-Z][a-zA-Z0-9:_.-]*$");

    private final Filter config;
    private final List<Entry> users;
    private final List<Entry> groups;

    private record Entry(String name, Pattern pattern) {
        boolean matches(String s) {
            return pattern == null ? name.equals(s) : pattern.matcher(s).matches();
        }
    }

    private UserFilter(Filter config) {
        this.config = config;
        this.users = entries(config.users(), USER_NAME);
        this.groups = entries(config.groups(), GROUP_NAME);
    }

    public static UserFilter of(Filter f) {
        return new UserFilter(f == null ? Filter.ALLOW_ALL : f);
    }

    private static List<Entry> entries(List<String> raw, Pattern name) {
        List<Entry> out = new ArrayList<>();
        for (String e : raw) {
            if (name.matcher(e).matches()) {
                out.add(new Entry(e, null));
                continue;
            }
            try {
                out.add(new Entry(e, Pattern.compile(e)));
            } catch (PatternSyntaxException ex) {
                // ConfigValidator refuses such a config; an entry that got here anyway matches nothing, as in YuniKorn.
            }
        }
        return List.copyOf(out);
    }

    public boolean isEmpty() {
        return config.users().isEmpty() && config.groups().isEmpty();
    }

    public boolean allows(String user, List<String> userGroups) {
        if (isEmpty()) {
            return config.allow();
        }
        for (Entry e : users) {
            if (e.matches(user)) {
                return config.allow();
            }
        }
        for (String g : userGroups) {
            for (Entry e : groups) {
                if (e.matches(g)) {
                    return config.allow();
                }
            }
        }
        return !config.allow();
    }

    /** "filter allow users [admin] groups [dev.*]", for reasons. */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("filter ").append(config.allow() ? "allow" : "deny");
        if (!config.users().isEmpty()) {
            b.append(" users ").append(config.users());
        }
        if (!config.groups().isEmpty()) {
            b.append(" groups ").append(config.groups());
        }
        return b.toString();
    }
}
