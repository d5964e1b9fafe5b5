package io.fairway.chaos.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One Fairway replica as its own process ({@code io.fairway.chaos.replica.ChaosReplica}, which runs what
 * {@code fairway run} runs with the harness's hooks), reaching Kafka and the API server only through its proxies.
 * Restarted on the same data directory, as Kubernetes restarts a pod on its volume.
 */
public final class ReplicaProcess {
    private static final Pattern STARTED = Pattern.compile("health on port (\\d+)");
    private static final ObjectMapper JSON = new ObjectMapper();
    private final String name;
    private final Path dir;
    private final Map<String, String> settings;
    private final List<String> chaosArgs;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private volatile JavaProcess process;
    private volatile int healthPort = -1;

    ReplicaProcess(String name, Path dir, Map<String, String> settings, List<String> chaosArgs) {
        this.name = name;
        this.dir = dir;
        this.settings = settings;
        this.chaosArgs = chaosArgs;
    }

    /** Starts the process; returns once its health port is known (it may still be catching up). */
    public void start() {
        List<String> args = new ArrayList<>(chaosArgs);
        settings.forEach((k, v) -> args.add(k + "=" + v));
        healthPort = -1;
        process = JavaProcess.start(name, dir.resolve(name + ".log"),
                List.of("-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "--enable-native-access=ALL-UNNAMED",
                        "-Dfairway.replica=" + name),
                "io.fairway.chaos.replica.ChaosReplica", args);
        Matcher m = process.await(STARTED, Duration.ofSeconds(120));
        healthPort = Integer.parseInt(m.group(1));
    }

    public String name() {
        return name;
    }

    /** The sender name its requests carry ({@code fairway/replica-0}). */
    public String agent() {
        return "fairway/" + name;
    }

    public Path dataDir() {
        return Path.of(settings.get("dataDir"));
    }

    public JavaProcess process() {
        return process;
    }

    public boolean alive() {
        return process != null && process.alive();
    }

    /** {@code /readyz} as JSON (role, epoch), or null when it does not answer. */
    public JsonNode readyz() {
        return get("/readyz");
    }

    /** {@code /statez}: the state's offset and hash, or null. */
    public JsonNode statez() {
        return get("/statez");
    }

    public boolean leads() {
        JsonNode r = readyz();
        return r != null && "leader".equals(r.path("role").asText());
    }

    private JsonNode get(String path) {
        if (!alive() || healthPort < 0) {
            return null;
        }
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + healthPort
                    + path)).timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.ofString());
            return JSON.readTree(r.body());
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
