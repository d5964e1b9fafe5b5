package io.fairway.sandbox.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/** Label selectors (equality and set-based, as in {@code k8s.io/apimachinery/pkg/labels}) and field selectors. */
final class Selectors {
    private static final ConcurrentHashMap<String, String[]> PATHS = new ConcurrentHashMap<>();

    private Selectors() {}

    enum Op { EXISTS, NOT_EXISTS, EQUALS, NOT_EQUALS, IN, NOT_IN, GT, LT }

    record LabelRequirement(String key, Op op, Set<String> values) {
        boolean matches(JsonNode labels) {
            JsonNode v = labels == null ? null : labels.get(key);
            boolean has = v != null && !v.isNull();
            String value = has ? v.asText() : null;
            return switch (op) {
                case EXISTS -> has;
                case NOT_EXISTS -> !has;
                case EQUALS, IN -> has && values.contains(value);
                case NOT_EQUALS, NOT_IN -> !has || !values.contains(value);
                case GT, LT -> has && compare(value);
            };
        }

        private boolean compare(String value) {
            try {
                long actual = Long.parseLong(value);
                long bound = Long.parseLong(values.iterator().next());
                return op == Op.GT ? actual > bound : actual < bound;
            } catch (NumberFormatException e) {
                return false;
            }
        }
    }

    record FieldRequirement(String field, boolean equals, String value) {
        boolean matches(Stored s) {
            return value.equals(s.field(field)) == equals;
        }
    }

    /** Parses a label selector; null or blank means everything. */
    static List<LabelRequirement> parseLabels(String s) {
        List<LabelRequirement> out = new ArrayList<>();
        if (s == null || s.isBlank()) {
            return out;
        }
        LabelParser p = new LabelParser(s);
        p.parse(out);
        return out;
    }

    static boolean matchesLabels(List<LabelRequirement> reqs, JsonNode labels) {
        for (LabelRequirement r : reqs) {
            if (!r.matches(labels)) {
                return false;
            }
        }
        return true;
    }

    /** Parses a field selector and checks every field is one the type supports (400 otherwise, as the real server). */
    static List<FieldRequirement> parseFields(String s, ResourceType t) {
        List<FieldRequirement> out = new ArrayList<>();
        if (s == null || s.isBlank()) {
            return out;
        }
        for (String term : splitUnescaped(s, ',')) {
            term = term.trim();
            if (term.isEmpty()) {
                continue;
            }
            int i = indexOfOperator(term);
            if (i < 0) {
                throw ApiException.badRequest("invalid selector: '" + s + "'; can't understand '" + term + "'");
            }
            String field = term.substring(0, i).trim();
            boolean eq;
            int valueStart;
            if (term.startsWith("!=", i)) {
                eq = false;
                valueStart = i + 2;
            } else if (term.startsWith("==", i)) {
                eq = true;
                valueStart = i + 2;
            } else {
                eq = true;
                valueStart = i + 1;
            }
            String value = unescape(term.substring(valueStart).trim());
            if (!t.fieldLabels().contains(field) && !(field.equals("metadata.name") || (t.namespaced() && field.equals("metadata.namespace")))) {
                throw ApiException.badRequest("field label not supported: " + field);
            }
            out.add(new FieldRequirement(field, eq, value));
        }
        return out;
    }

    static boolean matchesFields(List<FieldRequirement> reqs, Stored s) {
        for (FieldRequirement r : reqs) {
            if (!r.matches(s)) {
                return false;
            }
        }
        return true;
    }

    /** Both selectors as one predicate on stored objects; null when there is nothing to filter. */
    static Predicate<Stored> predicate(String labelSelector, String fieldSelector, ResourceType t) {
        List<LabelRequirement> labels = parseLabels(labelSelector);
        List<FieldRequirement> fields = parseFields(fieldSelector, t);
        if (labels.isEmpty() && fields.isEmpty()) {
            return null;
        }
        return s -> matchesLabels(labels, s.labels) && matchesFields(fields, s);
    }

