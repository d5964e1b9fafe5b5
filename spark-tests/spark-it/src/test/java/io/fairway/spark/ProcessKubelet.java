package io.fairway.spark;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A kubelet for Spark's pods that really runs them, as JVMs on this machine, for the nodes it serves. There is no
 * container runtime: the pod network is the host's loopback (every pod's IP is 127.0.0.1), cluster DNS is a hosts
 * file given to each JVM ({@code -Djdk.net.hosts.file}: every Service's name resolves to 127.0.0.1), and the image is
 * Spark's classpath from the Maven artifacts. Spark's image entrypoint is what it emulates: {@code executor} starts
 * {@code KubernetesExecutorBackend}, {@code driver} runs {@code spark-submit} in client mode inside the pod, with
 * ConfigMap volumes written to a directory of the pod's and the mount path rewritten to it.
 */
final class ProcessKubelet implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ProcessKubelet.class);
    private static final String IP = "127.0.0.1";

    private final KubernetesClient client;
    private final Set<String> nodes;
    private final Path java;
    private final String classpath;
    private final Path work;
    private final Map<String, Process> running = new ConcurrentHashMap<>();
    private final Set<String> handled = ConcurrentHashMap.newKeySet();
    private final ExecutorService actions = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "process-kubelet");
        t.setDaemon(true);
        return t;
    });
    private final SharedIndexInformer<Pod> informer;

    ProcessKubelet(KubernetesClient client, Set<String> nodes, Path java, String classpath, Path work) {
        this.client = client;
        this.nodes = nodes;
        this.java = java;
        this.classpath = classpath;
        this.work = work;
        this.informer = client.pods().inAnyNamespace().inform(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod pod) {
                react(pod);
            }

            @Override
            public void onUpdate(Pod old, Pod pod) {
                react(pod);
            }

            @Override
            public void onDelete(Pod pod, boolean unknownFinalState) {
                stop(key(pod));
            }
        });
    }

    private static String key(Pod p) {
        return p.getMetadata().getNamespace() + "/" + p.getMetadata().getName() + "/" + p.getMetadata().getUid();
    }

    /** How many pods it has started so far. */
    int started() {
        return handled.size();
    }

    private void react(Pod pod) {
        String node = pod.getSpec().getNodeName();
        if (node == null || !nodes.contains(node)) {
            return;
        }
        String key = key(pod);
        if (pod.getMetadata().getDeletionTimestamp() != null) {
            actions.submit(() -> {
                stop(key);
                finishDeletion(pod);
            });
            return;
        }
        if (handled.add(key)) {
            actions.submit(() -> start(pod, key));
        }
    }

    private void start(Pod pod, String key) {
        String ns = pod.getMetadata().getNamespace();
        String name = pod.getMetadata().getName();
        try {
            Path dir = Files.createDirectories(work.resolve(ns + "-" + name));
            Container c = pod.getSpec().getContainers().get(0);
            Map<String, String> mounts = mountVolumes(pod, c, dir);
            Map<String, String> env = env(pod, c, mounts);
            List<String> args = new ArrayList<>();
            for (String a : c.getArgs() == null ? List.<String>of() : c.getArgs()) {
                args.add(rewrite(a, mounts));
            }
            Path hosts = hostsFile(dir);
            List<String> cmd = command(args, env, hosts);
            Path log = dir.resolve("out.log");
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            pb.environment().putAll(env);
            Process p = pb.start();
            running.put(key, p);
            LOG.info("process kubelet: {}/{} started on {} as pid {} ({})", ns, name, pod.getSpec().getNodeName(),
                    p.pid(), args.isEmpty() ? "?" : args.get(0));
            status(ns, name, Map.of("phase", "Running", "podIP", IP, "hostIP", IP,
                    "podIPs", List.of(Map.of("ip", IP)), "startTime", Instant.now().toString(),
                    "conditions", List.of(Map.of("type", "Ready", "status", "True"),
                            Map.of("type", "ContainersReady", "status", "True")),
                    "containerStatuses", List.of(Map.of("name", c.getName(), "ready", true, "restartCount", 0,
                            "image", String.valueOf(c.getImage()), "imageID", "",
                            "state", Map.of("running", Map.of("startedAt", Instant.now().toString()))))));
            int exit = p.waitFor();
            running.remove(key);
            LOG.info("process kubelet: {}/{} exited with {}", ns, name, exit);
            status(ns, name, Map.of("phase", exit == 0 ? "Succeeded" : "Failed",
                    "containerStatuses", List.of(Map.of("name", c.getName(), "ready", false, "restartCount", 0,
                            "image", String.valueOf(c.getImage()), "imageID", "",
                            "state", Map.of("terminated", Map.of("exitCode", exit, "reason",
                                    exit == 0 ? "Completed" : "Error", "finishedAt", Instant.now().toString()))))));
        } catch (IOException | RuntimeException e) {
            LOG.warn("process kubelet: cannot run {}/{}: {}", ns, name, e.toString());
            status(ns, name, Map.of("phase", "Failed", "message", "process kubelet: " + e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Spark's image entrypoint, as a command line on this machine. */
    private List<String> command(List<String> args, Map<String, String> env, Path hosts) {
        List<String> cmd = new ArrayList<>(List.of(java.toString(), "-Djdk.net.hosts.file=" + hosts));
        cmd.addAll(SparkSubmit.MODULE_OPTIONS);
        String role = args.isEmpty() ? "" : args.get(0);
        switch (role) {
            case "executor" -> {
                env.keySet().stream().filter(k -> k.startsWith("SPARK_JAVA_OPT_")).sorted()
                        .forEach(k -> cmd.add(env.get(k)));
                String memory = env.getOrDefault("SPARK_EXECUTOR_MEMORY", "512m");
                cmd.addAll(List.of("-Xms" + memory, "-Xmx" + memory, "-cp", classpath,
                        "org.apache.spark.scheduler.cluster.k8s.KubernetesExecutorBackend",
                        "--driver-url", env.get("SPARK_DRIVER_URL"), "--executor-id", env.get("SPARK_EXECUTOR_ID"),
                        "--cores", env.get("SPARK_EXECUTOR_CORES"), "--app-id", env.get("SPARK_APPLICATION_ID"),
                        "--hostname", IP, "--resourceProfileId", env.getOrDefault("SPARK_RESOURCE_PROFILE_ID", "0"),
                        "--podName", env.getOrDefault("SPARK_EXECUTOR_POD_NAME", "")));
            }
            case "driver" -> {
                cmd.addAll(List.of("-Xmx512m", "-cp", classpath, "org.apache.spark.deploy.SparkSubmit",
                        "--conf", "spark.driver.bindAddress=" + IP,
                        "--conf", "spark.executorEnv.SPARK_DRIVER_POD_IP=" + IP, "--deploy-mode", "client"));
                cmd.addAll(args.subList(1, args.size()));
            }
            default -> throw new IllegalArgumentException("container args " + args + ": this kubelet runs Spark's "
                    + "driver and executor pods only");
        }
        return cmd;
    }

    /** The container's environment: plain values, and the downward API fields Spark uses. */
    private static Map<String, String> env(Pod pod, Container c, Map<String, String> mounts) {
        Map<String, String> env = new LinkedHashMap<>();
        for (EnvVar e : c.getEnv() == null ? List.<EnvVar>of() : c.getEnv()) {
            if (e.getValue() != null) {
                env.put(e.getName(), rewrite(e.getValue(), mounts));
            } else if (e.getValueFrom() != null && e.getValueFrom().getFieldRef() != null) {
                String field = e.getValueFrom().getFieldRef().getFieldPath();
                env.put(e.getName(), switch (field) {
                    case "status.podIP", "status.hostIP" -> IP;
                    case "metadata.name" -> pod.getMetadata().getName();
                    case "metadata.namespace" -> pod.getMetadata().getNamespace();
                    case "metadata.uid" -> pod.getMetadata().getUid();
                    default -> "";
                });
            }
        }
        return env;
    }

    /** Writes each ConfigMap volume's files under the pod's directory; mount path to directory. */
    private Map<String, String> mountVolumes(Pod pod, Container c, Path dir) throws IOException {
        Map<String, String> mounts = new LinkedHashMap<>();
        for (VolumeMount m : c.getVolumeMounts() == null ? List.<VolumeMount>of() : c.getVolumeMounts()) {
            Volume v = pod.getSpec().getVolumes().stream().filter(x -> x.getName().equals(m.getName())).findFirst()
                    .orElse(null);
            Path target = Files.createDirectories(dir.resolve("volumes").resolve(m.getName()));
            if (v != null && v.getConfigMap() != null) {
                ConfigMap cm = awaitConfigMap(pod.getMetadata().getNamespace(), v.getConfigMap().getName());
                if (cm != null && cm.getData() != null) {
                    for (Map.Entry<String, String> f : cm.getData().entrySet()) {
                        Files.writeString(target.resolve(f.getKey()), f.getValue());
                    }
                }
            }
            mounts.put(m.getMountPath(), target.toString());
        }
        return mounts;
    }

    /** As a kubelet does, the pod waits for a ConfigMap it mounts (spark-submit creates the driver's after the pod). */
    private ConfigMap awaitConfigMap(String ns, String name) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            ConfigMap cm = client.configMaps().inNamespace(ns).withName(name).get();
            if (cm != null || System.nanoTime() > deadline) {
                return cm;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
    }

    private static String rewrite(String value, Map<String, String> mounts) {
        String out = value;
        for (Map.Entry<String, String> m : mounts.entrySet()) {
            out = out.replace(m.getKey(), m.getValue());
        }
        return out;
    }

    /** Cluster DNS: every Service, by each of its names, at the loopback address; localhost too. */
    private Path hostsFile(Path dir) throws IOException {
        // the JVM resolves its own host name at start; in a pod that is the pod's name, here the machine's
        StringBuilder b = new StringBuilder("127.0.0.1 localhost " + hostName() + "\n");
        List<Service> services;
        try {
            services = client.services().inAnyNamespace().list().getItems();
        } catch (KubernetesClientException e) {
            // an API server without Services: client mode needs none
            LOG.debug("no services to resolve: {}", e.getMessage());
            services = List.of();
        }
        for (Service s : services) {
            String n = s.getMetadata().getName();
            String ns = s.getMetadata().getNamespace();
            b.append(IP).append(' ').append(n).append(' ').append(n).append('.').append(ns).append(' ')
                    .append(n).append('.').append(ns).append(".svc ").append(n).append('.').append(ns)
                    .append(".svc.cluster.local\n");
        }
        return Files.writeString(dir.resolve("hosts"), b.toString());
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }

    private void status(String ns, String name, Map<String, Object> status) {
        try {
            client.pods().inNamespace(ns).withName(name).subresource("status")
                    .patch(PatchContext.of(PatchType.JSON_MERGE), Serialization.asJson(Map.of("status", status)));
        } catch (KubernetesClientException e) {
            if (e.getCode() != 404) {
                LOG.warn("process kubelet: cannot write the status of {}/{}: {}", ns, name, e.getMessage());
            }
        }
    }

    private void stop(String key) {
        Process p = running.remove(key);
        if (p == null) {
            return;
        }
        p.destroy();
        try {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
        }
    }

    private void finishDeletion(Pod pod) {
        try {
            client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName())
                    .withGracePeriod(0).delete();
        } catch (KubernetesClientException e) {
            LOG.debug("finishing the deletion of {}: {}", pod.getMetadata().getName(), e.getMessage());
        }
    }

    @Override
    public void close() {
        informer.close();
        for (String key : List.copyOf(running.keySet())) {
            stop(key);
        }
        actions.shutdownNow();
    }

    /** For a failure's message: each pod's output, last lines. */
    String outputs() {
        StringBuilder b = new StringBuilder();
        try (var dirs = Files.list(work)) {
            for (Path d : dirs.toList()) {
                Path log = d.resolve("out.log");
                if (Files.exists(log)) {
                    List<String> lines = Files.readAllLines(log);
                    b.append("---- ").append(d.getFileName()).append('\n')
                            .append(String.join("\n", lines.subList(Math.max(0, lines.size() - 25), lines.size())))
                            .append('\n');
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return b.toString();
    }
}
