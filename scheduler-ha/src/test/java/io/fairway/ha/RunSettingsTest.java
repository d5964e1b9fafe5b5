package io.fairway.ha;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunSettingsTest {
    @TempDir
    Path tmp;

    private Path file(String yaml) throws Exception {
        Path f = tmp.resolve("fairway.yaml");
        Files.writeString(f, yaml);
        return f;
    }

    @Test
    void defaultsThenFileThenEnvironmentThenCommandLine() throws Exception {
        Path f = file("""
                replica: from-file
                dataDir: /var/lib/fairway
                kafka:
                  bootstrapServers: file:9092
                  replicationFactor: 1
                  minInsyncReplicas: 1
                  properties:
                    security.protocol: SSL
                election:
                  leaseDuration: 3s
                  renewDeadline: 2s
                kubernetes:
                  queueConfigMap: ops/queues
                """);
        RunSettings s = RunSettings.load(f, Map.of("FAIRWAY_KAFKA_BOOTSTRAP_SERVERS", "env:9092",
                "FAIRWAY_ELECTION_RETRY_PERIOD", "100ms", "HOSTNAME", "host-1"), Map.of("replica", "from-cli"));
        assertThat(s.replica()).isEqualTo("from-cli");
        assertThat(s.dataDir()).isEqualTo(Path.of("/var/lib/fairway"));
        assertThat(s.kafkaBootstrapServers()).isEqualTo("env:9092");
        assertThat(s.kafkaProperties()).containsEntry("security.protocol", "SSL");
        assertThat(s.election()).isEqualTo(new ElectionOptions("fairway", "fairway-leader", Duration.ofSeconds(3),
                Duration.ofSeconds(2), Duration.ofMillis(100)));
        assertThat(s.queueConfigNamespace()).isEqualTo("ops");
        assertThat(s.queueConfigName()).isEqualTo("queues");
        assertThat(s.topic()).isEqualTo("fairway.events");
        assertThat(s.kafka().replicationFactor()).isEqualTo((short) 1);
        assertThat(s.healthPort()).isEqualTo(8080);
    }

    @Test
    void theReplicaNameFallsBackToThePodThenTheHost() {
        Map<String, String> cli = Map.of("kafka.bootstrapServers", "k:9092", "kafka.replicationFactor", "1",
                "kafka.minInsyncReplicas", "1");
        assertThat(RunSettings.load(null, Map.of("POD_NAME", "fairway-0", "HOSTNAME", "h"), cli).replica())
                .isEqualTo("fairway-0");
        assertThat(RunSettings.load(null, Map.of("HOSTNAME", "h"), cli).replica()).isEqualTo("h");
    }

    @Test
    void everyProblemIsNamedWithWhereItCameFrom() throws Exception {
        Path f = file("""
                kafka:
                  bootstrap: typo:9092
                election:
                  leaseDuration: soon
                  lease: no-slash
                health:
                  port: 70000
                """);
        assertThatThrownBy(() -> RunSettings.load(f, Map.of("FAIRWAY_KUBERNETES_BIND_QPS", "fast"), Map.of()))
                .isInstanceOf(SettingsException.class)
                .hasMessageContaining("unknown setting 'kafka.bootstrap' in " + f)
                .hasMessageContaining("election.leaseDuration (" + f + "): 'soon' is not a duration")
                .hasMessageContaining("election.lease (" + f + "): 'no-slash' is not namespace/name")
                .hasMessageContaining("health.port (" + f + "): 70000 is outside 0..65535")
                .hasMessageContaining("kubernetes.bindQps (environment variable FAIRWAY_KUBERNETES_BIND_QPS): 'fast'")
                .hasMessageContaining("kafka.bootstrapServers is not set");
    }

    @Test
    void settingsThatContradictEachOtherAreRefused() {
        assertThatThrownBy(() -> RunSettings.load(null, Map.of(), Map.of("kafka.bootstrapServers", "k:9092",
                "kafka.replicationFactor", "1", "election.leaseDuration", "400ms")))
                .isInstanceOf(SettingsException.class)
                .hasMessageContaining("kafka.minInsyncReplicas 2 is above kafka.replicationFactor 1")
                .hasMessageContaining("lease duration PT0.4S must be longer than the renew deadline PT0.5S");
    }

    @Test
    void consoleSettingsAreCheckedBeforeAnythingStarts() {
        Map<String, String> base = Map.of("kafka.bootstrapServers", "k:9092", "kafka.replicationFactor", "1",
                "kafka.minInsyncReplicas", "1");
        RunSettings open = RunSettings.load(null, Map.of(), base);
        assertThat(open.console().tokens()).isEmpty();
        assertThat(open.console().readsNeedToken()).isFalse();
        assertThat(open.console().tls()).isNull();

        Map<String, String> bad = new HashMap<>(base);
        bad.put("console.tokens", tmp.resolve("missing.csv").toString());
        bad.put("console.readsNeedToken", "yes");
        bad.put("console.tls.certificate", tmp.resolve("cert.pem").toString());
        assertThatThrownBy(() -> RunSettings.load(null, Map.of(), bad))
                .hasMessageContaining("console.tokens (the command line): the file " + tmp.resolve("missing.csv"))
                .hasMessageContaining("console.readsNeedToken (the command line): 'yes' is not true or false")
                .hasMessageContaining("console.tls: console TLS file " + tmp.resolve("cert.pem") + " does not exist");

        Map<String, String> secret = new HashMap<>(base);
        secret.put("console.tokens", "secret:fairway");
        assertThatThrownBy(() -> RunSettings.load(null, Map.of(), secret))
                .hasMessageContaining("'secret:fairway' is not secret:NAMESPACE/NAME");
        secret.put("console.tokens", "secret:fairway/console");
        assertThat(RunSettings.load(null, Map.of("FAIRWAY_CONSOLE_READS_NEED_TOKEN", "true"), secret).console())
                .isEqualTo(new RunSettings.Console("secret:fairway/console", true, null));
    }

    @Test
    void yunikornCorsOriginsAndFinishedAppRetention() {
        Map<String, String> base = new HashMap<>(Map.of("kafka.bootstrapServers", "k:9092",
                "kafka.replicationFactor", "1", "kafka.minInsyncReplicas", "1"));
        RunSettings defaults = RunSettings.load(null, Map.of(), base);
        assertThat(defaults.console().yunikornCorsOrigins()).isEmpty();
        assertThat(defaults.console().finishedAppRetention()).isEqualTo(Duration.ofHours(1));

        base.put("console.yunikornCorsOrigins", "https://ui.example.com, http://localhost:9889");
        base.put("console.finishedAppRetention", "15m");
        RunSettings set = RunSettings.load(null, Map.of(), base);
        assertThat(set.console().yunikornCorsOrigins()).containsExactly("https://ui.example.com",
                "http://localhost:9889");
        assertThat(set.console().finishedAppRetention()).isEqualTo(Duration.ofMinutes(15));

        base.put("console.yunikornCorsOrigins", "ui.example.com,https://ui.example.com/path");
        assertThatThrownBy(() -> RunSettings.load(null, Map.of(), base))
                .hasMessageContaining("console.yunikornCorsOrigins: 'ui.example.com' is not an origin")
                .hasMessageContaining("'https://ui.example.com/path' is not an origin");
    }

    @Test
    void snapshotPeersAreBaseUrlsAndABadOneIsNamed() {
        Map<String, String> base = new java.util.HashMap<>(Map.of("kafka.bootstrapServers", "k:9092"));
        assertThat(RunSettings.load(null, Map.of(), base).snapshotPeers()).isEmpty();
        base.put("snapshot.peers", "http://fairway-console.fairway.svc/, https://10.0.0.7:8080");
        assertThat(RunSettings.load(null, Map.of(), base).snapshotPeers())
                .containsExactly("http://fairway-console.fairway.svc", "https://10.0.0.7:8080");
        assertThat(RunSettings.load(null, Map.of("FAIRWAY_SNAPSHOT_PEERS", "http://a:1"), Map.of(
                "kafka.bootstrapServers", "k:9092")).snapshotPeers()).containsExactly("http://a:1");
        base.put("snapshot.peers", "fairway-console:8080");
        assertThatThrownBy(() -> RunSettings.load(null, Map.of(), base))
                .hasMessageContaining("snapshot.peers (the command line): snapshot peer 'fairway-console:8080' is not a "
                        + "base URL like http://HOST:PORT");
    }

    @Test
    void theSnapshotTransferTimeoutDefaultsToFiveMinutesAndMustBePositive() {
        Map<String, String> base = new java.util.HashMap<>(Map.of("kafka.bootstrapServers", "k:9092"));
        assertThat(RunSettings.load(null, Map.of(), base).snapshotTransferTimeout()).isEqualTo(Duration.ofMinutes(5));
        base.put("snapshot.transferTimeout", "90s");
        assertThat(RunSettings.load(null, Map.of(), base).snapshotTransferTimeout()).isEqualTo(Duration.ofSeconds(90));
        base.put("snapshot.transferTimeout", "0s");
        assertThatThrownBy(() -> RunSettings.load(null, Map.of(), base))
                .hasMessageContaining("snapshot.transferTimeout (the command line): 0s must be positive");
    }

    @Test
    void environmentVariableNamesFollowTheKeys() {
        assertThat(RunSettings.SETTINGS).extracting(RunSettings.Setting::env)
                .contains("FAIRWAY_KAFKA_BOOTSTRAP_SERVERS", "FAIRWAY_ELECTION_RENEW_DEADLINE", "FAIRWAY_DATA_DIR",
                        "FAIRWAY_KUBERNETES_QUEUE_CONFIG_MAP");
    }
}
