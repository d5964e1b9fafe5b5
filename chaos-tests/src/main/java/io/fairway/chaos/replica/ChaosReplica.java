package io.fairway.chaos.replica;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fairway.core.events.Allocated;
import io.fairway.ha.ChaosHooks;
import io.fairway.ha.Replica;
import io.fairway.ha.RunSettings;
import io.fairway.log.EventCodec;
import io.fairway.server.FairwayServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * A replica as the chaos harness runs it: exactly what {@code fairway run} runs ({@link FairwayServer}), with the
 * harness's hooks installed first. Arguments: {@code --chaos-dir DIR} (where the failpoint is armed),
 * {@code --api URL} (the API server, for a planted bug that talks to it itself), optionally {@code --sabotage KIND},
 * then settings as {@code key=value} ({@code fairway run --list-settings} names them).
 */
public final class ChaosReplica {
    private ChaosReplica() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = null;
        String api = null;
        Sabotage sabotage = null;
        Map<String, String> settings = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--chaos-dir" -> dir = Path.of(args[++i]);
                case "--api" -> api = args[++i];
                case "--sabotage" -> sabotage = Sabotage.parse(args[++i]);
                default -> {
                    int eq = args[i].indexOf('=');
                    if (eq <= 0) {
                        throw new IllegalArgumentException("'" + args[i] + "' is not key=value");
                    }
                    settings.put(args[i].substring(0, eq), args[i].substring(eq + 1));
                }
            }
        }
        if (dir == null || api == null) {
            throw new IllegalArgumentException("--chaos-dir and --api are required");
        }
        Files.createDirectories(dir);
        RunSettings s = RunSettings.load(null, Map.of(), settings);
        ChaosHooks.install(new ReplicaHooks(s.replica(), dir, sabotage, api));
        FairwayServer server = FairwayServer.start(s);
        System.out.println("chaos replica " + s.replica() + " started; health on port " + server.health().port()
                + (sabotage == null ? "" : "; sabotage " + sabotage.label()));
        System.out.flush();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "chaos-replica-shutdown"));
        if (sabotage == Sabotage.SECOND_WRITER) {
            String apiUrl = api;
            Thread.ofPlatform().daemon().name("second-writer").start(() -> secondWriter(s, server.replica(), apiUrl));
        }
        stopped.await();
    }

    /**
     * The planted second writer: while this replica follows, it appends allocations of pending pods with a plain
     * producer (no transaction, so no fencing) under the epoch before the leader's, as a deposed leader would.
     */
    private static void secondWriter(RunSettings s, Replica replica, String api) {
        Properties p = new Properties();
        p.put("bootstrap.servers", s.kafkaBootstrapServers());
        p.put("key.serializer", ByteArraySerializer.class.getName());
        p.put("value.serializer", ByteArraySerializer.class.getName());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p);
             KubernetesClient client = new KubernetesClientBuilder().withConfig(new ConfigBuilder()
                     .withMasterUrl(api).withUserAgent("chaos-second-writer").build()).build()) {
            while (true) {
                Thread.sleep(1_000);
                if (replica.role() != Replica.Role.FOLLOWER) {
                    continue;
                }
                long epoch = Math.max(0, replica.follower().state().leaderEpoch() - 1);
                List<Pod> pending = client.pods().inAnyNamespace().withField("spec.nodeName", "").list().getItems();
                List<String> nodes = client.nodes().list().getItems().stream().map(n -> n.getMetadata().getName())
                        .toList();
                for (Pod pod : pending.subList(0, Math.min(2, pending.size()))) {
                    if (nodes.isEmpty()) {
                        break;
                    }
                    Allocated a = new Allocated(System.currentTimeMillis(), epoch, pod.getMetadata().getUid(),
                            nodes.get(0), "", "");
                    producer.send(new ProducerRecord<>(s.topic(), 0, null, EventCodec.encode(a))).get();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            System.out.println("chaos: the second writer stopped: " + e);
        }
    }
}
