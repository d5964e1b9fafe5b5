package io.fairway.sandbox.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What kube-apiserver does to a Service: the defaults it fills in (type ClusterIP, session affinity, IP family,
 * port protocol and target port), a cluster IP from the service range (unless {@code clusterIP: None}, headless),
 * node ports for NodePort and LoadBalancer services, and the rule that an allocated IP never changes. Nothing is
 * proxied: the IPs are names, not routes.
 */
final class Services {
    /** The service range, as kube-apiserver's {@code --service-cluster-ip-range} default of kubeadm and kind. */
    static final String RANGE = "10.96.0.0/12";
    private static final int BASE = (10 << 24) | (96 << 16);
    private static final int SIZE = 1 << 20;
    /** 10.96.0.1 is the {@code kubernetes} service's, as in every cluster. */
    static final String KUBERNETES_SERVICE_IP = "10.96.0.1";
    private static final int NODE_PORT_MIN = 30000;
    private static final int NODE_PORT_MAX = 32767;

    private final Store store;
    private final Object allocation = new Object();
    /**
     * The next address to try: sequential, so two creates in flight never pick the same one. It starts above the
     * lower band that kube-apiserver keeps for IPs chosen by users (the first 256 of this range, 10.96.0.10 for DNS).
     */
    private int next = 256;
    private int nextNodePort = NODE_PORT_MIN;

    Services(Store store) {
        this.store = store;
    }

    /** Validates and defaults a new Service, allocating its cluster IP and node ports. */
    void create(ResourceType t, String name, ObjectNode svc) {
        ObjectNode spec = Json.child(svc, "spec");
        String type = defaultSpec(t, name, spec);
        if (type.equals("ExternalName")) {
            if (Json.isBlank(Json.text(spec, "externalName"))) {
                throw ApiException.invalid(t, name, new ApiException.Cause("FieldValueRequired", "spec.externalName",
                        "Required value"));
            }
            spec.remove(List.of("clusterIP", "clusterIPs"));
        } else {
            String ip = Json.text(spec, "clusterIP");
            if ("None".equals(ip)) {
                setClusterIp(spec, "None");
            } else {
                setClusterIp(spec, allocateIp(t, name, ip));
            }
            spec.putArray("ipFamilies").add("IPv4");
            if (!spec.has("ipFamilyPolicy")) {
                spec.put("ipFamilyPolicy", "SingleStack");
            }
            if (!spec.has("internalTrafficPolicy")) {
                spec.put("internalTrafficPolicy", "Cluster");
            }
        }
        if (type.equals("NodePort") || type.equals("LoadBalancer")) {
            allocateNodePorts(spec);
            if (!spec.has("externalTrafficPolicy")) {
                spec.put("externalTrafficPolicy", "Cluster");
            }
        }
        if (!(svc.get("status") instanceof ObjectNode)) {
            svc.putObject("status").putObject("loadBalancer");
        }
    }

