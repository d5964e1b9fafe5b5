package io.fairway.core.placement;

import java.util.regex.Pattern;

/** Queue-name rules that placement applies to the names it makes up. */
public final class QueueNames {
    public static final String ROOT = "root";
    /** YuniKorn replaces dots in a user name or tag value so that they do not add levels to the queue path. */
    public static final String DOT_REPLACEMENT = "_dot_";
    /** YuniKorn's queue name rule, as {@code ConfigValidator} checks it in the config. */
    private static final Pattern NAME = Pattern.compile("^[a-zA-Z0-9_:#/@-]{1,64}$");

    private QueueNames() {
    }

    public static boolean isQualified(String queue) {
        return queue.equals(ROOT) || queue.startsWith(ROOT + ".");
    }

    public static String replaceDots(String name) {
        return name.replace(".", DOT_REPLACEMENT);
    }

    /** The parent's full name, or empty for root. */
    public static String parentOf(String fullName) {
        int dot = fullName.lastIndexOf('.');
        return dot < 0 ? "" : fullName.substring(0, dot);
    }

    /** Why a full queue name cannot be a queue, or null when it can. */
    public static String invalid(String fullName) {
        for (String part : fullName.split("\\.", -1)) {
            if (!NAME.matcher(part).matches()) {
                return "'" + part + "' in " + fullName + " is not a valid queue name (1 to 64 of a-z A-Z 0-9 _ : # / @ -)";
            }
        }
        return null;
    }
}
