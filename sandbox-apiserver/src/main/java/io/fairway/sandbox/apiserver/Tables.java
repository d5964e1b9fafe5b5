package io.fairway.sandbox.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/** Server-side printing ({@code Accept: application/json;as=Table;v=v1;g=meta.k8s.io}), the columns kubectl shows. */
final class Tables {
    private Tables() {}

    record Column(String name, String type, String format, int priority, String description) {}

    record Printer(List<Column> columns, Function<ObjectNode, List<Object>> cells) {}

    static Printer printer(ResourceType t) {
        return switch (t.storage() == null ? "" : t.storage()) {
            case "pods" -> new Printer(List.of(
                    col("Name", "name", 0), col("Ready", "", 0), col("Status", "", 0), col("Restarts", "", 0), col("Age", "", 0),
                    col("IP", "", 1), col("Node", "", 1), col("Nominated Node", "", 1), col("Readiness Gates", "", 1)), Tables::pod);
            case "nodes" -> new Printer(List.of(
                    col("Name", "name", 0), col("Status", "", 0), col("Roles", "", 0), col("Age", "", 0), col("Version", "", 0),
                    col("Internal-IP", "", 1), col("External-IP", "", 1), col("OS-Image", "", 1), col("Kernel-Version", "", 1),
                    col("Container-Runtime", "", 1)), Tables::node);
            case "namespaces" -> new Printer(List.of(col("Name", "name", 0), col("Status", "", 0), col("Age", "", 0)),
                    o -> List.of(name(o), text(o, "<none>", "status", "phase"), age(o)));
            case "configmaps" -> new Printer(List.of(col("Name", "name", 0), col("Data", "", 0), col("Age", "", 0)),
                    o -> List.of(name(o), o.path("data").size() + o.path("binaryData").size(), age(o)));
            case "events" -> new Printer(List.of(col("Last Seen", "", 0), col("Type", "", 0), col("Reason", "", 0),
                    col("Object", "", 0), col("Message", "", 0), col("First Seen", "", 1), col("Count", "", 1), col("Name", "name", 1)),
                    Tables::event);
            case "services" -> new Printer(List.of(col("Name", "name", 0), col("Type", "", 0), col("Cluster-IP", "", 0),
                    col("External-IP", "", 0), col("Port(s)", "", 0), col("Age", "", 0), col("Selector", "", 1)), Tables::service);
            case "serviceaccounts" -> new Printer(List.of(col("Name", "name", 0), col("Secrets", "", 0), col("Age", "", 0)),
                    o -> List.of(name(o), o.path("secrets").size(), age(o)));
            case "persistentvolumeclaims" -> new Printer(List.of(col("Name", "name", 0), col("Status", "", 0),
                    col("Volume", "", 0), col("Capacity", "", 0), col("Access Modes", "", 0), col("StorageClass", "", 0),
                    col("VolumeAttributesClass", "", 0), col("Age", "", 0), col("VolumeMode", "", 1)), Tables::claim);
            case "leases" -> new Printer(List.of(col("Name", "name", 0), col("Holder", "", 0), col("Age", "", 0)),
                    o -> List.of(name(o), text(o, "", "spec", "holderIdentity"), age(o)));
            case "priorityclasses" -> new Printer(List.of(col("Name", "name", 0), col("Value", "", 0), col("Global-Default", "", 0),
                    col("Age", "", 0), col("PreemptionPolicy", "", 0)),
                    o -> List.of(name(o), o.path("value").asLong(), o.path("globalDefault").asBoolean(false), age(o),
                            text(o, "PreemptLowerPriority", "preemptionPolicy")));
            default -> new Printer(List.of(col("Name", "name", 0), col("Age", "", 0)), o -> List.of(name(o), age(o)));
        };
    }

    private static Column col(String name, String format, int priority) {
        String type = name.equals("Value") || name.equals("Count") || name.equals("Data") || name.equals("Secrets") ? "integer"
                : name.equals("Global-Default") ? "boolean" : "string";
        return new Column(name, type, format, priority, name.equals("Name")
                ? "Name must be unique within a namespace. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names"
                : name);
    }

    /** A Table of {@code objects}; {@code includeObject} is None, Metadata (default) or Object. */
    static ObjectNode table(ResourceType t, List<ObjectNode> objects, long rv, String continueToken, String includeObject,
                            boolean withColumns) {
        Printer p = printer(t);
        ObjectNode table = Json.object();
        table.put("kind", "Table");
        table.put("apiVersion", "meta.k8s.io/v1");
        ObjectNode meta = table.putObject("metadata");
        if (rv >= 0) {
            meta.put("resourceVersion", Long.toString(rv));
        }
        if (continueToken != null) {
            meta.put("continue", continueToken);
        }
        ArrayNode cols = table.putArray("columnDefinitions");
        if (withColumns) {
            for (Column c : p.columns()) {
                cols.addObject().put("name", c.name()).put("type", c.type()).put("format", c.format())
                        .put("description", c.description()).put("priority", c.priority());
            }
        }
        ArrayNode rows = table.putArray("rows");
        for (ObjectNode o : objects) {
            ObjectNode row = rows.addObject();
            ArrayNode cells = row.putArray("cells");
            for (Object v : p.cells().apply(o)) {
                cells.addPOJO(v);
            }
            switch (includeObject == null ? "Metadata" : includeObject) {
                case "None" -> { }
                case "Object" -> row.set("object", o);
                default -> {
                    ObjectNode partial = row.putObject("object");
                    partial.put("kind", "PartialObjectMetadata");
                    partial.put("apiVersion", "meta.k8s.io/v1");
                    partial.set("metadata", o.get("metadata"));
                }
            }
        }
        return table;
    }

