package io.fairway.testsupport.k8s;

import io.fabric8.kubernetes.api.model.authentication.TokenRequest;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real etcd + kube-apiserver, started as processes by {@code scripts/k8s-control-plane.sh} (built from their Go
 * modules by {@code scripts/k8s-binaries.sh}): TLS with a generated CA, RBAC on, an audit log of every request.
 * Everything lives in one directory; {@link #close()} stops the processes.
 */
public final class KubeControlPlane implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KubeControlPlane.class);
    private static final Duration START_TIMEOUT = Duration.ofMinutes(20);

    private final Path script;
    private final Path dir;
    private final Map<String, String> env;

    private KubeControlPlane(Path script, Path dir, Map<String, String> env) {
        this.script = script;
        this.dir = dir;
        this.env = env;
    }

    /**
     * Starts a control plane in {@code dir} (created if needed). The first start on a machine builds the binaries
     * (about 9 minutes on 2 cores); {@code audit} writes every request to {@link #auditLog()}.
     */
    public static KubeControlPlane start(Path dir, boolean audit) {
        Path script = FairwayHome.script("k8s-control-plane.sh");
        try {
            Files.createDirectories(dir);
            Path out = dir.resolve("start.log");
            ProcessBuilder pb = new ProcessBuilder("bash", script.toString(), "start", dir.toString())
                    .redirectErrorStream(true).redirectOutput(out.toFile());
            pb.environment().put("FAIRWAY_K8S_AUDIT", audit ? "on" : "off");
            Process p = pb.start();
            if (!p.waitFor(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(script + " start " + dir + " took longer than " + START_TIMEOUT
                        + "; its output: " + tail(out));
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException(script + " start " + dir + " failed (exit " + p.exitValue()
                        + "): " + tail(out));
            }
            KubeControlPlane cp = new KubeControlPlane(script, dir, readEnv(dir.resolve("env")));
            LOG.info("kube-apiserver {} (etcd {}) in {}", cp.server(), cp.env.get("FAIRWAY_ETCD_URL"), dir);
            return cp;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start a control plane in " + dir + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting a control plane in " + dir, e);
        }
    }

    /** Where scripts/k8s-binaries.sh puts (or has put) etcd, kube-apiserver and kube-scheduler; builds nothing. */
    public static Path binDirectory() {
        Path script = FairwayHome.script("k8s-binaries.sh");
        try {
            Process p = new ProcessBuilder("bash", script.toString(), "--print-dir")
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0 || out.isEmpty()) {
                throw new IllegalStateException(script + " --print-dir failed");
            }
            return Path.of(out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + script + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static String tail(Path file) throws IOException {
        List<String> lines = Files.exists(file) ? Files.readAllLines(file) : List.of();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }

    private static Map<String, String> readEnv(Path file) throws IOException {
        Map<String, String> env = new HashMap<>();
        for (String line : Files.readAllLines(file)) {
            String l = line.strip();
            if (l.startsWith("export ") && l.indexOf('=') > 0) {
                env.put(l.substring(7, l.indexOf('=')), l.substring(l.indexOf('=') + 1));
            }
        }
        for (String key : List.of("FAIRWAY_K8S_SERVER", "FAIRWAY_K8S_TOKEN", "FAIRWAY_K8S_CA", "KUBECONFIG")) {
            if (!env.containsKey(key)) {
                throw new IllegalStateException(file + " does not set " + key);
            }
        }
        return env;
    }

    /** {@code https://127.0.0.1:PORT}. */
    public String server() {
        return env.get("FAIRWAY_K8S_SERVER");
    }

    /** A kubeconfig of the admin (group {@code system:masters}). */
    public Path kubeconfig() {
        return Path.of(env.get("KUBECONFIG"));
    }

    /** The kubectl the scripts chose (built, or {@code /usr/bin/kubectl}). */
    public Path kubectl() {
        return Path.of(env.getOrDefault("FAIRWAY_K8S_KUBECTL", "/usr/bin/kubectl"));
    }

    public Path directory() {
        return dir;
    }

    /** kube-apiserver's audit log (JSON lines), when started with audit on. */
    public Path auditLog() {
        return dir.resolve("audit.log");
    }

    /** A client configuration for this server with the admin's token. */
    public Config adminConfig() {
        return configWithToken(env.get("FAIRWAY_K8S_TOKEN"));
    }

    /** A client configuration for this server with the given bearer token. */
    public Config configWithToken(String token) {
        return new ConfigBuilder().withMasterUrl(server()).withCaCertFile(env.get("FAIRWAY_K8S_CA"))
                .withOauthToken(token).withRequestTimeout(30_000).withConnectionTimeout(10_000).build();
    }

    public KubernetesClient adminClient() {
        return new KubernetesClientBuilder().withConfig(adminConfig()).build();
    }

    /**
     * A token of service account {@code namespace/name} from the TokenRequest API, as a kubelet would mount it; the
     * account must exist. There is no controller manager, so this is the only way to one.
     */
    public String serviceAccountToken(KubernetesClient admin, String namespace, String name, Duration validity) {
        TokenRequest request = new TokenRequestBuilder().withNewSpec().withExpirationSeconds(validity.toSeconds())
                .endSpec().build();
        TokenRequest answer = admin.serviceAccounts().inNamespace(namespace).withName(name).tokenRequest(request);
        return answer.getStatus().getToken();
    }

    /**
     * Stops kube-apiserver and starts it again on the same port and etcd (about 3 s): every watch breaks, and the new
     * server's watch cache starts afresh, so a client resuming from an older resourceVersion gets 410 and lists again.
     */
    public void restartApiServer() {
        try {
            Path out = dir.resolve("restart.log");
            Process p = new ProcessBuilder("bash", script.toString(), "restart-apiserver", dir.toString())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile())).start();
            if (!p.waitFor(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IllegalStateException(script + " restart-apiserver " + dir + " failed: " + tail(out));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot restart kube-apiserver in " + dir + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while restarting kube-apiserver", e);
        }
    }

    /** Writes a kubeconfig for this server with the given bearer token (e.g. a service account's), mode 600. */
    public Path writeKubeconfig(Path file, String user, String token) {
        String yaml = """
                apiVersion: v1
                kind: Config
                clusters:
                - name: fairway
                  cluster:
                    server: %s
                    certificate-authority: %s
                users:
                - name: %s
                  user:
                    token: %s
                contexts:
                - name: fairway
                  context:
                    cluster: fairway
                    user: %s
                current-context: fairway
                """.formatted(server(), env.get("FAIRWAY_K8S_CA"), user, token, user);
        try {
            Files.writeString(file, yaml);
            Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write a kubeconfig to " + file + ": " + e.getMessage(), e);
        }
    }

    /** The pid of kube-apiserver (for its CPU time), or -1 when its pid file is gone. */
    public long apiServerPid() {
        try {
            return Long.parseLong(Files.readString(dir.resolve("kube-apiserver.pid")).strip());
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    /** Stops kube-apiserver and etcd; the directory stays (its logs help when a test failed). */
    @Override
    public void close() {
        try {
            Process p = new ProcessBuilder("bash", script.toString(), "stop", dir.toString())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                LOG.warn("{} stop {} did not finish in 60 s", script, dir);
            }
        } catch (IOException e) {
            LOG.warn("cannot stop the control plane in {}: {}", dir, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
