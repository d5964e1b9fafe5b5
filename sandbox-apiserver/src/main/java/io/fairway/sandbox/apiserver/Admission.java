package io.fairway.sandbox.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What kube-apiserver does to an object before storing it: system metadata, defaults, the validation clients
 * rely on, the priority admission plugin, and the update rules (status only through /status, spec.nodeName
 * only through pods/binding, immutable priority class values).
 */
final class Admission {
    private static final Pattern SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    static final String NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

    private final Store store;
    private final Services services;

    Admission(Store store) {
        this.store = store;
        this.services = new Services(store);
    }

    // ---- create ---------------------------------------------------------------------------------------------

    /** Validates and defaults a new object for namespace {@code ns} (ignored for cluster-scoped types). */
    ObjectNode prepareCreate(ResourceType t, String ns, ObjectNode obj) {
        checkKind(t, obj);
        ObjectNode meta = Json.metadata(obj);
        String name = Json.text(meta, "name");
        String generateName = Json.text(meta, "generateName");
        if (Json.isBlank(name) && Json.isBlank(generateName)) {
            throw ApiException.invalid(t, "", new ApiException.Cause("FieldValueRequired", "metadata.name",
                    "Required value: name or generateName is required"));
        }
        if (!Json.isBlank(name)) {
            validateName(t, name);
        }
        if (t.namespaced()) {
            String bodyNs = Json.text(meta, "namespace");
            if (!Json.isBlank(bodyNs) && !bodyNs.equals(ns)) {
                throw ApiException.badRequest("the namespace of the provided object does not match the namespace sent on the request");
            }
            meta.put("namespace", ns);
        } else {
            meta.remove("namespace");
        }
        meta.remove(List.of("resourceVersion", "selfLink", "deletionTimestamp", "deletionGracePeriodSeconds", "managedFields"));
        meta.put("uid", Json.uid());
        meta.put("creationTimestamp", Json.now());
        switch (t.storage()) {
            case "pods" -> createPod(t, obj, name == null ? generateName : name);
            case "namespaces" -> {
                Json.child(meta, "labels").put(NAMESPACE_NAME_LABEL, name);
                ObjectNode spec = Json.child(obj, "spec");
                if (!spec.has("finalizers")) {
                    spec.putArray("finalizers").add("kubernetes");
                }
                obj.putObject("status").put("phase", "Active");
            }
            case "services" -> services.create(t, name == null ? generateName : name, obj);
            case "persistentvolumeclaims" -> PersistentVolumeClaims.create(t, name == null ? generateName : name, obj);
            case "priorityclasses" -> {
                if (!obj.hasNonNull("value")) {
                    throw ApiException.invalid(t, name, new ApiException.Cause("FieldValueRequired", "value", "Required value"));
                }
                if (!obj.has("preemptionPolicy")) {
                    obj.put("preemptionPolicy", "PreemptLowerPriority");
                }
            }
            default -> { }
        }
        return ordered(obj);
    }

    private static void checkKind(ResourceType t, ObjectNode obj) {
        String kind = Json.text(obj, "kind");
        if (!Json.isBlank(kind) && !kind.equals(t.kind())) {
            throw ApiException.badRequest("the kind in the data (" + kind + ") does not match the expected kind (" + t.kind() + ")");
        }
        String apiVersion = Json.text(obj, "apiVersion");
        if (!Json.isBlank(apiVersion) && !apiVersion.equals(t.apiVersion())) {
            throw ApiException.badRequest("the API version in the data (" + apiVersion + ") does not match the expected API version ("
                    + t.apiVersion() + ")");
        }
        obj.put("kind", t.kind());
        obj.put("apiVersion", t.apiVersion());
    }

    private static void validateName(ResourceType t, String name) {
        boolean label = t.storage().equals("namespaces");
        boolean ok = label ? name.length() <= 63 && LABEL.matcher(name).matches() : name.length() <= 253 && SUBDOMAIN.matcher(name).matches();
        if (!ok) {
            String rule = label
                    ? "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an "
                    + "alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
                    : "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and "
                    + "end with an alphanumeric character (e.g. 'example.com', regex used for validation is "
                    + "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
            throw ApiException.invalid(t, name, new ApiException.Cause("FieldValueInvalid", "metadata.name",
                    "Invalid value: \"" + name + "\": " + rule));
        }
    }

