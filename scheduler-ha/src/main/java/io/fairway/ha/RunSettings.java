package io.fairway.ha;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fairway.core.config.GoDuration;
import io.fairway.k8s.BinderOptions;
import io.fairway.k8s.WatcherOptions;
import io.fairway.log.kafka.KafkaEventLogConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Every setting of {@code fairway run}, from (lowest first) the defaults, a YAML file, environment variables
 * ({@code FAIRWAY_} and the key in upper snake case: {@code kafka.bootstrapServers} is
 * {@code FAIRWAY_KAFKA_BOOTSTRAP_SERVERS}) and the command line. Validated as a whole: an error names every bad
 * setting, where it came from, the value and what would be accepted.
 */
public record RunSettings(
        String replica,
        Path dataDir,
        String kafkaBootstrapServers,
        String topic,
        int replicationFactor,
        int minInsyncReplicas,
        Map<String, String> kafkaProperties,
        String kubeconfig,
        String schedulerName,
        String queueConfigNamespace,
        String queueConfigName,
        double bindQps,
        int bindBurst,
        int bindParallelism,
        String leaseNamespace,
        String leaseName,
        Duration leaseDuration,
        Duration renewDeadline,
        Duration retryPeriod,
        String healthHost,
        int healthPort,
        Console console,
        List<String> snapshotPeers,
        Duration snapshotTransferTimeout,
        String snapshotPeerToken) {

    /**
     * The console's access and transport.
     *
     * @param tokens         "" (no tokens: reads open, no writes), a file, or {@code secret:NAMESPACE/NAME} (key
     *                       {@value #TOKENS_KEY}), each line {@code TOKEN,USER,ROLE}
     * @param readsNeedToken whether reads need a viewer or admin token too
     * @param tls            null for plain HTTP
     * @param finishedAppRetention how long the console lists an app after its last pod was deleted
     * @param yunikornCorsOrigins  origins whose pages may read YuniKorn's API ({@code /ws/v1}); empty: none
     */
    public record Console(String tokens, boolean readsNeedToken, TlsOptions tls,
                          Duration finishedAppRetention, List<String> yunikornCorsOrigins) {
        public Console(String tokens, boolean readsNeedToken, TlsOptions tls) {
            this(tokens, readsNeedToken, tls, Duration.ofHours(1), List.of());
        }

        public Console {
            yunikornCorsOrigins = List.copyOf(yunikornCorsOrigins);
        }

        public static final String TOKENS_KEY = "tokens.csv";
        public static final String SECRET_PREFIX = "secret:";
    }

    /** One setting: its key, default ("" for none) and what it is. */
    public record Setting(String key, String defaultValue, String description) {
        /** The environment variable that sets it. */
        public String env() {
            return "FAIRWAY_" + key.replace(".", "_").replaceAll("([a-z0-9])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT);
        }
    }

    /** Every setting, in the order the README lists them. */
    public static final List<Setting> SETTINGS = List.of(
            new Setting("replica", "", "this replica's name (lease holder, LeaderElected); default $POD_NAME, else the host name"),
            new Setting("dataDir", "data", "directory of the RocksDB state store and its snapshots"),
            new Setting("kafka.bootstrapServers", "", "host:port[,host:port] of the Kafka cluster (required)"),
            new Setting("kafka.topic", KafkaEventLogConfig.DEFAULT_TOPIC, "the event topic"),
            new Setting("kafka.replicationFactor", "3", "replication of the topic when Fairway creates it"),
            new Setting("kafka.minInsyncReplicas", "2", "min.insync.replicas of the topic when Fairway creates it"),
            new Setting("kafka.properties", "", "extra Kafka client properties (security, SASL), as a YAML map or k=v,k=v"),
            new Setting("kubernetes.kubeconfig", "", "kubeconfig file; default $KUBECONFIG, ~/.kube/config or the in-cluster service account"),
            new Setting("kubernetes.schedulerName", WatcherOptions.DEFAULT_SCHEDULER_NAME, "pods with this spec.schedulerName are scheduled"),
            new Setting("kubernetes.queueConfigMap", WatcherOptions.DEFAULT_CONFIG_NAMESPACE + "/" + WatcherOptions.DEFAULT_CONFIG_NAME,
                    "namespace/name of the ConfigMap holding queues.yaml"),
            new Setting("kubernetes.bindQps", "0", "bindings per second at most, 0 for no limit"),
            new Setting("kubernetes.bindBurst", "100", "bindings above bindQps allowed in a burst"),
            new Setting("kubernetes.bindParallelism", "16", "bindings in flight at once"),
            new Setting("election.lease", ElectionOptions.DEFAULT_NAMESPACE + "/" + ElectionOptions.DEFAULT_NAME,
                    "namespace/name of the Lease the replicas compete for"),
            new Setting("election.leaseDuration", "700ms", "a standby takes over once it has seen the lease unchanged this long"),
            new Setting("election.renewDeadline", "500ms", "the leader holds its decisions and binds while its last renewal is older than this"),
            new Setting("election.retryPeriod", "100ms", "how often the leader renews the lease"),
            new Setting("health.host", "0.0.0.0", "interface of /healthz and /readyz"),
            new Setting("health.port", "8080", "port of /healthz and /readyz, 0 for any free one"),
            new Setting("snapshot.peers", "", "base URLs (comma-separated) of other replicas' health ports, e.g. http://fairway-health:8080: "
                    + "a replica with no usable store of its own starts from the newest snapshot they serve; none: from the whole log"),
            new Setting("snapshot.transferTimeout", "5m", "a peer's snapshot that takes longer than this to arrive is given up for the next peer"),
            new Setting("snapshot.peerToken", "", "a viewer token of the peers' console, sent when fetching their snapshot: needed when their reads need a token (best from the environment, FAIRWAY_SNAPSHOT_PEER_TOKEN)"),
            new Setting("console.tokens", "", "the console's bearer tokens: a file, or secret:NAMESPACE/NAME (key tokens.csv); "
                    + "lines TOKEN,USER,ROLE with ROLE viewer or admin; none: reads open, writes off"),
            new Setting("console.readsNeedToken", "false", "whether reading the console and its API needs a token too"),
            new Setting("console.yunikornCorsOrigins", "", "origins (scheme://host[:port], comma-separated, or *) whose pages may read YuniKorn's API /ws/v1, e.g. YuniKorn's web UI served elsewhere; none by default"),
            new Setting("console.finishedAppRetention", "1h", "how long the console lists an app (completed, with its pods) after its last pod was deleted"),
            new Setting("console.tls.certificate", "", "PEM certificate (chain) of the health and console port; with console.tls.key"),
            new Setting("console.tls.key", "", "PEM private key of console.tls.certificate"),
            new Setting("console.tls.keyStore", "", "instead of PEM files: a PKCS#12 (.p12) or JKS (.jks) key store"),
            new Setting("console.tls.keyStorePassword", "", "password of console.tls.keyStore"));

    /** Loads and validates; {@code file} may be null, {@code overrides} are the command line's. */
    public static RunSettings load(Path file, Map<String, String> env, Map<String, String> overrides) {
        Map<String, String> known = new LinkedHashMap<>();
        for (Setting s : SETTINGS) {
            known.put(s.key(), s.defaultValue());
        }
        Map<String, String> from = new TreeMap<>();
        List<String> problems = new ArrayList<>();
        Map<String, String> kafkaProperties = new TreeMap<>();
        if (file != null) {
            readYaml(file, known, from, kafkaProperties, problems);
        }
        for (Setting s : SETTINGS) {
            String v = env.get(s.env());
            if (v != null) {
                known.put(s.key(), v);
                from.put(s.key(), "environment variable " + s.env());
            }
        }
        overrides.forEach((k, v) -> {
            if (!known.containsKey(k)) {
                problems.add("unknown setting '" + k + "' on the command line; known: " + String.join(", ", known.keySet()));
            } else {
                known.put(k, v);
                from.put(k, "the command line");
            }
        });
        Parser p = new Parser(known, from, problems);
        String replica = known.get("replica");
        if (replica.isBlank()) {
            replica = env.getOrDefault("POD_NAME", env.getOrDefault("HOSTNAME", ""));
        }
        if (replica.isBlank()) {
            replica = "fairway-" + ProcessHandle.current().pid();
        }
        String kafkaText = known.get("kafka.properties");
        if (!kafkaText.isBlank()) {
            for (String pair : kafkaText.split(",")) {
                int eq = pair.indexOf('=');
                if (eq <= 0) {
                    problems.add("kafka.properties (" + p.source("kafka.properties") + "): '" + pair
                            + "' is not key=value; write e.g. security.protocol=SSL,ssl.truststore.location=/x");
                } else {
                    kafkaProperties.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
                }
            }
        }
        String bootstrap = known.get("kafka.bootstrapServers").trim();
        if (bootstrap.isEmpty()) {
            problems.add("kafka.bootstrapServers is not set: give host:port of your Kafka brokers (--kafka, "
                    + "FAIRWAY_KAFKA_BOOTSTRAP_SERVERS or kafka.bootstrapServers in the settings file)");
        }
        String[] config = p.namespacedName("kubernetes.queueConfigMap");
        String[] lease = p.namespacedName("election.lease");
        RunSettings s = new RunSettings(replica, Path.of(known.get("dataDir")), bootstrap, known.get("kafka.topic"),
                p.intIn("kafka.replicationFactor", 1, Short.MAX_VALUE), p.intIn("kafka.minInsyncReplicas", 1, 1000),
                Map.copyOf(kafkaProperties), known.get("kubernetes.kubeconfig").isBlank() ? null
                        : known.get("kubernetes.kubeconfig"),
                known.get("kubernetes.schedulerName"), config[0], config[1],
                p.number("kubernetes.bindQps"), p.intIn("kubernetes.bindBurst", 1, 1_000_000),
                p.intIn("kubernetes.bindParallelism", 1, 10_000), lease[0], lease[1],
                p.duration("election.leaseDuration"), p.duration("election.renewDeadline"),
                p.duration("election.retryPeriod"), known.get("health.host"), p.intIn("health.port", 0, 65535),
                console(known, p), peers(known.get("snapshot.peers"), p), p.duration("snapshot.transferTimeout"),
                known.get("snapshot.peerToken").strip());
        if (problems.isEmpty()) {
            s.check(problems);
        }
        if (!problems.isEmpty()) {
            throw new SettingsException(problems);
        }
        return s;
    }

    private static Console console(Map<String, String> known, Parser p) {
        String tokens = known.get("console.tokens").trim();
        if (tokens.startsWith(Console.SECRET_PREFIX)) {
            String ref = tokens.substring(Console.SECRET_PREFIX.length());
            if (!ref.matches("[^/\\s]+/[^/\\s]+")) {
                p.problems().add("console.tokens (" + p.source("console.tokens") + "): '" + tokens
                        + "' is not secret:NAMESPACE/NAME");
            }
        } else if (!tokens.isEmpty() && !Files.isReadable(Path.of(tokens))) {
            p.problems().add("console.tokens (" + p.source("console.tokens") + "): the file " + tokens
                    + " does not exist or cannot be read");
        }
        String cert = known.get("console.tls.certificate").trim();
        String key = known.get("console.tls.key").trim();
        String store = known.get("console.tls.keyStore").trim();
        TlsOptions tls = null;
        if (!store.isEmpty()) {
            tls = TlsOptions.keyStore(Path.of(store), known.get("console.tls.keyStorePassword"));
        } else if (!cert.isEmpty() || !key.isEmpty()) {
            tls = new TlsOptions(cert.isEmpty() ? null : Path.of(cert), key.isEmpty() ? null : Path.of(key),
                    null, null);
        }
        if (tls != null) {
            try {
                tls.check();
            } catch (IllegalArgumentException e) {
                p.problems().add("console.tls: " + e.getMessage());
            }
        }
        return new Console(tokens, p.bool("console.readsNeedToken"), tls, p.duration("console.finishedAppRetention"),
                origins(known.get("console.yunikornCorsOrigins"), p.problems()));
    }

    private static List<String> peers(String text, Parser p) {
        List<String> out = new ArrayList<>();
        for (String peer : text.split(",")) {
            if (peer.isBlank()) {
                continue;
            }
            try {
                out.add(PeerSnapshots.check(peer));
            } catch (IllegalArgumentException e) {
                p.problems().add("snapshot.peers (" + p.source("snapshot.peers") + "): " + e.getMessage());
            }
        }
        return List.copyOf(out);
    }

    /** {@code scheme://host[:port]} each, comma-separated, or {@code *} for any origin. */
    private static List<String> origins(String text, List<String> problems) {
        List<String> out = new ArrayList<>();
        for (String o : text.split(",")) {
            String origin = o.strip();
            if (origin.isEmpty()) {
                continue;
            }
            if (!origin.equals("*") && !origin.matches("https?://[A-Za-z0-9.\\-\\[\\]:]+")) {
                problems.add("console.yunikornCorsOrigins: '" + origin + "' is not an origin: write scheme://host[:port] "
                        + "with no path, e.g. https://yunikorn.example.com, or * for any");
                continue;
            }
            out.add(origin);
        }
        return out;
    }

    private void check(List<String> problems) {
        if (minInsyncReplicas > replicationFactor) {
            problems.add("kafka.minInsyncReplicas " + minInsyncReplicas + " is above kafka.replicationFactor "
                    + replicationFactor + ": no write could ever succeed");
        }
        if (bindQps < 0) {
            problems.add("kubernetes.bindQps " + bindQps + " must be 0 (no limit) or positive");
        }
        try {
            election();
        } catch (IllegalArgumentException e) {
            problems.add("election: " + e.getMessage());
        }
        try {
            kafka();
        } catch (IllegalArgumentException e) {
            problems.add("kafka: " + e.getMessage());
        }
    }

    private static void readYaml(Path file, Map<String, String> known, Map<String, String> from,
                                 Map<String, String> kafkaProperties, List<String> problems) {
        JsonNode root;
        try {
            root = new ObjectMapper(new YAMLFactory()).readTree(Files.readString(file));
        } catch (IOException e) {
            problems.add("settings file " + file + " cannot be read: " + e.getMessage());
            return;
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            return;
        }
        if (!root.isObject()) {
            problems.add("settings file " + file + " must be a YAML map of settings, not " + root.getNodeType());
            return;
        }
        flatten("", root, file, known, from, kafkaProperties, problems);
    }

    private static void flatten(String prefix, JsonNode node, Path file, Map<String, String> known,
                                Map<String, String> from, Map<String, String> kafkaProperties, List<String> problems) {
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = prefix + e.getKey();
            JsonNode v = e.getValue();
            if (key.equals("kafka.properties") && v.isObject()) {
                v.fields().forEachRemaining(kv -> kafkaProperties.put(kv.getKey(), kv.getValue().asText()));
            } else if (v.isObject()) {
                flatten(key + ".", v, file, known, from, kafkaProperties, problems);
            } else if (!known.containsKey(key)) {
                problems.add("unknown setting '" + key + "' in " + file + "; known: " + String.join(", ", known.keySet()));
            } else if (v.isContainerNode()) {
                problems.add("setting " + key + " in " + file + " must be a single value, not a list");
            } else {
                known.put(key, v.isNull() ? "" : v.asText());
                from.put(key, file.toString());
            }
        }
    }

    /** Reads typed values, noting each problem with where the value came from. */
    private record Parser(Map<String, String> values, Map<String, String> from, List<String> problems) {
        String source(String key) {
            return from.getOrDefault(key, "default");
        }

        int intIn(String key, int min, int max) {
            String v = values.get(key).trim();
            try {
                int n = Integer.parseInt(v);
                if (n < min || n > max) {
                    problems.add(key + " (" + source(key) + "): " + n + " is outside " + min + ".." + max);
                }
                return n;
            } catch (NumberFormatException e) {
                problems.add(key + " (" + source(key) + "): '" + v + "' is not a whole number");
                return min;
            }
        }

        boolean bool(String key) {
            String v = values.get(key).trim().toLowerCase(Locale.ROOT);
            if (!v.equals("true") && !v.equals("false")) {
                problems.add(key + " (" + source(key) + "): '" + values.get(key) + "' is not true or false");
            }
            return v.equals("true");
        }

        double number(String key) {
            String v = values.get(key).trim();
            try {
                return Double.parseDouble(v);
            } catch (NumberFormatException e) {
                problems.add(key + " (" + source(key) + "): '" + v + "' is not a number");
                return 0;
            }
        }

        Duration duration(String key) {
            String v = values.get(key).trim();
            try {
                Duration d = GoDuration.parse(v);
                if (d.isNegative() || d.isZero()) {
                    problems.add(key + " (" + source(key) + "): " + v + " must be positive");
                    return Duration.ofSeconds(1);
                }
                return d;
            } catch (IllegalArgumentException e) {
                problems.add(key + " (" + source(key) + "): '" + v + "' is not a duration (examples: 2s, 1500ms, 1m)");
                return Duration.ofSeconds(1);
            }
        }

        String[] namespacedName(String key) {
            String v = values.get(key).trim();
            int slash = v.indexOf('/');
            if (slash <= 0 || slash == v.length() - 1 || v.indexOf('/', slash + 1) >= 0) {
                problems.add(key + " (" + source(key) + "): '" + v + "' is not namespace/name");
                return new String[] {"x", "x"};
            }
            return new String[] {v.substring(0, slash), v.substring(slash + 1)};
        }
    }

    /** The event log's configuration. */
    public KafkaEventLogConfig kafka() {
        return KafkaEventLogConfig.of(kafkaBootstrapServers).withTopic(topic)
                .withReplication(replicationFactor, minInsyncReplicas).withClientProperties(kafkaProperties);
    }

    public ElectionOptions election() {
        return new ElectionOptions(leaseNamespace, leaseName, leaseDuration, renewDeadline, retryPeriod);
    }

    public WatcherOptions watcher() {
        return WatcherOptions.defaults().withSchedulerName(schedulerName)
                .withConfigMap(queueConfigNamespace, queueConfigName);
    }

    public BinderOptions binder() {
        return BinderOptions.defaults().withParallelism(bindParallelism).withRate(bindQps, bindBurst);
    }
}
