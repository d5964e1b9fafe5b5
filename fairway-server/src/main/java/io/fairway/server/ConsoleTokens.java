package io.fairway.server;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fairway.ha.RunSettings;
import io.fairway.ha.SettingsException;
import io.fairway.ui.access.AccessControl;
import io.fairway.ui.access.TokenFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The console's tokens ({@code console.tokens}: a file or {@code secret:NAMESPACE/NAME}), read at start and again
 * every {@link #RELOAD_EVERY}, so that a token added or revoked takes effect without a restart. A list that cannot be
 * read or parsed at start stops the replica; later, the last good list stays and the problem is logged once per change.
 */
public final class ConsoleTokens implements Supplier<AccessControl>, AutoCloseable {
    public static final Duration RELOAD_EVERY = Duration.ofSeconds(30);
    private static final Logger LOG = LoggerFactory.getLogger(ConsoleTokens.class);

    private final RunSettings.Console settings;
    private final KubernetesClient client;
    private final ScheduledExecutorService reloader;
    private volatile AccessControl current;
    private String lastText;
    private String lastProblem;

    private ConsoleTokens(RunSettings.Console settings, KubernetesClient client, Duration every) {
        this.settings = settings;
        this.client = client;
        this.lastText = text(settings, client);
        this.current = parse(settings, lastText);
        if (settings.tokens().isEmpty()) {
            reloader = null;
            return;
        }
        reloader = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "fairway-console-tokens");
            t.setDaemon(true);
            return t;
        });
        reloader.scheduleWithFixedDelay(this::reload, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Reads the tokens now and then every {@code every}; throws {@link SettingsException} when they are bad now. */
    public static ConsoleTokens start(RunSettings.Console settings, KubernetesClient client, Duration every) {
        return new ConsoleTokens(settings, client, every);
    }

    /** The tokens as they are now, once: for a check, without reloading. */
    static AccessControl read(RunSettings.Console settings, KubernetesClient client) {
        return parse(settings, text(settings, client));
    }

    @Override
    public AccessControl get() {
        return current;
    }

    synchronized void reload() {
        try {
            reloadOnce();
        } catch (RuntimeException e) {
            // anything thrown out of here would cancel the schedule for good, and revoked tokens would stay valid
            problem(e.toString());
        }
    }

    private void reloadOnce() {
        String text;
        try {
            text = text(settings, client);
        } catch (SettingsException e) {
            problem(String.join("; ", e.problems()));
            return;
        }
        if (text.equals(lastText)) {
            return;
        }
        try {
            AccessControl next = parse(settings, text);
            current = next;
            lastText = text;
            lastProblem = null;
            LOG.info("console tokens reloaded from {}: writes {}", settings.tokens(),
                    next.writesPossible() ? "possible (an admin token is listed)" : "off (no admin token is listed)");
        } catch (SettingsException e) {
            problem(String.join("; ", e.problems()));
        }
    }

    private void problem(String problem) {
        if (!problem.equals(lastProblem)) {
            lastProblem = problem;
            LOG.error("console tokens not reloaded, the previous list stays in force: {}", problem);
        }
    }

    private static AccessControl parse(RunSettings.Console c, String text) {
        if (c.tokens().isEmpty()) {
            return AccessControl.open();
        }
        try {
            return AccessControl.tokens(TokenFile.parse(text, source(c)), c.readsNeedToken());
        } catch (IllegalArgumentException e) {
            throw new SettingsException(List.of(e.getMessage()));
        }
    }

    private static String source(RunSettings.Console c) {
        if (!c.tokens().startsWith(RunSettings.Console.SECRET_PREFIX)) {
            return c.tokens();
        }
        String[] ref = c.tokens().substring(RunSettings.Console.SECRET_PREFIX.length()).split("/", 2);
        return "secret " + ref[0] + "/" + ref[1] + " key " + RunSettings.Console.TOKENS_KEY;
    }

    private static String text(RunSettings.Console c, KubernetesClient client) {
        if (c.tokens().isEmpty()) {
            if (c.readsNeedToken()) {
                throw new SettingsException(List.of("console.readsNeedToken is true but console.tokens is not set: "
                        + "nobody could read the console; give console.tokens a file or secret:NAMESPACE/NAME"));
            }
            return "";
        }
        String source = source(c);
        if (!c.tokens().startsWith(RunSettings.Console.SECRET_PREFIX)) {
            try {
                return Files.readString(Path.of(c.tokens()));
            } catch (IOException e) {
                throw new SettingsException(List.of("console.tokens: " + c.tokens() + " cannot be read: "
                        + e.getMessage()));
            }
        }
        String[] ref = c.tokens().substring(RunSettings.Console.SECRET_PREFIX.length()).split("/", 2);
        Secret secret;
        try {
            secret = client.secrets().inNamespace(ref[0]).withName(ref[1]).get();
        } catch (KubernetesClientException e) {
            throw new SettingsException(List.of("console.tokens: the " + source + " cannot be read: " + e.getMessage()
                    + " (may the service account get secrets in " + ref[0] + "?)"));
        }
        String encoded = secret == null || secret.getData() == null ? null
                : secret.getData().get(RunSettings.Console.TOKENS_KEY);
        String plain = secret == null || secret.getStringData() == null ? null
                : secret.getStringData().get(RunSettings.Console.TOKENS_KEY);
        if (encoded == null && plain == null) {
            throw new SettingsException(List.of("console.tokens: the " + source + " does not exist; create it: "
                    + "kubectl -n " + ref[0] + " create secret generic " + ref[1] + " --from-file="
                    + RunSettings.Console.TOKENS_KEY + "=tokens.csv"));
        }
        return encoded != null ? new String(Base64.getDecoder().decode(encoded.strip()), StandardCharsets.UTF_8) : plain;
    }

    @Override
    public void close() {
        if (reloader != null) {
            reloader.shutdownNow();
        }
    }
}