    /** What kube-apiserver fills in on a pod's spec, on create and (to compare like with like) on update. */
    private static void defaultPodSpec(ObjectNode spec) {
        if (spec.get("containers") instanceof ArrayNode containers) {
            for (JsonNode c : containers) {
                if (c instanceof ObjectNode o) {
                    defaultContainer(o);
                }
            }
        }
        if (spec.get("initContainers") instanceof ArrayNode init) {
            for (JsonNode c : init) {
                if (c instanceof ObjectNode o) {
                    defaultContainer(o);
                }
            }
        }
        putIfAbsent(spec, "restartPolicy", "Always");
        putIfAbsent(spec, "dnsPolicy", "ClusterFirst");
        putIfAbsent(spec, "schedulerName", "default-scheduler");
        if (!spec.has("terminationGracePeriodSeconds")) {
            spec.put("terminationGracePeriodSeconds", 30);
        }
        if (!spec.has("enableServiceLinks")) {
            spec.put("enableServiceLinks", true);
        }
        if (!spec.has("securityContext")) {
            spec.putObject("securityContext");
        }
        // the ServiceAccount and DefaultTolerationSeconds admission plugins, on in every real cluster
        putIfAbsent(spec, "serviceAccountName", "default");
        putIfAbsent(spec, "serviceAccount", Json.text(spec, "serviceAccountName"));
        defaultToleration(spec, "node.kubernetes.io/not-ready");
        defaultToleration(spec, "node.kubernetes.io/unreachable");
    }

    /**
     * Whether an update changes a pod's spec beyond what kube-apiserver lets change: container images, active
     * deadline, termination grace, scheduling gates, and tolerations (only added to).
     */
    private static boolean changesImmutableSpec(JsonNode oldSpec, ObjectNode newSpec) {
        ObjectNode a = oldSpec instanceof ObjectNode o ? o.deepCopy() : Json.object();
        ObjectNode b = newSpec.deepCopy();
        JsonNode oldTolerations = a.path("tolerations");
        List<JsonNode> added = new ArrayList<>();
        b.path("tolerations").forEach(added::add);
        for (JsonNode t : oldTolerations) {
            if (!added.contains(t)) {
                return true;
            }
        }
        for (ObjectNode spec : List.of(a, b)) {
            spec.remove(List.of("tolerations", "activeDeadlineSeconds", "terminationGracePeriodSeconds",
                    "schedulingGates"));
            for (String list : new String[] {"containers", "initContainers"}) {
                spec.path(list).forEach(c -> {
                    if (c instanceof ObjectNode o) {
                        o.remove("image");
                    }
                });
            }
        }
        return !a.equals(b);
    }

    /** A NoExecute toleration of {@code key} for 300 s, unless the pod tolerates that taint already. */
    private static void defaultToleration(ObjectNode spec, String key) {
        ArrayNode tolerations = spec.get("tolerations") instanceof ArrayNode a ? a : spec.putArray("tolerations");
        for (JsonNode t : tolerations) {
            String k = Json.text(t, "key");
            String effect = Json.text(t, "effect");
            boolean anyKey = Json.isBlank(k) && "Exists".equals(Json.text(t, "operator"));
            if ((anyKey || key.equals(k)) && (Json.isBlank(effect) || "NoExecute".equals(effect))) {
                return;
            }
        }
        tolerations.addObject().put("key", key).put("operator", "Exists").put("effect", "NoExecute")
                .put("tolerationSeconds", 300);
    }

    private void createPod(ResourceType t, ObjectNode pod, String name) {
        ObjectNode spec = Json.child(pod, "spec");
        JsonNode containers = spec.get("containers");
        if (!(containers instanceof ArrayNode list) || list.isEmpty()) {
            throw ApiException.invalid(t, name, new ApiException.Cause("FieldValueRequired", "spec.containers", "Required value"));
        }
        for (int i = 0; i < list.size(); i++) {
            if (!(list.get(i) instanceof ObjectNode c)) {
                throw ApiException.invalid(t, name, new ApiException.Cause("FieldValueInvalid", "spec.containers[" + i + "]", "Invalid value"));
            }
            if (Json.isBlank(Json.text(c, "name"))) {
                throw ApiException.invalid(t, name, new ApiException.Cause("FieldValueRequired", "spec.containers[" + i + "].name", "Required value"));
            }
            if (Json.isBlank(Json.text(c, "image"))) {
                throw ApiException.invalid(t, name, new ApiException.Cause("FieldValueRequired", "spec.containers[" + i + "].image", "Required value"));
            }
        }
        defaultPodSpec(spec);
        admitPriority(t, name, spec);
        Json.metadata(pod).put("generation", 1);
        ObjectNode status = Json.object();
        status.put("phase", "Pending");
        status.put("qosClass", qosClass(spec));
        pod.set("status", status);
    }

