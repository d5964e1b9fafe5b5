package io.fairway.testsupport.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * kube-apiserver's audit log (JSON lines, level Metadata, stage ResponseComplete): who asked what, what RBAC decided,
 * and what the server answered. The oracle for tests of permissions and of bindings, independent of Fairway's code.
 */
public final class AuditLog {
    private static final ObjectMapper JSON = new ObjectMapper();

    private AuditLog() {
    }

    /**
     * One request.
     *
     * @param resource the resource as RBAC names it: {@code pods}, {@code pods/binding}
     * @param decision {@code allow} or {@code forbid} (empty for requests that needed no authorization)
     */
    public record Entry(String user, String userAgent, String verb, String group, String resource, String namespace,
                        String name, int code, String decision) {
        public boolean forbidden() {
            return code == 403 || decision.equals("forbid");
        }
    }

    /** Every completed request so far (a line still being written is left out). */
    public static List<Entry> read(Path file) {
        List<Entry> out = new ArrayList<>();
        List<String> lines;
        try {
            lines = Files.exists(file) ? Files.readAllLines(file) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the audit log " + file + ": " + e.getMessage(), e);
        }
        for (String line : lines) {
            JsonNode n;
            try {
                n = JSON.readTree(line);
            } catch (IOException e) {
                continue;
            }
            if (n == null || !"ResponseComplete".equals(n.path("stage").asText())) {
                continue;
            }
            JsonNode ref = n.path("objectRef");
            String resource = ref.path("resource").asText("");
            String sub = ref.path("subresource").asText("");
            out.add(new Entry(n.path("user").path("username").asText(""), n.path("userAgent").asText(""),
                    n.path("verb").asText(""), ref.path("apiGroup").asText(""),
                    sub.isEmpty() ? resource : resource + "/" + sub, ref.path("namespace").asText(""),
                    ref.path("name").asText(""), n.path("responseStatus").path("code").asInt(0),
                    n.path("annotations").path("authorization.k8s.io/decision").asText("")));
        }
        return out;
    }
}
