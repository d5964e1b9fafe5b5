package io.fairway.log;

import io.fairway.core.events.Allocated;
import io.fairway.core.events.Event;
import io.fairway.core.events.PodGone;
import io.fairway.core.events.PodObserved;
import io.fairway.core.objects.NodeAffinity;
import io.fairway.core.objects.Pod;
import io.fairway.core.objects.PodPhase;
import io.fairway.core.resources.Resources;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The records a replay is mostly made of (a pod observed, allocated or gone), read straight from their bytes: a
 * parser's set-up, contexts and buffers cost more than the record itself, a million times over.
 *
 * <p>Only the shape {@link EventCodec#encode} writes is read here: the envelope's {@code v} and {@code type} before
 * {@code data}, every field of its usual JSON type, strings of printable ASCII without escapes, whole numbers, no
 * field unknown or doubled, and a pod's rarely set fields (affinity terms, tolerations, hints) empty. Anything else
 * throws {@link PodJson.NotTheUsualShape} and the codec decodes the record the general way, so every record decodes
 * to what the mapper makes of it. Not thread-safe: one per decoding thread.
 */
final class UsualRecords {
    private static final byte[][] ENVELOPE = names("v", "type", "time", "source", "epoch", "data");
    private static final byte[][] POD_OBSERVED = names("time", "pod");
    private static final byte[][] ALLOCATED = names("time", "epoch", "podUid", "nodeName", "queue", "fpga");
    private static final byte[][] POD_GONE = names("time", "uid", "resourceVersion");
    private static final byte[][] POD = names("uid", "namespace", "name", "appId", "queue", "user", "groups",
            "requests", "priority", "nodeSelector", "affinity", "tolerations", "schedulerName", "nodeName", "phase",
            "creationTime", "resourceVersion", "labels");
    private static final byte[][] TERMS = names("terms");
    private static final byte[] TYPE_POD_OBSERVED = ascii("PodObserved");
    private static final byte[] TYPE_ALLOCATED = ascii("Allocated");
    private static final byte[] TYPE_POD_GONE = ascii("PodGone");
    private static final PodPhase[] PHASES = PodPhase.values();
    private static final byte[][] PHASE_NAMES = Arrays.stream(PHASES).map(p -> ascii(p.name())).toArray(byte[][]::new);
    /** The strings most records repeat (empty, the scheduler's name, a phase…), shared instead of made each time. */
    private final String[] recent = new String[256];

    private byte[] b;
    private int pos;
    private int end;

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[][] names(String... names) {
        return Arrays.stream(names).map(UsualRecords::ascii).toArray(byte[][]::new);
    }

    private static PodJson.NotTheUsualShape notUsual() {
        return PodJson.NOT_USUAL;
    }

    /** The event, or null when the record is of another type (the general path decodes it). */
    Event decode(byte[] bytes, int offset, int length) {
        b = bytes;
        pos = offset;
        end = offset + length;
        expect('{');
        long version = -1;
        int type = -1;
        int seen = 0;
        for (int i = 0; ; i++) {
            int f = fieldName(ENVELOPE, i);
            switch (f) {
                case 0 -> version = number();
                case 1 -> type = type();
                case 2, 4 -> number();
                case 3 -> stringBounds();
                case 5 -> {
                    if (version != EventCodec.SCHEMA_VERSION) {
                        throw notUsual();
                    }
                    expect('{');
                    return switch (type) {
                        case 0 -> podObserved();
                        case 1 -> allocated();
                        case 2 -> podGone();
                        default -> null;
                    };
                }
                default -> throw notUsual();
            }
            seen = once(seen, f);
            if (!comma()) {
                // no data
                throw notUsual();
            }
        }
    }

    private int type() {
        int start = stringBounds();
        int len = pos - 1 - start;
        if (Arrays.equals(b, start, start + len, TYPE_POD_OBSERVED, 0, TYPE_POD_OBSERVED.length)) {
            return 0;
        }
        if (Arrays.equals(b, start, start + len, TYPE_ALLOCATED, 0, TYPE_ALLOCATED.length)) {
            return 1;
        }
        if (Arrays.equals(b, start, start + len, TYPE_POD_GONE, 0, TYPE_POD_GONE.length)) {
            return 2;
        }
        return 3;
    }

    private PodObserved podObserved() {
        long time = 0;
        Pod pod = null;
        int seen = 0;
        for (int i = 0; ; i++) {
            int f = fieldName(POD_OBSERVED, i);
            switch (f) {
                case 0 -> time = number();
                case 1 -> pod = pod();
                default -> throw notUsual();
            }
            seen = once(seen, f);
            if (!comma()) {
                break;
            }
        }
        if (seen != 3) {
            throw notUsual();
        }
        return new PodObserved(time, pod);
    }

    private Allocated allocated() {
        long time = 0;
        long epoch = 0;
        String podUid = null;
        String nodeName = null;
        String queue = null;
        String fpga = null;
        int seen = 0;
        for (int i = 0; ; i++) {
            int f = fieldName(ALLOCATED, i);
            switch (f) {
                case 0 -> time = number();
                case 1 -> epoch = number();
                case 2 -> podUid = string();
                case 3 -> nodeName = string();
                case 4 -> queue = string();
                case 5 -> fpga = string();
                default -> throw notUsual();
            }
            seen = once(seen, f);
            if (!comma()) {
                break;
            }
        }
        // fpga may be missing (records written before it): the constructor takes null as none
        if ((seen | 32) != 63) {
            throw notUsual();
        }
        return new Allocated(time, epoch, podUid, nodeName, queue, fpga);
    }

    private PodGone podGone() {
        long time = 0;
        String uid = null;
        String version = null;
        int seen = 0;
        for (int i = 0; ; i++) {
            int f = fieldName(POD_GONE, i);
            switch (f) {
                case 0 -> time = number();
                case 1 -> uid = string();
                case 2 -> version = string();
                default -> throw notUsual();
            }
            seen = once(seen, f);
            if (!comma()) {
                break;
            }
        }
        if (seen != 7) {
            throw notUsual();
        }
        return new PodGone(time, uid, version);
    }

    private Pod pod() {
        expect('{');
        String uid = null;
        String namespace = null;
        String name = null;
        String appId = null;
        String queue = null;
        String user = null;
        List<String> groups = null;
        Resources requests = null;
        long priority = 0;
        Map<String, String> nodeSelector = null;
        String schedulerName = null;
        String nodeName = null;
        PodPhase phase = null;
        long creationTime = 0;
        String resourceVersion = null;
        Map<String, String> labels = null;
        int seen = 0;
        for (int i = 0; ; i++) {
            int f = fieldName(POD, i);
            switch (f) {
                case 0 -> uid = string();
                case 1 -> namespace = shared();
                case 2 -> name = string();
                case 3 -> appId = shared();
                case 4 -> queue = shared();
                case 5 -> user = shared();
                case 6 -> groups = strings();
                case 7 -> requests = resources();
                case 8 -> {
                    priority = number();
                    if (priority != (int) priority) {
                        throw notUsual();
                    }
                }
                case 9 -> nodeSelector = stringMap();
                case 10 -> {
                    // only {"terms":[]}
                    expect('{');
                    if (fieldName(TERMS, 0) != 0) {
                        throw notUsual();
                    }
                    expect('[');
                    expect(']');
                    expect('}');
                }
                case 11 -> {
                    expect('[');
                    expect(']');
                }
                case 12 -> schedulerName = shared();
                case 13 -> nodeName = shared();
                case 14 -> phase = phase();
                case 15 -> creationTime = number();
                case 16 -> resourceVersion = string();
                case 17 -> labels = stringMap();
                default -> throw notUsual();
            }
            seen = once(seen, f);
            if (!comma()) {
                break;
            }
        }
        // labels may be missing (records written before pods carried them): the constructor takes null as none
        if ((seen | (1 << 17)) != (1 << 18) - 1) {
            throw notUsual();
        }
        return new Pod(uid, namespace, name, appId, queue, user, groups, requests, (int) priority, nodeSelector,
                NodeAffinity.NONE, List.of(), schedulerName, nodeName, phase, creationTime, resourceVersion, null,
                labels);
    }

    private PodPhase phase() {
        int start = stringBounds();
        int len = pos - 1 - start;
        for (int i = 0; i < PHASES.length; i++) {
            if (Arrays.equals(b, start, start + len, PHASE_NAMES[i], 0, PHASE_NAMES[i].length)) {
                return PHASES[i];
            }
        }
        throw notUsual();
    }

    private List<String> strings() {
        expect('[');
        if (peek() == ']') {
            pos++;
            return List.of();
        }
        List<String> out = new ArrayList<>(4);
        do {
            out.add(shared());
        } while (comma(']'));
        return out;
    }

    private Map<String, String> stringMap() {
        expect('{');
        if (peek() == '}') {
            pos++;
            return Map.of();
        }
        Map<String, String> out = new TreeMap<>();
        do {
            String k = shared();
            expect(':');
            if (out.put(k, shared()) != null) {
                throw notUsual();
            }
        } while (comma());
        return out;
    }

    private Resources resources() {
        expect('{');
        Resources.Builder r = Resources.builder();
        if (peek() == '}') {
            pos++;
            return r.build();
        }
        do {
            String k = shared();
            expect(':');
            r.set(k, number());
        } while (comma());
        return r.build();
    }

    // ---------------------------------------------------------------- tokens

    private byte peek() {
        if (pos >= end) {
            throw notUsual();
        }
        return b[pos];
    }

    private void expect(char c) {
        if (pos >= end || b[pos] != c) {
            throw notUsual();
        }
        pos++;
    }

    /** After a member: true at a comma (another follows), false at the closing brace, which it consumes. */
    private boolean comma() {
        return comma('}');
    }

    private boolean comma(char close) {
        byte c = peek();
        pos++;
        if (c == ',') {
            return true;
        }
        if (c == close) {
            return false;
        }
        throw notUsual();
    }

    private static int once(int seen, int field) {
        int bit = 1 << field;
        if ((seen & bit) != 0) {
            throw notUsual();
        }
        return seen | bit;
    }

    /**
     * Reads {@code "name":} and returns its index in {@code names}; {@code expected} is tried first (the order the
     * codec writes), -1 for none.
     */
    private int fieldName(byte[][] names, int expected) {
        int start = stringBounds();
        int len = pos - 1 - start;
        expect(':');
        if (expected >= 0 && expected < names.length) {
            byte[] n = names[expected];
            if (n.length == len && Arrays.equals(b, start, start + len, n, 0, len)) {
                return expected;
            }
        }
        for (int i = 0; i < names.length; i++) {
            byte[] n = names[i];
            if (n.length == len && Arrays.equals(b, start, start + len, n, 0, len)) {
                return i;
            }
        }
        return -1;
    }

    /** Skips a string of printable ASCII without escapes; returns where its content starts, pos after its quote. */
    private int stringBounds() {
        expect('"');
        int start = pos;
        for (int i = pos; i < end; i++) {
            byte c = b[i];
            if (c == '"') {
                pos = i + 1;
                return start;
            }
            if (c == '\\' || c < 0x20) {
                // escapes, control characters and non-ASCII (negative bytes) are left to the general path
                throw notUsual();
            }
        }
        throw notUsual();
    }

    private String string() {
        int start = stringBounds();
        return new String(b, start, pos - 1 - start, StandardCharsets.ISO_8859_1);
    }

    /**
     * A string that many records repeat (a namespace, the scheduler's name, a node…): one instance for the same
     * bytes seen last in its slot, so that the state's lookups often compare a string with itself.
     */
    private String shared() {
        int start = stringBounds();
        int len = pos - 1 - start;
        int h = len;
        for (int i = start; i < start + len; i++) {
            h = 31 * h + b[i];
        }
        int slot = (h ^ (h >>> 8) ^ (h >>> 16)) & (recent.length - 1);
        String s = recent[slot];
        if (s != null && s.length() == len) {
            boolean same = true;
            for (int i = 0; i < len; i++) {
                if (s.charAt(i) != b[start + i]) {
                    same = false;
                    break;
                }
            }
            if (same) {
                return s;
            }
        }
        s = new String(b, start, len, StandardCharsets.ISO_8859_1);
        recent[slot] = s;
        return s;
    }

    /** A whole number as JSON writes it (no leading zeros, no fraction or exponent) that fits a long. */
    private long number() {
        int i = pos;
        boolean negative = i < end && b[i] == '-';
        if (negative) {
            i++;
        }
        int digits = i;
        long v = 0;
        while (i < end && b[i] >= '0' && b[i] <= '9') {
            v = v * 10 + (b[i] - '0');
            i++;
        }
        int n = i - digits;
        if (n == 0 || n > 18 || (n > 1 && b[digits] == '0')) {
            throw notUsual();
        }
        if (i < end && (b[i] == '.' || b[i] == 'e' || b[i] == 'E')) {
            throw notUsual();
        }
        pos = i;
        return negative ? -v : v;
    }
}