    private static void defaultContainer(ObjectNode c) {
        if (!c.has("imagePullPolicy")) {
            String image = Json.text(c, "image");
            String tagPart = image.substring(image.lastIndexOf('/') + 1);
            boolean latest = !tagPart.contains(":") || tagPart.endsWith(":latest");
            c.put("imagePullPolicy", image.contains("@") ? "IfNotPresent" : latest ? "Always" : "IfNotPresent");
        }
        putIfAbsent(c, "terminationMessagePath", "/dev/termination-log");
        putIfAbsent(c, "terminationMessagePolicy", "File");
        if (!c.has("resources")) {
            c.putObject("resources");
        }
    }

    private static void putIfAbsent(ObjectNode o, String field, String value) {
        if (Json.isBlank(Json.text(o, field))) {
            o.put(field, value);
        }
    }

    private record PriorityClassInfo(String name, long value, String preemptionPolicy, boolean globalDefault) {}

    private record PriorityClasses(long version, Map<String, PriorityClassInfo> byName, PriorityClassInfo globalDefault) {}

    private volatile PriorityClasses priorityClasses = new PriorityClasses(-1, Map.of(), null);

    private PriorityClasses priorityClasses() {
        PriorityClasses cached = priorityClasses;
        long version = store.priorityClassWrites();
        if (cached.version() == version) {
            return cached;
        }
        Map<String, PriorityClassInfo> byName = new HashMap<>();
        PriorityClassInfo dflt = null;
        for (Stored pc : store.list(ResourceTypes.PRIORITY_CLASSES, null, null, 0, null).items()) {
            ObjectNode tree = pc.tree();
            PriorityClassInfo info = new PriorityClassInfo(pc.name, tree.path("value").asLong(),
                    tree.path("preemptionPolicy").asText("PreemptLowerPriority"), tree.path("globalDefault").asBoolean(false));
            byName.put(pc.name, info);
            if (info.globalDefault()) {
                dflt = info;
            }
        }
        PriorityClasses fresh = new PriorityClasses(version, byName, dflt);
        priorityClasses = fresh;
        return fresh;
    }

    /** The Priority admission plugin: priority from the named (or the global default) PriorityClass. */
    private void admitPriority(ResourceType t, String name, ObjectNode spec) {
        String className = Json.text(spec, "priorityClassName");
        PriorityClasses classes = priorityClasses();
        PriorityClassInfo info;
        if (!Json.isBlank(className)) {
            info = classes.byName().get(className);
            if (info == null) {
                throw ApiException.forbidden(t, name, "no PriorityClass with name " + className + " was found");
            }
        } else {
            info = classes.globalDefault();
            if (info != null) {
                spec.put("priorityClassName", info.name());
            }
        }
        long value = info == null ? 0 : info.value();
        String preemption = info == null ? "PreemptLowerPriority" : info.preemptionPolicy();
        JsonNode given = spec.get("priority");
        if (given != null && !given.isNull() && given.asLong() != value) {
            throw ApiException.forbidden(t, name, "the integer value of priority (" + given.asLong() + ") must not be provided in pod spec; "
                    + "priority admission controller computed " + value + " from the given PriorityClass name");
        }
        spec.put("priority", value);
        if (!spec.has("preemptionPolicy")) {
            spec.put("preemptionPolicy", preemption);
        }
    }

    /** Guaranteed, Burstable or BestEffort, from the containers' requests and limits (as the kubelet's qos package). */
    static String qosClass(ObjectNode spec) {
        boolean any = false;
        boolean guaranteed = true;
        for (String listName : new String[] {"containers", "initContainers"}) {
            JsonNode list = spec.get(listName);
            if (list == null) {
                continue;
            }
            for (JsonNode c : list) {
                JsonNode requests = Json.at(c, "resources", "requests");
                JsonNode limits = Json.at(c, "resources", "limits");
                for (String r : new String[] {"cpu", "memory"}) {
                    String req = requests == null ? null : Json.text(requests, r);
                    String lim = limits == null ? null : Json.text(limits, r);
                    if (req != null || lim != null) {
                        any = true;
                    }
                    if (lim == null || (req != null && quantity(req).compareTo(quantity(lim)) != 0)) {
                        guaranteed = false;
                    }
                }
            }
        }
        if (!any) {
            return "BestEffort";
        }
        return guaranteed ? "Guaranteed" : "Burstable";
    }

    static BigDecimal quantity(String q) {
        String s = q.trim();
        String[][] suffixes = {{"Ki", "1024"}, {"Mi", "1048576"}, {"Gi", "1073741824"}, {"Ti", "1099511627776"},
                {"Pi", "1125899906842624"}, {"Ei", "1152921504606846976"}, {"m", "0.001"}, {"k", "1000"}, {"M", "1000000"},
                {"G", "1000000000"}, {"T", "1000000000000"}, {"P", "1000000000000000"}, {"E", "1000000000000000000"}};
        try {
            for (String[] sfx : suffixes) {
                if (s.endsWith(sfx[0])) {
                    return new BigDecimal(s.substring(0, s.length() - sfx[0].length())).multiply(new BigDecimal(sfx[1]));
                }
            }
            return new BigDecimal(s);
        } catch (NumberFormatException e) {
            return BigDecimal.ZERO;
        }
    }

