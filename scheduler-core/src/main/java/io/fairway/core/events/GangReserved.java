package io.fairway.core.events;

import io.fairway.core.resources.Resources;
import java.util.List;

/**
 * The leader reserved room for every member a gang app still needs, all groups at once: one slot per member, on the
 * node chosen for it. Apply takes all the slots or none. Member pods then bind into their group's slots.
 */
public record GangReserved(long time, long epoch, String appId, List<Slot> slots) implements Decision {
    public GangReserved {
        slots = List.copyOf(slots);
    }

    /** Room for one member of {@code group} on {@code node}. */
    public record Slot(String group, String node, Resources resources) {
    }
}
