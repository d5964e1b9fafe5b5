package io.fairway.ui;

import io.fairway.core.resources.ResourceCounter;
import io.fairway.core.resources.Resources;
import java.util.Map;

/**
 * Resource vectors as JSON objects by resource name, in the state's units (cpu in millicores, memory in bytes,
 * extended resources such as {@code nvidia.com/gpu} in units), so that clients can compute with them.
 */
final class Amounts {
    private Amounts() {
    }

    static Map<String, Long> of(Resources r) {
        return r.toMap();
    }

    static Map<String, Long> of(ResourceCounter c) {
        return c.snapshot().toMap();
    }
}
