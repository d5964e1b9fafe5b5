package io.fairway.core.objects;

/** A node taint; {@code effect} is NoSchedule, PreferNoSchedule or NoExecute. */
public record Taint(String key, String value, String effect) {
    public Taint {
        value = value == null ? "" : value;
    }

    /** Taints a scheduler must respect; PreferNoSchedule is only a preference. */
    public boolean repels() {
        return "NoSchedule".equals(effect) || "NoExecute".equals(effect);
    }
}
