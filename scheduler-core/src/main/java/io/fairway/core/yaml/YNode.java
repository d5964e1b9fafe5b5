package io.fairway.core.yaml;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * A YAML node that knows its path in the document ({@code partitions[0].queues[1].name}) and its line, so that
 * every error about a config or scenario file can point at the place to fix.
 */
public final class YNode {
    private final Node node;
    private final String path;

    private YNode(Node node, String path) {
        this.node = node;
        this.path = path;
    }

    /** Parses one YAML document; an empty document gives a null node. */
    public static YNode parse(String text) {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        options.setMaxAliasesForCollections(50);
        try {
            Node root = new Yaml(options).compose(new StringReader(text));
            rejectDuplicateKeys(root, Collections.newSetFromMap(new IdentityHashMap<>()));
            return new YNode(root, "");
        } catch (MarkedYAMLException e) {
            int line = e.getProblemMark() != null ? e.getProblemMark().getLine() + 1 : 0;
            String problem = e.getProblem() != null ? e.getProblem() : e.getMessage();
            if (e.getContext() != null) {
                problem = e.getContext() + ": " + problem;
            }
            throw new YamlException("malformed YAML: " + problem.replace('\n', ' '), line);
        } catch (YAMLException e) {
            throw new YamlException("malformed YAML: " + e.getMessage(), 0);
        }
    }

    /**
     * compose() does not apply {@code setAllowDuplicateKeys(false)} (only constructing objects does), and
     * {@link #entries()} would keep the last value silently, so duplicates are caught here.
     */
    private static void rejectDuplicateKeys(Node node, Set<Node> seen) {
        if (node == null || !seen.add(node)) {
            return;
        }
        if (node instanceof MappingNode m) {
            Map<String, Integer> lines = new HashMap<>();
            for (NodeTuple t : m.getValue()) {
                if (t.getKeyNode() instanceof ScalarNode k) {
                    int line = k.getStartMark().getLine() + 1;
                    Integer first = lines.putIfAbsent(k.getValue(), line);
                    if (first != null) {
                        throw new YamlException("malformed YAML: duplicate key " + k.getValue() + " (first at line "
                                + first + "); keep one", line);
                    }
                }
                rejectDuplicateKeys(t.getValueNode(), seen);
            }
        } else if (node instanceof SequenceNode s) {
            for (Node item : s.getValue()) {
                rejectDuplicateKeys(item, seen);
            }
        }
    }

    /** Path of this node, e.g. {@code partitions[0].queues[1]}; empty for the document root. */
    public String path() {
        return path;
    }

    /** 1-based line where the node starts, 0 when empty. */
    public int line() {
        return node == null || node.getStartMark() == null ? 0 : node.getStartMark().getLine() + 1;
    }

    /** "path (line N)" for messages. */
    public String where() {
        String p = path.isEmpty() ? "document" : path;
        int l = line();
        return l > 0 ? p + " (line " + l + ")" : p;
    }

    public boolean isNull() {
        return node == null || (node instanceof ScalarNode s && "tag:yaml.org,2002:null".equals(s.getTag().getValue()));
    }

    public boolean isMap() {
        return node instanceof MappingNode;
    }

    public boolean isList() {
        return node instanceof SequenceNode;
    }

    public boolean isScalar() {
        return node instanceof ScalarNode && !isNull();
    }

    /** The scalar's text; throws with the place when this is not a scalar. */
    public String text() {
        if (node instanceof ScalarNode s && !isNull()) {
            return s.getValue();
        }
        throw new YamlException(describe() + " must be a single value, found " + kind(), line());
    }

    /** The map's entries in document order; a null node is an empty map. */
    public Map<String, YNode> entries() {
        if (isNull()) {
            return Collections.emptyMap();
        }
        if (!(node instanceof MappingNode m)) {
            throw new YamlException(describe() + " must be a map, found " + kind(), line());
        }
        Map<String, YNode> out = new LinkedHashMap<>();
        for (NodeTuple t : m.getValue()) {
            if (!(t.getKeyNode() instanceof ScalarNode k)) {
                throw new YamlException(describe() + " has a key that is not a plain name", t.getKeyNode().getStartMark().getLine() + 1);
            }
            out.put(k.getValue(), new YNode(t.getValueNode(), child(k.getValue())));
        }
        return out;
    }

    /** The list's items; a null node is an empty list. */
    public List<YNode> items() {
        if (isNull()) {
            return Collections.emptyList();
        }
        if (!(node instanceof SequenceNode s)) {
            throw new YamlException(describe() + " must be a list, found " + kind(), line());
        }
        List<YNode> out = new ArrayList<>();
        for (int i = 0; i < s.getValue().size(); i++) {
            out.add(new YNode(s.getValue().get(i), path + "[" + i + "]"));
        }
        return out;
    }

    /** A map entry, or null when absent. */
    public YNode get(String key) {
        return entries().get(key);
    }

    /** The line of a map key (where a reader looks for it), or of this node when the key is absent. */
    public int keyLine(String key) {
        if (node instanceof MappingNode m) {
            for (NodeTuple t : m.getValue()) {
                if (t.getKeyNode() instanceof ScalarNode k && k.getValue().equals(key)) {
                    return k.getStartMark().getLine() + 1;
                }
            }
        }
        return line();
    }

    private String child(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    private String describe() {
        return path.isEmpty() ? "the document" : path;
    }

    private String kind() {
        if (isNull()) {
            return "nothing";
        }
        if (node instanceof MappingNode) {
            return "a map";
        }
        if (node instanceof SequenceNode) {
            return "a list";
        }
        return "'" + ((ScalarNode) node).getValue() + "'";
    }
}