    private static String name(ObjectNode o) {
        return text(o, "", "metadata", "name");
    }

    private static String text(ObjectNode o, String dflt, String... path) {
        String v = Json.text(o, path);
        return Json.isBlank(v) ? dflt : v;
    }

    private static String age(ObjectNode o) {
        return since(Json.text(o, "metadata", "creationTimestamp"));
    }

    static String since(String timestamp) {
        if (Json.isBlank(timestamp)) {
            return "<unknown>";
        }
        try {
            return humanDuration(Duration.between(Instant.parse(timestamp), Instant.now()));
        } catch (RuntimeException e) {
            return "<unknown>";
        }
    }

    /** k8s.io/apimachinery/pkg/util/duration.HumanDuration. */
    static String humanDuration(Duration d) {
        long seconds = d.getSeconds();
        if (seconds < -1) {
            return "<invalid>";
        } else if (seconds < 0) {
            return "0s";
        } else if (seconds < 120) {
            return seconds + "s";
        }
        long minutes = seconds / 60;
        if (minutes < 10) {
            long s = seconds % 60;
            return s == 0 ? minutes + "m" : minutes + "m" + s + "s";
        } else if (minutes < 180) {
            return minutes + "m";
        }
        long hours = minutes / 60;
        if (hours < 8) {
            long m = minutes % 60;
            return m == 0 ? hours + "h" : hours + "h" + m + "m";
        } else if (hours < 48) {
            return hours + "h";
        } else if (hours < 24 * 8) {
            long h = hours % 24;
            return h == 0 ? hours / 24 + "d" : hours / 24 + "d" + h + "h";
        } else if (hours < 24 * 365 * 2) {
            return hours / 24 + "d";
        } else if (hours < 24 * 365 * 8) {
            long dy = (hours / 24) % 365;
            return dy == 0 ? hours / 24 / 365 + "y" : hours / 24 / 365 + "y" + dy + "d";
        }
        return hours / 24 / 365 + "y";
    }

    private static List<Object> pod(ObjectNode o) {
        JsonNode status = o.path("status");
        int total = o.path("spec").path("containers").size();
        int ready = 0;
        long restarts = 0;
        String reason = text(o, "", "status", "reason");
        if (reason.isEmpty()) {
            reason = text(o, "Unknown", "status", "phase");
        }
        for (JsonNode cs : status.path("containerStatuses")) {
            restarts += cs.path("restartCount").asLong();
            JsonNode state = cs.path("state");
            if (!state.path("waiting").path("reason").asText().isEmpty()) {
                reason = state.path("waiting").path("reason").asText();
            } else if (!state.path("terminated").path("reason").asText().isEmpty()) {
                reason = state.path("terminated").path("reason").asText();
            } else if (state.has("terminated")) {
                int code = state.path("terminated").path("exitCode").asInt();
                int signal = state.path("terminated").path("signal").asInt();
                reason = signal != 0 ? "Signal:" + signal : "ExitCode:" + code;
            } else if (cs.path("ready").asBoolean(false) && state.has("running")) {
                ready++;
            }
        }
        if (o.path("metadata").hasNonNull("deletionTimestamp")) {
            reason = "NodeLost".equals(text(o, "", "status", "reason")) ? "Unknown" : "Terminating";
        }
        List<Object> cells = new ArrayList<>();
        cells.add(name(o));
        cells.add(ready + "/" + total);
        cells.add(reason);
        cells.add(Long.toString(restarts));
        cells.add(age(o));
        cells.add(text(o, "<none>", "status", "podIP"));
        cells.add(text(o, "<none>", "spec", "nodeName"));
        cells.add(text(o, "<none>", "status", "nominatedNodeName"));
        JsonNode gates = o.path("spec").path("readinessGates");
        cells.add(gates.isEmpty() ? "<none>" : "0/" + gates.size());
        return cells;
    }

