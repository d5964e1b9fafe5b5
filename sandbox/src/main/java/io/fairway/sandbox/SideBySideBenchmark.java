package io.fairway.sandbox;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fairway.k8s.WatcherOptions;
import io.fairway.testsupport.EmbeddedKafka;
import io.fairway.testsupport.k8s.DeployBaseIdentity;
import io.fairway.testsupport.k8s.KubeControlPlane;
import io.fairway.testsupport.k8s.ReadyNodes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code fairway bench e2e --apiserver real --peer …}: the same nodes and pod stream through each scheduler in turn,
 * each on a fresh etcd + kube-apiserver (built from their Go modules), each scheduler its own process. Measures pods
 * bound per second (first create request to last binding seen), bind latency (create request to a watch seeing the
 * pod bound), and the CPU seconds of the scheduler's process over the run.
 */
public final class SideBySideBenchmark {
    private static final Logger LOG = LoggerFactory.getLogger(SideBySideBenchmark.class);
    private static final String NS = "bench";
    private static final int CREATORS = 16;

    /**
     * One scheduler's run.
     *
     * @param schedulerCpuSeconds CPU of the scheduler's process from the first create to the last binding
     * @param kafkaCpuSeconds     CPU of the Kafka broker over the same span (Fairway only; 0 for the others)
     * @param apiServerCpuSeconds CPU of kube-apiserver over the same span
     */
    public record Row(String scheduler, String setup, int pods, long bound, double seconds, double podsPerSecond,
                      long bindP50Ms, long bindP99Ms, double schedulerCpuSeconds, double kafkaCpuSeconds,
                      double apiServerCpuSeconds, double createPerSecond, boolean complete) {
        /** CPU milliseconds of the scheduler (and its Kafka) per pod bound. */
        public double cpuMsPerPod() {
            return bound == 0 ? 0 : 1000 * (schedulerCpuSeconds + kafkaCpuSeconds) / bound;
        }
    }

    private SideBySideBenchmark() {
    }

    /** The queues Fairway gets: one queue, no limits (kube-scheduler has none either). */
    static final String QUEUES = """
            partitions:
              - name: default
                queues:
                  - name: root
                    queues:
                      - name: default
            """;

    /** Runs each scheduler in turn on its own fresh control plane under {@code work}. */
    public static List<Row> run(List<PeerScheduler> schedulers, int nodes, int pods, Duration timeout, Path work) {
        List<Row> rows = new ArrayList<>();
        for (PeerScheduler s : schedulers) {
            LOG.info("side by side: {} on a fresh etcd + kube-apiserver, {} nodes, {} pods", s.name(), nodes, pods);
            rows.add(runOne(s, nodes, pods, timeout, work.resolve(s.name().replaceAll("[^a-z0-9-]+", "-"))));
        }
        return rows;
    }

    private static Row runOne(PeerScheduler scheduler, int nodes, int pods, Duration timeout, Path dir) {
        try (KubeControlPlane cp = KubeControlPlane.start(dir.resolve("k8s"), false);
             KubernetesClient admin = cp.adminClient()) {
            admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build())
                    .create();
            registerNodes(admin, nodes);
            EmbeddedKafka kafka = null;
            Process process = null;
            try {
                if (scheduler instanceof PeerScheduler.Fairway f) {
                    kafka = EmbeddedKafka.start();
                    String token = DeployBaseIdentity.apply(cp, admin, Duration.ofHours(4));
                    Path kubeconfig = cp.writeKubeconfig(dir.resolve("fairway.kubeconfig"),
                            DeployBaseIdentity.USER, token);
                    admin.configMaps().inNamespace(WatcherOptions.DEFAULT_CONFIG_NAMESPACE).resource(
                            new ConfigMapBuilder().withNewMetadata().withName(WatcherOptions.DEFAULT_CONFIG_NAME)
                                    .endMetadata().withData(Map.of(WatcherOptions.CONFIG_KEY, QUEUES)).build()).create();
                    process = start(f.command(kafka.bootstrapServers(), kubeconfig, dir.resolve("data")), dir);
                } else if (scheduler instanceof PeerScheduler.KubeScheduler k) {
                    process = start(k.command(cp.kubeconfig()), dir);
                }
                awaitWarmUp(admin, scheduler, process, dir);
                return measure(admin, scheduler, process, kafka, cp.apiServerPid(), nodes, pods, timeout);
            } finally {
                if (process != null) {
                    process.destroy();
                    try {
                        if (!process.waitFor(20, TimeUnit.SECONDS)) {
                            process.destroyForcibly();
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                if (kafka != null) {
                    kafka.close();
                }
            }
        }
    }

    private static Process start(List<String> command, Path dir) {
        try {
            Files.createDirectories(dir);
            Path log = dir.resolve("scheduler.log");
            return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command.get(0) + ": " + e.getMessage(), e);
        }
    }

    private static void registerNodes(KubernetesClient admin, int nodes) {
        Map<String, Quantity> room = Map.of("cpu", new Quantity("32"), "memory", new Quantity("128Gi"),
                "pods", new Quantity("110"));
        ExecutorService pool = Executors.newFixedThreadPool(CREATORS);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < nodes; i++) {
                String name = String.format("node-%05d", i);
                done.add(pool.submit(() -> ReadyNodes.create(admin, new NodeBuilder().withNewMetadata().withName(name)
                        .withLabels(Map.of("kubernetes.io/hostname", name)).endMetadata().withNewStatus()
                        .withCapacity(room).withAllocatable(room).addNewCondition().withType("Ready")
                        .withStatus("True").endCondition().endStatus().build())));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } catch (Exception e) {
            throw new IllegalStateException("registering " + nodes + " nodes failed: " + e, e);
        } finally {
            pool.shutdownNow();
        }
    }

