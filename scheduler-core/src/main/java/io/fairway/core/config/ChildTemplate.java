package io.fairway.core.config;

import io.fairway.core.resources.Resources;
import java.util.Map;

/** Settings for queues that placement rules create dynamically under a parent. */
public record ChildTemplate(long maxApplications, Map<String, String> properties, Resources guaranteed, Resources max) {
    public static final ChildTemplate NONE = new ChildTemplate(0, Map.of(), Resources.NONE, Resources.NONE);

    public ChildTemplate {
        properties = Map.copyOf(properties);
    }
}
