package io.fairway.core.config;

/**
 * A placement rule: {@code provided}, {@code user}, {@code tag} or {@code fixed} (names are case-insensitive in
 * the file and kept lower-case here). Parsed and validated now; applied by the placement issue.
 *
 * @param parent may be null
 * @param value  the tag name for {@code tag}, the queue for {@code fixed}; otherwise empty
 */
public record PlacementRule(String name, boolean create, PlacementRule parent, Filter filter, String value) {
}