    /** An update keeps the allocated cluster IP (an update that leaves it out keeps it) and may not change it. */
    void update(ResourceType t, String name, ObjectNode old, ObjectNode next) {
        ObjectNode spec = Json.child(next, "spec");
        String type = defaultSpec(t, name, spec);
        String oldIp = Json.text(old, "spec", "clusterIP");
        String newIp = Json.text(spec, "clusterIP");
        if (type.equals("ExternalName")) {
            spec.remove(List.of("clusterIP", "clusterIPs"));
        } else if (Json.isBlank(newIp) && !Json.isBlank(oldIp)) {
            spec.set("clusterIP", old.path("spec").get("clusterIP"));
            spec.set("clusterIPs", old.path("spec").path("clusterIPs").deepCopy());
        } else if (!Json.isBlank(oldIp) && !oldIp.equals(newIp)) {
            throw ApiException.invalid(t, name, new ApiException.Cause("FieldValueInvalid", "spec.clusterIP",
                    "Invalid value: \"" + newIp + "\": field is immutable (allocated " + oldIp
                            + "; leave spec.clusterIP out of the update, or delete and re-create the Service)"));
        } else if (Json.isBlank(oldIp)) {
            // a change from ExternalName to a type with a cluster IP
            setClusterIp(spec, "None".equals(newIp) ? "None" : allocateIp(t, name, newIp));
        }
        if (!type.equals("ExternalName")) {
            if (!spec.has("ipFamilies")) {
                spec.putArray("ipFamilies").add("IPv4");
            }
            if (!spec.has("ipFamilyPolicy")) {
                spec.put("ipFamilyPolicy", "SingleStack");
            }
            if (!spec.has("internalTrafficPolicy")) {
                spec.put("internalTrafficPolicy", "Cluster");
            }
        }
        if (type.equals("NodePort") || type.equals("LoadBalancer")) {
            // ports left out of an update keep their node port, as kube-apiserver's patchAllocatedValues does
            JsonNode oldPorts = old.path("spec").path("ports");
            for (JsonNode p : spec.path("ports")) {
                if (p instanceof ObjectNode o && !o.hasNonNull("nodePort")) {
                    for (JsonNode op : oldPorts) {
                        if (op.path("port").asInt() == o.path("port").asInt()
                                && op.path("protocol").asText("TCP").equals(o.path("protocol").asText("TCP"))
                                && op.hasNonNull("nodePort")) {
                            o.set("nodePort", op.get("nodePort"));
                        }
                    }
                }
            }
            allocateNodePorts(spec);
            if (!spec.has("externalTrafficPolicy")) {
                spec.put("externalTrafficPolicy", "Cluster");
            }
        }
    }

    /** Defaults and validates what create and update share; returns the type. */
    private static String defaultSpec(ResourceType t, String name, ObjectNode spec) {
        String type = Json.text(spec, "type");
        if (Json.isBlank(type)) {
            type = "ClusterIP";
            spec.put("type", type);
        }
        if (!Set.of("ClusterIP", "NodePort", "LoadBalancer", "ExternalName").contains(type)) {
            throw ApiException.invalid(t, name, new ApiException.Cause("FieldValueNotSupported", "spec.type",
                    "Unsupported value: \"" + type + "\": supported values: \"ClusterIP\", \"ExternalName\", \"LoadBalancer\", \"NodePort\""));
        }
        if (!spec.has("sessionAffinity")) {
            spec.put("sessionAffinity", "None");
        }
        JsonNode ports = spec.get("ports");
        boolean headless = "None".equals(Json.text(spec, "clusterIP"));
        if ((ports == null || ports.isEmpty()) && !headless && !type.equals("ExternalName")) {
            throw ApiException.invalid(t, name, new ApiException.Cause("FieldValueRequired", "spec.ports", "Required value"));
        }
        if (ports instanceof ArrayNode list) {
            for (int i = 0; i < list.size(); i++) {
                if (!(list.get(i) instanceof ObjectNode p)) {
                    throw ApiException.invalid(t, name, new ApiException.Cause("FieldValueInvalid", "spec.ports[" + i + "]",
                            "Invalid value: a port must be an object"));
                }
                int port = p.path("port").asInt(0);
                if (port < 1 || port > 65535) {
                    throw ApiException.invalid(t, name, new ApiException.Cause("FieldValueInvalid", "spec.ports[" + i + "].port",
                            "Invalid value: " + p.path("port") + ": must be between 1 and 65535, inclusive"));
                }
                if (list.size() > 1 && Json.isBlank(Json.text(p, "name"))) {
                    throw ApiException.invalid(t, name, new ApiException.Cause("FieldValueRequired", "spec.ports[" + i + "].name",
                            "Required value"));
                }
                if (!p.has("protocol")) {
                    p.put("protocol", "TCP");
                }
                if (!p.has("targetPort")) {
                    p.put("targetPort", port);
                }
            }
        }
        return type;
    }