    private static List<Object> node(ObjectNode o) {
        String ready = "Unknown";
        for (JsonNode c : o.path("status").path("conditions")) {
            if ("Ready".equals(c.path("type").asText())) {
                ready = "True".equals(c.path("status").asText()) ? "Ready" : "NotReady";
            }
        }
        if (o.path("spec").path("unschedulable").asBoolean(false)) {
            ready += ",SchedulingDisabled";
        }
        List<String> roles = new ArrayList<>();
        for (Iterator<String> it = o.path("metadata").path("labels").fieldNames(); it.hasNext(); ) {
            String l = it.next();
            if (l.startsWith("node-role.kubernetes.io/")) {
                roles.add(l.substring("node-role.kubernetes.io/".length()));
            } else if (l.equals("kubernetes.io/role")) {
                roles.add(o.path("metadata").path("labels").path(l).asText());
            }
        }
        String internal = "<none>";
        String external = "<none>";
        for (JsonNode a : o.path("status").path("addresses")) {
            if ("InternalIP".equals(a.path("type").asText())) {
                internal = a.path("address").asText();
            } else if ("ExternalIP".equals(a.path("type").asText())) {
                external = a.path("address").asText();
            }
        }
        JsonNode info = o.path("status").path("nodeInfo");
        List<Object> cells = new ArrayList<>();
        cells.add(name(o));
        cells.add(ready);
        cells.add(roles.isEmpty() ? "<none>" : String.join(",", roles));
        cells.add(age(o));
        cells.add(info.path("kubeletVersion").asText(""));
        cells.add(internal);
        cells.add(external);
        cells.add(info.path("osImage").asText("<unknown>"));
        cells.add(info.path("kernelVersion").asText("<unknown>"));
        cells.add(info.path("containerRuntimeVersion").asText("<unknown>"));
        return cells;
    }

    private static List<Object> event(ObjectNode o) {
        String last = Json.text(o, "lastTimestamp");
        if (Json.isBlank(last)) {
            last = Json.text(o, "eventTime");
        }
        String first = Json.text(o, "firstTimestamp");
        if (Json.isBlank(first)) {
            first = Json.text(o, "eventTime");
        }
        JsonNode io = o.path("involvedObject");
        List<Object> cells = new ArrayList<>();
        cells.add(Json.isBlank(last) ? age(o) : since(last));
        cells.add(text(o, "", "type"));
        cells.add(text(o, "", "reason"));
        cells.add(io.path("kind").asText("").toLowerCase(Locale.ROOT) + "/" + io.path("name").asText(""));
        cells.add(text(o, "", "message").trim());
        cells.add(Json.isBlank(first) ? age(o) : since(first));
        cells.add(o.path("count").asLong(1));
        cells.add(name(o));
        return cells;
    }

    private static List<Object> service(ObjectNode o) {
        JsonNode spec = o.path("spec");
        String type = spec.path("type").asText("ClusterIP");
        List<String> external = new ArrayList<>();
        spec.path("externalIPs").forEach(ip -> external.add(ip.asText()));
        o.path("status").path("loadBalancer").path("ingress").forEach(i -> external.add(i.path("ip").asText(i.path("hostname").asText())));
        String ext = !external.isEmpty() ? String.join(",", external)
                : type.equals("ExternalName") ? spec.path("externalName").asText("<none>")
                : type.equals("LoadBalancer") ? "<pending>" : "<none>";
        List<String> ports = new ArrayList<>();
        for (JsonNode p : spec.path("ports")) {
            String port = p.path("port").asText() + (p.hasNonNull("nodePort") ? ":" + p.path("nodePort").asText() : "")
                    + "/" + p.path("protocol").asText("TCP");
            ports.add(port);
        }
        List<String> selector = new ArrayList<>();
        for (Iterator<String> it = spec.path("selector").fieldNames(); it.hasNext(); ) {
            String k = it.next();
            selector.add(k + "=" + spec.path("selector").path(k).asText());
        }
        Collections.sort(selector);
        List<Object> cells = new ArrayList<>();
        cells.add(name(o));
        cells.add(type);
        cells.add(spec.path("clusterIP").asText("<none>"));
        cells.add(ext);
        cells.add(ports.isEmpty() ? "<none>" : String.join(",", ports));
        cells.add(age(o));
        cells.add(selector.isEmpty() ? "<none>" : String.join(",", selector));
        return cells;
    }

    private static List<Object> claim(ObjectNode o) {
        JsonNode spec = o.path("spec");
        List<String> modes = new ArrayList<>();
        for (JsonNode m : o.path("status").path("accessModes")) {
            modes.add(switch (m.asText()) {
                case "ReadWriteOnce" -> "RWO";
                case "ReadOnlyMany" -> "ROX";
                case "ReadWriteMany" -> "RWX";
                case "ReadWriteOncePod" -> "RWOP";
                default -> m.asText();
            });
        }
        List<Object> cells = new ArrayList<>();
        cells.add(name(o));
        cells.add(o.path("metadata").hasNonNull("deletionTimestamp") ? "Terminating" : text(o, "Pending", "status", "phase"));
        cells.add(spec.path("volumeName").asText(""));
        cells.add(o.path("status").path("capacity").path("storage").asText(""));
        cells.add(String.join(",", modes));
        cells.add(spec.path("storageClassName").asText("<unset>"));
        cells.add(spec.path("volumeAttributesClassName").asText("<unset>"));
        cells.add(age(o));
        cells.add(spec.path("volumeMode").asText(""));
        return cells;
    }
}
