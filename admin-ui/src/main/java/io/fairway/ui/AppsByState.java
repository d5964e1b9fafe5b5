package io.fairway.ui;

import io.fairway.core.state.AppState;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** Apps counted by state, every state present (0 too) so that clients and charts see a fixed shape. */
final class AppsByState {
    private AppsByState() {
    }

    static Map<String, Integer> count(Iterable<AppState> apps) {
        Map<String, Integer> m = new LinkedHashMap<>();
        for (AppState.Status st : AppState.Status.values()) {
            m.put(st.name(), 0);
        }
        for (AppState a : apps) {
            m.merge(a.status().name(), 1, Integer::sum);
        }
        return Collections.unmodifiableMap(m);
    }
}
