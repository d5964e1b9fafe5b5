package io.fairway.core.config;

import io.fairway.core.resources.Resources;
import java.util.List;

/**
 * A user/group limit on a queue or a partition, enforced by {@link io.fairway.core.ugm.UserGroupManager}.
 *
 * @param maxApplications 0 means not limited
 */
public record Limit(String description, List<String> users, List<String> groups, Resources maxResources, long maxApplications) {
    public Limit {
        users = List.copyOf(users);
        groups = List.copyOf(groups);
    }
}
