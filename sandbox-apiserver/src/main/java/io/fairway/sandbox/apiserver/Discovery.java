package io.fairway.sandbox.apiserver;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The discovery documents kubectl reads before anything else: /version, /api, /apis and the resource lists. */
final class Discovery {
    static final String GIT_VERSION = "v1.32.0";

    private final byte[] version;
    private final byte[] api;
    private final byte[] apis;
    private final Map<String, byte[]> resourceLists = new HashMap<>();
    private final Map<String, byte[]> groups = new HashMap<>();

    Discovery(String serverAddress) {
        ObjectNode v = Json.object();
        v.put("major", "1");
        v.put("minor", "32");
        v.put("emulationMajor", "1");
        v.put("emulationMinor", "32");
        v.put("minCompatibilityMajor", "1");
        v.put("minCompatibilityMinor", "31");
        v.put("gitVersion", GIT_VERSION);
        v.put("gitCommit", "70d3cc986aa8221cd1dfb1121852688902d3bf53");
        v.put("gitTreeState", "clean");
        v.put("buildDate", "2024-12-11T17:59:15Z");
        v.put("goVersion", "go1.23.3");
        v.put("compiler", "gc");
        v.put("platform", "linux/amd64");
        version = Json.bytes(v);

        ObjectNode a = Json.object();
        a.put("kind", "APIVersions");
        a.putArray("versions").add("v1");
        a.putArray("serverAddressByClientCIDRs").addObject().put("clientCIDR", "0.0.0.0/0").put("serverAddress", serverAddress);
        api = Json.bytes(a);

        ObjectNode list = Json.object();
        list.put("kind", "APIGroupList");
        list.put("apiVersion", "v1");
        ArrayNode gs = list.putArray("groups");
        for (Map.Entry<String, List<ResourceType>> e : ResourceTypes.byGroupVersion().entrySet()) {
            ResourceType first = e.getValue().get(0);
            ObjectNode resources = resourceList(e.getKey(), e.getValue());
            resourceLists.put(e.getKey(), Json.bytes(resources));
            if (first.group().isEmpty()) {
                continue;
            }
            ObjectNode g = group(first);
            gs.add(g);
            ObjectNode single = g.deepCopy();
            single.put("kind", "APIGroup");
            single.put("apiVersion", "v1");
            groups.put(first.group(), Json.bytes(single));
        }
        apis = Json.bytes(list);
    }

    private static ObjectNode group(ResourceType t) {
        ObjectNode g = Json.object();
        g.put("name", t.group());
        g.putArray("versions").addObject().put("groupVersion", t.apiVersion()).put("version", t.version());
        g.putObject("preferredVersion").put("groupVersion", t.apiVersion()).put("version", t.version());
        return g;
    }

    private static ObjectNode resourceList(String groupVersion, List<ResourceType> types) {
        ObjectNode r = Json.object();
        r.put("kind", "APIResourceList");
        r.put("apiVersion", "v1");
        r.put("groupVersion", groupVersion);
        ArrayNode rs = r.putArray("resources");
        for (ResourceType t : types) {
            ObjectNode o = rs.addObject();
            o.put("name", t.plural());
            o.put("singularName", t.singular());
            o.put("namespaced", t.namespaced());
            o.put("kind", t.kind());
            ArrayNode verbs = o.putArray("verbs");
            t.verbs().forEach(verbs::add);
            if (!t.shortNames().isEmpty()) {
                ArrayNode sn = o.putArray("shortNames");
                t.shortNames().forEach(sn::add);
            }
            if (!t.categories().isEmpty()) {
                ArrayNode cs = o.putArray("categories");
                t.categories().forEach(cs::add);
            }
            for (String sub : t.subresources()) {
                ObjectNode s = rs.addObject();
                s.put("name", t.plural() + "/" + sub);
                s.put("singularName", "");
                s.put("namespaced", t.namespaced());
                switch (sub) {
                    case "binding" -> {
                        s.put("kind", "Binding");
                        s.putArray("verbs").add("create");
                    }
                    case "eviction" -> {
                        s.put("group", "policy");
                        s.put("version", "v1");
                        s.put("kind", "Eviction");
                        s.putArray("verbs").add("create");
                    }
                    case "finalize" -> {
                        s.put("kind", t.kind());
                        s.putArray("verbs").add("update");
                    }
                    default -> {
                        s.put("kind", t.kind());
                        s.putArray("verbs").add("get").add("patch").add("update");
                    }
                }
            }
        }
        return r;
    }

    byte[] version() {
        return version;
    }

    byte[] api() {
        return api;
    }

    byte[] apis() {
        return apis;
    }

    /** The APIResourceList of "v1" or "group/version", or null. */
    byte[] resources(String groupVersion) {
        return resourceLists.get(groupVersion);
    }

    byte[] group(String group) {
        return groups.get(group);
    }
}
