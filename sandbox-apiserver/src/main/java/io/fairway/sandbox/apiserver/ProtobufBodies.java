package io.fairway.sandbox.apiserver;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;

/**
 * The protobuf request bodies kubectl sends for built-in kinds ({@code kubectl create
 * namespace|configmap|secret|serviceaccount|service}, and DeleteOptions), read into the JSON this server stores: the {@code k8s\0} envelope, then the fields of
 * Kubernetes' generated.proto for those kinds. Any other kind is refused with 415, naming what this server reads.
 */
final class ProtobufBodies {
    static final String MEDIA_TYPE = "application/vnd.kubernetes.protobuf";
    private static final byte[] MAGIC = {'k', '8', 's', 0};
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private ProtobufBodies() {
    }

    /** The body as JSON bytes, or 415 when its kind is not one this server can read. */
    static byte[] toJson(byte[] body) {
        if (body.length < MAGIC.length || !Arrays.equals(Arrays.copyOf(body, MAGIC.length), MAGIC)) {
            throw ApiException.badRequest("a protobuf body must start with the k8s envelope (k8s\\0)");
        }
        Wire unknown = new Wire(body, MAGIC.length, body.length);
        String apiVersion = "";
        String kind = "";
        byte[] raw = new byte[0];
        while (unknown.more()) {
            int field = unknown.field();
            if (field == 1) {
                Wire typeMeta = unknown.message();
                while (typeMeta.more()) {
                    switch (typeMeta.field()) {
                        case 1 -> apiVersion = typeMeta.string();
                        case 2 -> kind = typeMeta.string();
                        default -> typeMeta.skip();
                    }
                }
            } else if (field == 2) {
                raw = unknown.bytes();
            } else {
                unknown.skip();
            }
        }
        Wire w = new Wire(raw, 0, raw.length);
        ObjectNode out = switch (kind) {
            case "Namespace" -> namespace(w);
            case "ConfigMap" -> configMap(w);
            case "Secret" -> secret(w);
            case "ServiceAccount" -> serviceAccount(w);
            case "Service" -> service(w);
            case "DeleteOptions" -> deleteOptions(w);
            default -> throw ApiException.unsupportedBody(MEDIA_TYPE + " of kind " + (kind.isEmpty() ? "?" : kind));
        };
        out.put("apiVersion", apiVersion.isEmpty() ? "v1" : apiVersion).put("kind", kind);
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static ObjectNode namespace(Wire w) {
        ObjectNode o = JSON.objectNode();
        while (w.more()) {
            if (w.field() == 1) {
                o.set("metadata", meta(w.message()));
            } else {
                w.skip();
            }
        }
        return o;
    }

    private static ObjectNode configMap(Wire w) {
        ObjectNode o = JSON.objectNode();
        while (w.more()) {
            switch (w.field()) {
                case 1 -> o.set("metadata", meta(w.message()));
                case 2 -> entry(w.message(), o.with("data"), false);
                case 3 -> entry(w.message(), o.with("binaryData"), true);
                case 4 -> o.put("immutable", w.varint() != 0);
                default -> w.skip();
            }
        }
        return o;
    }

    private static ObjectNode secret(Wire w) {
        ObjectNode o = JSON.objectNode();
        while (w.more()) {
            switch (w.field()) {
                case 1 -> o.set("metadata", meta(w.message()));
                case 2 -> entry(w.message(), o.with("data"), true);
                case 3 -> o.put("type", w.string());
                case 4 -> entry(w.message(), o.with("stringData"), false);
                case 5 -> o.put("immutable", w.varint() != 0);
                default -> w.skip();
            }
        }
        return o;
    }

    private static ObjectNode serviceAccount(Wire w) {
        ObjectNode o = JSON.objectNode();
        while (w.more()) {
            switch (w.field()) {
                case 1 -> o.set("metadata", meta(w.message()));
                case 2 -> {
                    Wire r = w.message();
                    ObjectNode ref = o.withArray("secrets").addObject();
                    String[] names = {null, "kind", "namespace", "name", "uid", "apiVersion", "resourceVersion", "fieldPath"};
                    while (r.more()) {
                        int f = r.field();
                        if (f >= 1 && f <= 7) {
                            putString(ref, names[f], r.string());
                        } else {
                            r.skip();
                        }
                    }
                }
                case 3 -> {
                    Wire r = w.message();
                    ObjectNode ref = o.withArray("imagePullSecrets").addObject();
                    while (r.more()) {
                        if (r.field() == 1) {
                            putString(ref, "name", r.string());
                        } else {
                            r.skip();
                        }
                    }
                }
                case 4 -> o.put("automountServiceAccountToken", w.varint() != 0);
                default -> w.skip();
            }
        }
        return o;
    }

    /** Service: metadata and the spec fields a client sets (kubectl create service); the status is the server's. */
    private static ObjectNode service(Wire w) {
        ObjectNode o = JSON.objectNode();
        while (w.more()) {
            switch (w.field()) {
                case 1 -> o.set("metadata", meta(w.message()));
                case 2 -> o.set("spec", serviceSpec(w.message()));
                default -> w.skip();
            }
        }
        return o;
    }

    private static ObjectNode serviceSpec(Wire w) {
        ObjectNode spec = JSON.objectNode();
        while (w.more()) {
            switch (w.field()) {
                case 1 -> spec.withArray("ports").add(servicePort(w.message()));
                case 2 -> entry(w.message(), spec.with("selector"), false);
                case 3 -> putString(spec, "clusterIP", w.string());
                case 18 -> spec.withArray("clusterIPs").add(w.string());
                case 4 -> putString(spec, "type", w.string());
                case 5 -> spec.withArray("externalIPs").add(w.string());
                case 7 -> putString(spec, "sessionAffinity", w.string());
                case 8 -> putString(spec, "loadBalancerIP", w.string());
                case 10 -> putString(spec, "externalName", w.string());
                case 11 -> putString(spec, "externalTrafficPolicy", w.string());
                case 13 -> {
                    if (w.varint() != 0) {
                        spec.put("publishNotReadyAddresses", true);
                    }
                }
                case 19 -> spec.withArray("ipFamilies").add(w.string());
                case 17 -> putString(spec, "ipFamilyPolicy", w.string());
                case 21 -> putString(spec, "loadBalancerClass", w.string());
                case 22 -> putString(spec, "internalTrafficPolicy", w.string());
                default -> w.skip();
            }
        }
        return spec;
    }

    private static ObjectNode servicePort(Wire w) {
        ObjectNode p = JSON.objectNode();
        while (w.more()) {
            switch (w.field()) {
                case 1 -> putString(p, "name", w.string());
                case 2 -> putString(p, "protocol", w.string());
                case 6 -> putString(p, "appProtocol", w.string());
                case 3 -> p.put("port", (int) w.varint());
                case 4 -> {
                    Wire ios = w.message();
                    long type = 0;
                    int intVal = 0;
                    String strVal = "";
                    while (ios.more()) {
                        switch (ios.field()) {
                            case 1 -> type = ios.varint();
                            case 2 -> intVal = (int) ios.varint();
                            case 3 -> strVal = ios.string();
                            default -> ios.skip();
                        }
                    }
                    if (type == 1) {
                        putString(p, "targetPort", strVal);
                    } else if (intVal != 0) {
                        p.put("targetPort", intVal);
                    }
                }
                case 5 -> {
                    int nodePort = (int) w.varint();
                    if (nodePort != 0) {
                        p.put("nodePort", nodePort);
                    }
                }
                default -> w.skip();
            }
        }
        return p;
    }

    /** A string field as JSON carries it: Go writes empty strings in protobuf, JSON omits them. */
    private static void putString(ObjectNode o, String field, String value) {
        if (!value.isEmpty()) {
            o.put(field, value);
        }
    }

    private static ObjectNode deleteOptions(Wire w) {
        ObjectNode o = JSON.objectNode();
        while (w.more()) {
            switch (w.field()) {
                case 1 -> o.put("gracePeriodSeconds", w.varint());
                case 2 -> {
                    Wire p = w.message();
                    ObjectNode pre = o.with("preconditions");
                    while (p.more()) {
                        switch (p.field()) {
                            case 1 -> pre.put("uid", p.string());
                            case 2 -> pre.put("resourceVersion", p.string());
                            default -> p.skip();
                        }
                    }
                }
                case 3 -> o.put("orphanDependents", w.varint() != 0);
                case 4 -> o.put("propagationPolicy", w.string());
                case 5 -> o.withArray("dryRun").add(w.string());
                default -> w.skip();
            }
        }
        return o;
    }

    /** ObjectMeta: what a create can set (name, generateName, namespace, labels, annotations). */
    private static ObjectNode meta(Wire w) {
        ObjectNode m = JSON.objectNode();
        while (w.more()) {
            switch (w.field()) {
                case 1 -> m.put("name", w.string());
                case 2 -> m.put("generateName", w.string());
                case 3 -> m.put("namespace", w.string());
                case 11 -> entry(w.message(), m.with("labels"), false);
                case 12 -> entry(w.message(), m.with("annotations"), false);
                default -> w.skip();
            }
        }
        return m;
    }

    /** One map entry (key 1, value 2) into {@code into}; bytes values as base64, as JSON carries them. */
    private static void entry(Wire w, ObjectNode into, boolean bytes) {
        String key = "";
        byte[] value = new byte[0];
        while (w.more()) {
            switch (w.field()) {
                case 1 -> key = w.string();
                case 2 -> value = w.bytes();
                default -> w.skip();
            }
        }
        into.put(key, bytes ? Base64.getEncoder().encodeToString(value) : new String(value, StandardCharsets.UTF_8));
    }

    /** The protobuf wire format over a slice of bytes: varints and length-delimited fields. */
    static final class Wire {
        private final byte[] b;
        private int pos;
        private final int end;
        private int type;

        Wire(byte[] b, int from, int to) {
            this.b = b;
            this.pos = from;
            this.end = to;
        }

        boolean more() {
            return pos < end;
        }

        int field() {
            long key = varint();
            type = (int) (key & 7);
            return (int) (key >>> 3);
        }

        long varint() {
            long v = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                if (pos >= end) {
                    throw ApiException.badRequest("the protobuf body ends inside a number");
                }
                byte x = b[pos++];
                v |= (long) (x & 0x7f) << shift;
                if (x >= 0) {
                    return v;
                }
            }
            throw ApiException.badRequest("the protobuf body has a number longer than 10 bytes");
        }

        byte[] bytes() {
            int n = (int) varint();
            if (n < 0 || pos + n > end) {
                throw ApiException.badRequest("the protobuf body ends inside a field");
            }
            byte[] out = Arrays.copyOfRange(b, pos, pos + n);
            pos += n;
            return out;
        }

        String string() {
            return new String(bytes(), StandardCharsets.UTF_8);
        }

        Wire message() {
            int n = (int) varint();
            if (n < 0 || pos + n > end) {
                throw ApiException.badRequest("the protobuf body ends inside a message");
            }
            Wire w = new Wire(b, pos, pos + n);
            pos += n;
            return w;
        }

        void skip() {
            switch (type) {
                case 0 -> varint();
                case 1 -> pos += 8;
                case 2 -> {
                    // not `pos += varint()`: that would add the length to pos as it was before the length was read
                    int n = (int) varint();
                    pos += n;
                }
                case 5 -> pos += 4;
                default -> throw ApiException.badRequest("the protobuf body has a field of wire type " + type
                        + ", which Kubernetes' messages do not use");
            }
        }
    }
}
