package io.fairway.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fairway.ha.RunSettings;
import io.fairway.ha.SettingsException;
import io.fairway.sandbox.apiserver.LocalApiServer;
import io.fairway.testsupport.k8s.ReplicaFixtures;
import io.fairway.ui.access.AccessControl;
import io.fairway.ui.access.Role;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tokens added or revoked take effect without a restart; a broken list later never locks the console out. */
class ConsoleTokensTest {
    static final String A = "token-a-0123456789abcdef";
    static final String B = "token-b-0123456789abcdef";

    @TempDir
    Path tmp;

    static Role role(AccessControl access, String token) {
        return access.read("Bearer " + token) instanceof AccessControl.Allowed a ? a.principal().role() : null;
    }

    /**
     * Swaps the file in whole, as an editor or a mounted Secret does: {@code Files.writeString} truncates first, and a
     * reload landing between truncate and write would read an empty (and valid) list.
     */
    static void replace(Path file, String text) throws Exception {
        Path next = Files.writeString(file.resolveSibling(file.getFileName() + ".next"), text);
        Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    @Test
    void aChangedFileIsReloadedAndABrokenOneKeepsTheLastGoodList() throws Exception {
        Path file = Files.writeString(tmp.resolve("tokens.csv"), A + ",alice,admin\n");
        RunSettings.Console settings = new RunSettings.Console(file.toString(), false, null);
        try (ConsoleTokens tokens = ConsoleTokens.start(settings, null, Duration.ofMillis(50))) {
            assertThat(role(tokens.get(), A)).isEqualTo(Role.ADMIN);
            assertThat(role(tokens.get(), B)).isNull();

            // alice revoked, bob added as a viewer
            replace(file, B + ",bob,viewer\n");
            await().atMost(Duration.ofSeconds(10)).until(() -> role(tokens.get(), B) == Role.VIEWER);
            assertThat(role(tokens.get(), A)).isNull();
            assertThat(tokens.get().writesPossible()).isFalse();

            AccessControl before = tokens.get();
            replace(file, "short,carol,admin\n");
            // a reload now (besides the reloader's own): it must keep bob's list
            tokens.reload();
            assertThat(tokens.get()).isSameAs(before);
            Files.delete(file);
            tokens.reload();
            assertThat(tokens.get()).isSameAs(before);
            assertThat(role(tokens.get(), B)).isEqualTo(Role.VIEWER);
        }
    }

    @Test
    void aBadListAtStartStopsTheReplicaWithItsProblems() throws Exception {
        Path file = Files.writeString(tmp.resolve("bad.csv"), "x,alice,root\n");
        assertThatThrownBy(() -> ConsoleTokens.start(new RunSettings.Console(file.toString(), false, null), null,
                Duration.ofSeconds(30)))
                .isInstanceOf(SettingsException.class).hasMessageContaining(file + " line 1");
        assertThatThrownBy(() -> ConsoleTokens.start(new RunSettings.Console("", true, null), null,
                Duration.ofSeconds(30)))
                .isInstanceOf(SettingsException.class).hasMessageContaining("nobody could read the console");
    }

    @Test
    void aSecretIsReadAndReloadedThroughTheApiServer() {
        try (LocalApiServer api = LocalApiServer.start();
             KubernetesClient client = new KubernetesClientBuilder()
                     .withConfig(new ConfigBuilder().withMasterUrl(api.url()).build()).build()) {
            ReplicaFixtures.namespaces(client, "fairway");
            RunSettings.Console settings = new RunSettings.Console("secret:fairway/console", true, null);
            assertThatThrownBy(() -> ConsoleTokens.start(settings, client, Duration.ofMillis(50)))
                    .hasMessageContaining("secret fairway/console key tokens.csv does not exist")
                    .hasMessageContaining("kubectl -n fairway create secret generic console");
            client.secrets().inNamespace("fairway").resource(new SecretBuilder().withNewMetadata().withName("console")
                    .endMetadata().withStringData(Map.of("tokens.csv", A + ",alice,viewer\n")).build()).create();
            try (ConsoleTokens tokens = ConsoleTokens.start(settings, client, Duration.ofMillis(50))) {
                assertThat(role(tokens.get(), A)).isEqualTo(Role.VIEWER);
                assertThat(tokens.get().read(null)).isInstanceOf(AccessControl.Denied.class);
                client.secrets().inNamespace("fairway").withName("console").edit(s -> new SecretBuilder(s)
                        .withStringData(Map.of("tokens.csv", A + ",alice,admin\n")).build());
                await().atMost(Duration.ofSeconds(10)).until(() -> role(tokens.get(), A) == Role.ADMIN);
            }
        }
    }
}