    private static void setClusterIp(ObjectNode spec, String ip) {
        spec.put("clusterIP", ip);
        spec.putArray("clusterIPs").add(ip);
    }

    private String allocateIp(ResourceType t, String name, String requested) {
        Set<String> used = usedIps();
        synchronized (allocation) {
            if (!Json.isBlank(requested)) {
                int offset = offsetInRange(requested);
                if (offset < 0) {
                    throw ApiException.invalid(t, name, new ApiException.Cause("FieldValueInvalid", "spec.clusterIPs",
                            "Invalid value: []string{\"" + requested + "\"}: failed to allocate IP " + requested
                                    + ": the provided IP (" + requested + ") is not in the valid range. The range of valid IPs is "
                                    + RANGE));
                }
                if (used.contains(requested)) {
                    throw ApiException.invalid(t, name, new ApiException.Cause("FieldValueInvalid", "spec.clusterIPs",
                            "Invalid value: []string{\"" + requested + "\"}: failed to allocate IP " + requested
                                    + ": provided IP is already allocated (leave spec.clusterIP out to get a free one)"));
                }
                return requested;
            }
            for (int tried = 0; tried < SIZE; tried++) {
                int offset = next;
                next = next + 1 >= SIZE - 1 ? 2 : next + 1; // the upper band, then the lower one
                String ip = ip(offset);
                if (!used.contains(ip)) {
                    return ip;
                }
            }
        }
        throw ApiException.invalid(t, name, new ApiException.Cause("FieldValueInvalid", "spec.clusterIPs",
                "Invalid value: []string{}: failed to allocate IP: range is full (" + RANGE + "); delete Services to free some"));
    }

    private void allocateNodePorts(ObjectNode spec) {
        Set<Integer> used = new HashSet<>();
        for (Stored s : store.list(ResourceTypes.SERVICES, null, null, 0, null).items()) {
            for (JsonNode p : s.tree().path("spec").path("ports")) {
                if (p.hasNonNull("nodePort")) {
                    used.add(p.get("nodePort").asInt());
                }
            }
        }
        synchronized (allocation) {
            for (JsonNode p : spec.path("ports")) {
                if (p instanceof ObjectNode o && !o.hasNonNull("nodePort")) {
                    int port = nextNodePort;
                    for (int i = 0; i <= NODE_PORT_MAX - NODE_PORT_MIN && used.contains(port); i++) {
                        port = port >= NODE_PORT_MAX ? NODE_PORT_MIN : port + 1;
                    }
                    nextNodePort = port >= NODE_PORT_MAX ? NODE_PORT_MIN : port + 1;
                    used.add(port);
                    o.put("nodePort", port);
                }
            }
        }
    }

    private Set<String> usedIps() {
        Set<String> used = new HashSet<>();
        for (Stored s : store.list(ResourceTypes.SERVICES, null, null, 0, null).items()) {
            String ip = Json.text(s.tree(), "spec", "clusterIP");
            if (!Json.isBlank(ip)) {
                used.add(ip);
            }
        }
        return used;
    }

    /** The offset of {@code ip} in the range, or -1 when it is not an IPv4 address of the range (network and broadcast excluded). */
    static int offsetInRange(String ip) {
        String[] parts = ip.split("\\.", -1);
        if (parts.length != 4) {
            return -1;
        }
        int v = 0;
        for (String p : parts) {
            int b;
            try {
                b = Integer.parseInt(p);
            } catch (NumberFormatException e) {
                return -1;
            }
            if (b < 0 || b > 255) {
                return -1;
            }
            v = (v << 8) | b;
        }
        int offset = v - BASE;
        return offset >= 1 && offset < SIZE - 1 ? offset : -1;
    }

    static String ip(int offset) {
        int v = BASE + offset;
        return ((v >>> 24) & 255) + "." + ((v >>> 16) & 255) + "." + ((v >>> 8) & 255) + "." + (v & 255);
    }
}