    static Pod pod(String name, String schedulerName) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace(NS)
                .withLabels(Map.of("queue", "root.default", "applicationId", name)).endMetadata()
                .withNewSpec().withSchedulerName(schedulerName).addNewContainer().withName("main").withImage("busybox")
                .withNewResources().withRequests(Map.of("cpu", new Quantity("100m"), "memory", new Quantity("128Mi")))
                .endResources().endContainer().endSpec().build();
    }

    /** One pod bound before the clock starts: the scheduler is up, its caches synced, it leads. */
    private static void awaitWarmUp(KubernetesClient admin, PeerScheduler s, Process p, Path dir) {
        admin.pods().inNamespace(NS).resource(pod("warm-up", s.schedulerName())).create();
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (System.nanoTime() < deadline) {
            Pod pod = admin.pods().inNamespace(NS).withName("warm-up").get();
            if (pod != null && pod.getSpec().getNodeName() != null) {
                return;
            }
            if (!p.isAlive()) {
                throw new IllegalStateException(s.name() + " exited (" + p.exitValue() + ") before binding a pod; "
                        + "its output: " + dir.resolve("scheduler.log"));
            }
            sleep(100);
        }
        throw new IllegalStateException(s.name() + " bound no pod within 3 minutes; its output: "
                + dir.resolve("scheduler.log"));
    }

    private static Row measure(KubernetesClient admin, PeerScheduler s, Process process, EmbeddedKafka kafka,
                               long apiServerPid, int nodes, int pods, Duration timeout) {
        Map<String, Long> sent = new ConcurrentHashMap<>();
        Map<String, Long> latencies = new ConcurrentHashMap<>();
        AtomicLong lastBind = new AtomicLong();
        Watch watch = admin.pods().inNamespace(NS).watch(new Watcher<>() {
            @Override
            public void eventReceived(Action action, Pod pod) {
                String name = pod.getMetadata().getName();
                Long at = sent.get(name);
                if (at != null && pod.getSpec().getNodeName() != null && !latencies.containsKey(name)) {
                    long now = System.nanoTime();
                    latencies.put(name, now - at);
                    lastBind.set(now);
                }
            }

            @Override
            public void onClose(WatcherException cause) {
                LOG.warn("side by side: the pod watch closed: {}", cause == null ? "normally" : cause.toString());
            }
        });
        CpuAccount kafkaCpu = kafka == null ? null : CpuAccount.start();
        double schedulerBefore = cpuSeconds(process.pid());
        double apiBefore = cpuSeconds(apiServerPid);
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        AtomicInteger failed = new AtomicInteger();
        ExecutorService creators = Executors.newFixedThreadPool(CREATORS);
        AtomicInteger next = new AtomicInteger();
        for (int c = 0; c < CREATORS; c++) {
            creators.submit(() -> {
                for (int i; (i = next.getAndIncrement()) < pods && System.nanoTime() < deadline; ) {
                    String name = String.format("pod-%06d", i);
                    sent.put(name, System.nanoTime());
                    try {
                        admin.pods().inNamespace(NS).resource(pod(name, s.schedulerName())).create();
                    } catch (RuntimeException e) {
                        sent.remove(name);
                        if (failed.incrementAndGet() <= 3) {
                            LOG.warn("side by side: creating {} failed: {}", name, e.toString());
                        }
                    }
                }
            });
        }
        creators.shutdown();
        try {
            creators.awaitTermination(timeout.toSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        double createSeconds = (System.nanoTime() - start) / 1e9;
        int created = sent.size();
        while (latencies.size() < created && System.nanoTime() < deadline && process.isAlive()) {
            sleep(20);
        }
        long end = latencies.isEmpty() ? System.nanoTime() : lastBind.get();
        double schedulerCpu = cpuSeconds(process.pid()) - schedulerBefore;
        double apiCpu = cpuSeconds(apiServerPid) - apiBefore;
        double kafkaSeconds = kafkaCpu == null ? 0
                : kafkaCpu.seconds(List.of(CpuAccount.kafkaBroker())).getOrDefault("Kafka broker (embedded)", 0.0);
        watch.close();
        long[] sorted = latencies.values().stream().mapToLong(n -> n / 1_000_000).sorted().toArray();
        double seconds = (end - start) / 1e9;
        long bound = latencies.size();
        if (!process.isAlive()) {
            LOG.error("side by side: {} exited ({}) during the run", s.name(), process.exitValue());
        }
        return new Row(s.name(), s.setup(), created, bound, seconds, bound / Math.max(seconds, 1e-9),
                PodTracker.percentile(sorted, 50), PodTracker.percentile(sorted, 99), schedulerCpu, kafkaSeconds, apiCpu,
                created / Math.max(createSeconds, 1e-9), bound >= pods && failed.get() == 0);
    }

    /** CPU seconds (user + system) the process has used so far; 0 when it is gone or cannot be read. */
    static double cpuSeconds(long pid) {
        return pid < 0 ? 0 : ProcessHandle.of(pid).flatMap(h -> h.info().totalCpuDuration())
                .map(d -> d.toNanos() / 1e9).orElse(0.0);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