    /** The value a field selector compares: the field's text, "" when absent (so {@code spec.nodeName=} finds unbound pods). */
    static String fieldValue(ObjectNode obj, ResourceType t, String field) {
        if (field.equals("source") && t.storage() != null && t.storage().equals("events")) {
            String c = Json.text(obj, "source", "component");
            return c == null ? "" : c;
        }
        String[] path = PATHS.computeIfAbsent(field, f -> f.split("\\."));
        if (field.equals("spec.hostNetwork") || field.equals("spec.unschedulable")) {
            JsonNode n = Json.at(obj, path);
            return n != null && n.asBoolean(false) ? "true" : "false";
        }
        String v = Json.text(obj, path);
        return v == null ? "" : v;
    }

    private static int indexOfOperator(String term) {
        for (int i = 0; i < term.length(); i++) {
            char c = term.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '=' || (c == '!' && i + 1 < term.length() && term.charAt(i + 1) == '=')) {
                return i;
            }
        }
        return -1;
    }

    private static List<String> splitUnescaped(String s, char sep) {
        List<String> parts = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                cur.append(c).append(s.charAt(++i));
            } else if (c == sep) {
                parts.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        parts.add(cur.toString());
        return parts;
    }

    private static String unescape(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                b.append(s.charAt(++i));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    /** A small recursive-descent parser for the label selector grammar. */
    private static final class LabelParser {
        private final String s;
        private int pos;

        LabelParser(String s) {
            this.s = s;
        }

        void parse(List<LabelRequirement> out) {
            while (true) {
                skipSpace();
                if (pos >= s.length()) {
                    return;
                }
                out.add(requirement());
                skipSpace();
                if (pos >= s.length()) {
                    return;
                }
                if (s.charAt(pos) != ',') {
                    throw error("expected ','");
                }
                pos++;
            }
        }

        private LabelRequirement requirement() {
            if (s.charAt(pos) == '!') {
                pos++;
                skipSpace();
                return new LabelRequirement(key(), Op.NOT_EXISTS, Set.of());
            }
            String key = key();
            skipSpace();
            if (pos >= s.length() || s.charAt(pos) == ',') {
                return new LabelRequirement(key, Op.EXISTS, Set.of());
            }
            char c = s.charAt(pos);
            if (c == '=') {
                pos += s.startsWith("==", pos) ? 2 : 1;
                return new LabelRequirement(key, Op.EQUALS, Set.of(value()));
            }
            if (s.startsWith("!=", pos)) {
                pos += 2;
                return new LabelRequirement(key, Op.NOT_EQUALS, Set.of(value()));
            }
            if (c == '>' || c == '<') {
                pos++;
                String v = value();
                try {
                    Long.parseLong(v);
                } catch (NumberFormatException e) {
                    throw error("for 'Gt', 'Lt' operators, the value must be an integer");
                }
                return new LabelRequirement(key, c == '>' ? Op.GT : Op.LT, Set.of(v));
            }
            String word = word();
            Op op = switch (word) {
                case "in" -> Op.IN;
                case "notin" -> Op.NOT_IN;
                default -> throw error("unknown operator '" + word + "'");
            };
            skipSpace();
            if (pos >= s.length() || s.charAt(pos) != '(') {
                throw error("expected '('");
            }
            pos++;
            Set<String> values = new LinkedHashSet<>();
            while (true) {
                skipSpace();
                if (pos < s.length() && s.charAt(pos) == ')') {
                    pos++;
                    break;
                }
                values.add(word());
                skipSpace();
                if (pos < s.length() && s.charAt(pos) == ',') {
                    pos++;
                } else if (pos < s.length() && s.charAt(pos) == ')') {
                    pos++;
                    break;
                } else {
                    throw error("expected ',' or ')'");
                }
            }
            if (values.isEmpty()) {
                throw error("for 'in', 'notin' operators, values set can't be empty");
            }
            return new LabelRequirement(key, op, values);
        }

        private String key() {
            String k = word();
            if (k.isEmpty()) {
                throw error("expected a label key");
            }
            return k;
        }

        private String value() {
            skipSpace();
            return word();
        }

        private String word() {
            int start = pos;
            while (pos < s.length()) {
                char c = s.charAt(pos);
                if (Character.isWhitespace(c) || c == ',' || c == '(' || c == ')' || c == '=' || c == '!' || c == '<' || c == '>') {
                    break;
                }
                pos++;
            }
            return s.substring(start, pos);
        }

        private void skipSpace() {
            while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
                pos++;
            }
        }

        private ApiException error(String why) {
            return ApiException.badRequest("unable to parse requirement: found '" + s + "', " + why);
        }
    }
}