    // ---- update ---------------------------------------------------------------------------------------------

    /**
     * Prepares the new version of {@code old} for storing. {@code subresource} is null for the main resource
     * ("status" keeps everything but the status and metadata labels/annotations).
     */
    ObjectNode prepareUpdate(ResourceType t, Stored cur, ObjectNode old, ObjectNode next, String subresource) {
        checkKind(t, next);
        ObjectNode meta = Json.metadata(next);
        ObjectNode oldMeta = Json.metadata(old);
        String name = Json.text(meta, "name");
        if (name != null && !name.equals(cur.name)) {
            throw ApiException.badRequest("the name of the object (" + name + ") does not match the name on the URL (" + cur.name + ")");
        }
        meta.put("name", cur.name);
        if (t.namespaced()) {
            String ns = Json.text(meta, "namespace");
            if (!Json.isBlank(ns) && !ns.equals(cur.namespace)) {
                throw ApiException.badRequest("the namespace of the provided object does not match the namespace sent on the request");
            }
            meta.put("namespace", cur.namespace);
        } else {
            meta.remove("namespace");
        }
        String uid = Json.text(meta, "uid");
        if (!Json.isBlank(uid) && !uid.equals(cur.uid)) {
            throw ApiException.conflict(t, cur.name, "Precondition failed: UID in precondition: " + uid + ", UID in object meta: " + cur.uid);
        }
        for (String f : new String[] {"uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation"}) {
            copyField(oldMeta, meta, f);
        }
        meta.remove(List.of("selfLink", "managedFields"));
        if ("status".equals(subresource)) {
            copyField(old, next, "spec");
            copyField(oldMeta, meta, "ownerReferences");
            copyField(oldMeta, meta, "finalizers");
        } else if (t.hasStatus()) {
            copyField(old, next, "status");
        }
        switch (t.storage()) {
            case "pods" -> {
                if (subresource == null) {
                    String before = Json.text(old, "spec", "nodeName");
                    String after = Json.text(next, "spec", "nodeName");
                    ObjectNode nextSpec = Json.child(next, "spec");
                    defaultPodSpec(nextSpec);
                    for (String f : new String[] {"priority", "priorityClassName", "preemptionPolicy"}) {
                        if (!nextSpec.has(f) && old.path("spec").has(f)) {
                            nextSpec.set(f, old.path("spec").get(f).deepCopy());
                        }
                    }
                    if (!Objects.equals(blankToNull(before), blankToNull(after))
                            || changesImmutableSpec(old.get("spec"), nextSpec)) {
                        throw ApiException.invalid(t, cur.name, new ApiException.Cause("FieldValueForbidden", "spec",
                                "Forbidden: pod updates may not change fields other than `spec.containers[*].image`,"
                                        + "`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to "
                                        + "existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was "
                                        + "previously negative); spec.nodeName is set only by pods/binding"));
                    }
                    if (!Objects.equals(old.get("spec"), next.get("spec"))) {
                        meta.put("generation", oldMeta.path("generation").asLong(1) + 1);
                    }
                }
            }
            case "namespaces" -> Json.child(meta, "labels").put(NAMESPACE_NAME_LABEL, cur.name);
            case "services" -> services.update(t, cur.name, old, next);
            case "persistentvolumeclaims" -> PersistentVolumeClaims.update(t, cur.name, old, next);
            case "priorityclasses" -> {
                if (!Objects.equals(old.get("value"), next.get("value"))) {
                    throw ApiException.invalid(t, cur.name, new ApiException.Cause("FieldValueForbidden", "value",
                            "Forbidden: may not be changed in an update."));
                }
            }
            default -> { }
        }
        return ordered(next);
    }

    private static String blankToNull(String s) {
        return Json.isBlank(s) ? null : s;
    }

    private static void copyField(ObjectNode from, ObjectNode to, String field) {
        JsonNode v = from.get(field);
        if (v == null) {
            to.remove(field);
        } else {
            to.set(field, v); // shared: the old version is never modified after this
        }
    }

    /** kind, apiVersion, metadata first, as the API server writes objects. */
    static ObjectNode ordered(ObjectNode obj) {
        ObjectNode out = Json.object();
        for (String f : new String[] {"kind", "apiVersion", "metadata"}) {
            if (obj.has(f)) {
                out.set(f, obj.get(f));
            }
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = obj.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!out.has(e.getKey())) {
                out.set(e.getKey(), e.getValue());
            }
        }
        return out;
    }
}
