package io.fairway.testsupport.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
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
                        String name, int code, String decision, Instant received) {
        public boolean forbidden() {
            return code == 403 || decision.equals("forbid");
        }
    }

    /** Every completed request so far (a line still being written is left out). */
    public static List<Entry> read(Path file) {
        return new Tail(file).next();
    }

    /** Reads the log as it grows: each {@link #next()} returns the requests completed since the last. */
    public static final class Tail {
        private final Path file;
        private long position;

        public Tail(Path file) {
            this.file = file;
        }

        public List<Entry> next() {
            List<Entry> out = new ArrayList<>();
            if (!Files.exists(file)) {
                return out;
            }
            try (var channel = java.nio.channels.FileChannel.open(file)) {
                long size = channel.size();
                if (size <= position) {
                    return out;
                }
                ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(size - position,
                        Integer.MAX_VALUE - 16));
                channel.read(buffer, position);
                String text = new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8);
                int end = text.lastIndexOf('\n');
                if (end < 0) {
                    return out;
                }
                // a line still being written waits for the next call
                position += text.substring(0, end + 1).getBytes(StandardCharsets.UTF_8).length;
                for (String line : text.substring(0, end).split("\n")) {
                    Entry e = parse(line);
                    if (e != null) {
                        out.add(e);
                    }
                }
                return out;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the audit log " + file + ": " + e.getMessage(), e);
            }
        }
    }

    private static Entry parse(String line) {
        JsonNode n;
        try {
            n = JSON.readTree(line);
        } catch (IOException e) {
            return null;
        }
        if (n == null || !"ResponseComplete".equals(n.path("stage").asText())) {
            return null;
        }
        JsonNode ref = n.path("objectRef");
        String resource = ref.path("resource").asText("");
        String sub = ref.path("subresource").asText("");
        String received = n.path("requestReceivedTimestamp").asText("");
        return new Entry(n.path("user").path("username").asText(""), n.path("userAgent").asText(""),
                n.path("verb").asText(""), ref.path("apiGroup").asText(""),
                sub.isEmpty() ? resource : resource + "/" + sub, ref.path("namespace").asText(""),
                ref.path("name").asText(""), n.path("responseStatus").path("code").asInt(0),
                n.path("annotations").path("authorization.k8s.io/decision").asText(""),
                received.isEmpty() ? Instant.EPOCH : Instant.parse(received));
    }
}
