package io.fairway.core.objects;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * Reads a pod's application, queue and user the way YuniKorn's k8shim does, so that pods written for YuniKorn
 * keep working: labels and annotations {@code yunikorn.apache.org/app-id}, {@code applicationId}, Spark's
 * {@code spark-app-selector}; {@code yunikorn.apache.org/queue}, {@code queue}; annotation
 * {@code yunikorn.apache.org/user.info} ({@code {"user": "alice", "groups": ["a"]}}).
 */
public final class YuniKornLabels {
    public static final String APP_ID = "yunikorn.apache.org/app-id";
    public static final String APP_ID_LEGACY = "applicationId";
    public static final String SPARK_APP_SELECTOR = "spark-app-selector";
    public static final String QUEUE = "yunikorn.apache.org/queue";
    public static final String QUEUE_LEGACY = "queue";
    public static final String USER_INFO = "yunikorn.apache.org/user.info";

    /** A parser per thread: building one costs more than parsing an annotation, and a parser is not thread-safe. */
    private static final ThreadLocal<Yaml> YAML = ThreadLocal.withInitial(() -> new Yaml(new LoaderOptions()));

    /**
     * Parsed annotations by their text: a tenant's pods carry the same few strings, and the watcher reads every pod
     * change, so parsing each one again would cost more than all the rest of turning a pod into an observation.
     */
    private static final Map<String, Optional<UserInfo>> USER_INFOS = new ConcurrentHashMap<>();
    private static final int USER_INFO_CACHE = 4096;

    private YuniKornLabels() {
    }

    /** The app id; pods that name none share one app per namespace, as the k8shim's auto-generated id. */
    public static String appId(String namespace, Map<String, String> labels, Map<String, String> annotations) {
        for (String key : List.of(APP_ID, APP_ID_LEGACY, SPARK_APP_SELECTOR)) {
            String v = first(key, labels, annotations);
            if (v != null) {
                return v;
            }
        }
        return "yunikorn-" + namespace + "-autogen";
    }

    /** The queue asked for, or empty. */
    public static String queue(Map<String, String> labels, Map<String, String> annotations) {
        String v = first(QUEUE, labels, annotations);
        if (v == null) {
            v = first(QUEUE_LEGACY, labels, annotations);
        }
        return v == null ? "" : v;
    }

    /** User and groups from the user.info annotation; null when absent or unreadable. */
    public static UserInfo userInfo(Map<String, String> annotations) {
        String json = annotations.get(USER_INFO);
        if (json == null || json.isBlank()) {
            return null;
        }
        Optional<UserInfo> known = USER_INFOS.get(json);
        if (known == null) {
            if (USER_INFOS.size() >= USER_INFO_CACHE) {
                USER_INFOS.clear();
            }
            known = Optional.ofNullable(parseUserInfo(json));
            USER_INFOS.put(json, known);
        }
        return known.orElse(null);
    }

    private static UserInfo parseUserInfo(String json) {
        try {
            Object parsed = YAML.get().load(json);
            if (parsed instanceof Map<?, ?> m && m.get("user") instanceof String user) {
                List<String> groups = m.get("groups") instanceof List<?> l
                        ? l.stream().map(String::valueOf).toList() : List.of();
                return new UserInfo(user, groups);
            }
        } catch (RuntimeException e) {
            return null;
        }
        return null;
    }

    public record UserInfo(String user, List<String> groups) {
    }

    private static String first(String key, Map<String, String> labels, Map<String, String> annotations) {
        String v = labels.get(key);
        if (v == null || v.isBlank()) {
            v = annotations.get(key);
        }
        return v == null || v.isBlank() ? null : v;
    }
}
