package io.fairway.core.config;

import io.fairway.core.yaml.YNode;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Where each parsed record came from in the YAML, so that the validator, which works on the records, can still name
 * the line. Keyed by identity: two equal limits on different lines are different entries.
 */
final class Origins {
    static final Origins NONE = new Origins();

    private final Map<Object, YNode> nodes = new IdentityHashMap<>();
    private final Map<Object, Boolean> incomplete = new IdentityHashMap<>();

    void put(Object record, YNode node) {
        if (this != NONE) {
            nodes.put(record, node);
        }
    }

    /**
     * Marks a record that lost part of what the file said (an unknown key, a bad value), so that the validator
     * does not add a second, misleading problem about the part that is missing.
     */
    void markIncomplete(Object record) {
        if (this != NONE) {
            incomplete.put(record, Boolean.TRUE);
        }
    }

    boolean isIncomplete(Object record) {
        return incomplete.containsKey(record);
    }

    YNode node(Object record) {
        return nodes.get(record);
    }

    /** The line of the record, or of the deepest of the nested keys that is present; 0 when unknown. */
    int line(Object record, String... keys) {
        YNode node = nodes.get(record);
        if (node == null) {
            return 0;
        }
        int line = node.line();
        for (String key : keys) {
            if (!node.isMap()) {
                break;
            }
            YNode child = node.get(key);
            if (child == null) {
                break;
            }
            line = node.keyLine(key);
            node = child;
        }
        return line;
    }
}
