package io.fairway.sandbox.kubelet;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Simulated kubelets, like KWOK's: one process plays the kubelet of every node labelled
 * {@link NodeFleet#SIMULATED_LABEL}{@code =true}, through the API server only, so it runs unchanged against a real
 * cluster.
 *
 * <p>A pod bound to one of these nodes (by a binding, or created with {@code spec.nodeName}) goes {@code Running}
 * after {@link KubeletOptions#startDelay()}, with a pod IP from the node's pod CIDR, the node's IP as host IP,
 * {@code startTime}, running container statuses and the conditions {@code Initialized}, {@code ContainersReady},
 * {@code Ready} and {@code PodScheduled}. After its run time ({@value PodLifecycle#RUN_SECONDS}, else
 * {@link KubeletOptions#defaultRunTime()}, else never) it goes {@code Succeeded}, or {@code Failed} when
 * {@value PodLifecycle#EXIT_CODE} is non-zero. A pod already {@code Running} when the kubelets start (a restart) keeps
 * running until {@code startTime} + its run time.
 *
 * <p>One informer on nodes and one on bound pods (field selector {@code spec.nodeName!=}, all namespaces, indexed by
 * node) feed one timer thread; the status writes (JSON merge patches of the {@code status} subresource, carrying the
 * pod's uid so a same-named successor is never touched) run on a pool of {@link KubeletOptions#parallelism()}
 * threads. A failed write is retried with backoff; a pod deleted (or found gone) is forgotten; a pod being deleted
 * gracefully ({@code deletionTimestamp} set) stops running and, {@link KubeletOptions#stopTime()} later (at most its
 * grace period), is deleted for good with grace period 0 and its uid as precondition, as a kubelet does once its
 * containers stopped; a node deleted, or no longer labelled, stops its kubelet and forgets its pods.
 */
public final class SimulatedKubelets implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SimulatedKubelets.class);
    /** Where node leases live. */
    public static final String NODE_LEASE_NAMESPACE = "kube-node-lease";
    private static final String BY_NODE = "fairway.io/by-node";
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);
    private static final DateTimeFormatter MICRO_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSX").withZone(ZoneOffset.UTC);

    private enum Stage { STARTING, RUNNING, FINISHING, DONE, GONE }

    /** One pod this process plays the kubelet of. */
    private static final class Tracked {
        final String uid;
        final String namespace;
        final String name;
        final String node;
        final Pod ref; // name and namespace only: what a patch needs to address the pod
        volatile Pod pod;
        Stage stage = Stage.STARTING; // guarded by this
        volatile ScheduledFuture<?> timer;
        volatile Instant startedAt;
        volatile String podIp;
        volatile Duration runTime;
        volatile int exitCode;
        volatile int attempts;

        Tracked(Pod pod) {
            this.pod = pod;
            this.uid = pod.getMetadata().getUid();
            this.namespace = pod.getMetadata().getNamespace();
            this.name = pod.getMetadata().getName();
            this.node = pod.getSpec().getNodeName();
            this.ref = new PodBuilder().withNewMetadata().withName(name).withNamespace(namespace).endMetadata().build();
        }
    }

    /** One node this process plays the kubelet of. */
    private static final class NodeState {
        final String name;
        final String hostIp;
        final String podPrefix;
        final BitSet used = new BitSet(256); // guarded by this
        int next = 2; // guarded by this
        volatile boolean leaseCreated;

        NodeState(Node node) {
            this.name = node.getMetadata().getName();
            this.hostIp = hostIp(node);
            this.podPrefix = podPrefix(node);
        }

        synchronized String allocate() {
            for (int i = 0; i < 253; i++) {
                int candidate = 2 + (next - 2 + i) % 253; // .2 to .254
                if (!used.get(candidate)) {
                    used.set(candidate);
                    next = candidate + 1;
                    return podPrefix + candidate;
                }
            }
            int reused = 2 + (next - 2) % 253; // more pods than addresses: share one, as a simulation may
            next = reused + 1;
            return podPrefix + reused;
        }

        synchronized void release(String ip) {
            if (ip != null && ip.startsWith(podPrefix)) {
                try {
                    used.clear(Integer.parseInt(ip.substring(podPrefix.length())));
                } catch (NumberFormatException | IndexOutOfBoundsException ignored) {
                    // not one of ours
                }
            }
        }

        private static String hostIp(Node node) {
            if (node.getStatus() != null && node.getStatus().getAddresses() != null) {
                for (NodeAddress a : node.getStatus().getAddresses()) {
                    if ("InternalIP".equals(a.getType()) && a.getAddress() != null) {
                        return a.getAddress();
                    }
                }
            }
            int h = node.getMetadata().getName().hashCode();
            return "172.31." + ((h >>> 8) & 255) + "." + (1 + (h & 127));
        }

        private static String podPrefix(Node node) {
            String cidr = node.getSpec() == null ? null : node.getSpec().getPodCIDR();
            if (cidr != null && cidr.matches("\\d+\\.\\d+\\.\\d+\\.0/24")) {
                return cidr.substring(0, cidr.lastIndexOf('.') + 1);
            }
            int h = node.getMetadata().getName().hashCode();
            return "100." + (64 + ((h >>> 16) & 63)) + "." + ((h >>> 8) & 255) + ".";
        }
    }

    private final KubernetesClient client;
    private final KubeletOptions options;
    private final Clock clock;
    private final ScheduledThreadPoolExecutor timers;
    private final ThreadPoolExecutor writers;
    private final Map<String, NodeState> nodes = new ConcurrentHashMap<>();
    private final Map<String, Tracked> pods = new ConcurrentHashMap<>();
    /** Uids of pods being deleted gracefully whose final deletion is scheduled: scheduled once, however often seen. */
    private final Set<String> stopping = ConcurrentHashMap.newKeySet();
    private final LongAdder started = new LongAdder();
    private final LongAdder succeeded = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final LongAdder running = new LongAdder();
    private final LongAdder forgotten = new LongAdder();
    private final LongAdder writeErrors = new LongAdder();
    private volatile SharedIndexInformer<Node> nodeInformer;
    private volatile SharedIndexInformer<Pod> podInformer;
    private volatile boolean closed;

    private SimulatedKubelets(KubernetesClient client, KubeletOptions options, Clock clock) {
        this.client = client;
        this.options = options;
        this.clock = clock;
        this.timers = new ScheduledThreadPoolExecutor(1, daemon("fairway-kubelet-timer"));
        this.timers.setRemoveOnCancelPolicy(true);
        this.timers.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.writers = new ThreadPoolExecutor(options.parallelism(), options.parallelism(), 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), daemon("fairway-kubelet-writer"));
        this.writers.allowCoreThreadTimeOut(true);
    }

    /** Starts kubelets with {@link KubeletOptions#defaults()}. */
    public static SimulatedKubelets start(KubernetesClient client) {
        return start(client, KubeletOptions.defaults());
    }

    /**
     * Starts the kubelets: syncs the node informer, then the pod informer, and returns once both have listed.
     * Close to stop them (pods keep the status they have).
     */
    public static SimulatedKubelets start(KubernetesClient client, KubeletOptions options) {
        return start(client, options, Clock.systemUTC());
    }

    /** As {@link #start(KubernetesClient, KubeletOptions)}, with the clock that stamps statuses. */
    public static SimulatedKubelets start(KubernetesClient client, KubeletOptions options, Clock clock) {
        SimulatedKubelets k = new SimulatedKubelets(client, options, clock);
        try {
            k.run();
        } catch (RuntimeException e) {
            k.close();
            throw e;
        }
        return k;
    }

    private void run() {
        if (!options.heartbeatInterval().isZero()) {
            try {
                client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NODE_LEASE_NAMESPACE)
                        .endMetadata().build()).create();
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409) {
                    throw e;
                }
            }
        }
        nodeInformer = client.nodes().inform(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Node node) {
                nodeSeen(node);
            }

            @Override
            public void onUpdate(Node oldNode, Node node) {
                nodeSeen(node);
            }

            @Override
            public void onDelete(Node node, boolean unknownFinalState) {
                nodeGone(node.getMetadata().getName());
            }
        }, 0);
        SharedIndexInformer<Pod> informer = client.pods().inAnyNamespace().withoutField("spec.nodeName", "")
                .runnableInformer(0);
        informer.addIndexers(Map.of(BY_NODE, p -> {
            String n = p.getSpec() == null ? null : p.getSpec().getNodeName();
            return n == null || n.isEmpty() ? List.of() : List.of(n);
        }));
        informer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod pod) {
                observe(pod);
            }

            @Override
            public void onUpdate(Pod oldPod, Pod pod) {
                observe(pod);
            }

            @Override
            public void onDelete(Pod pod, boolean unknownFinalState) {
                forget(pod.getMetadata().getUid());
                stopping.remove(pod.getMetadata().getUid());
            }
        });
        podInformer = informer;
        informer.run();
        // nodes seen before the pod informer existed: take up their pods now
        for (String n : nodes.keySet()) {
            adoptPodsOf(n);
        }
        if (!options.heartbeatInterval().isZero()) {
            long ms = options.heartbeatInterval().toMillis();
            timers.scheduleWithFixedDelay(this::heartbeat, 0, ms, TimeUnit.MILLISECONDS);
        }
        LOG.info("simulated kubelets serving {} nodes (start delay {}, {} writers)", nodes.size(), options.startDelay(),
                options.parallelism());
    }

    /** Counters since start. */
    public KubeletStats stats() {
        return new KubeletStats(nodes.size(), started.sum(), succeeded.sum(), failed.sum(), running.sum(),
                forgotten.sum(), writeErrors.sum());
    }

    /** The nodes served now. */
    public Set<String> nodes() {
        return Set.copyOf(nodes.keySet());
    }

    /** Pods this process tracks now (starting, running, or finished and not yet deleted). */
    public int trackedPods() {
        return pods.size();
    }

    // ---- nodes ----

    private void nodeSeen(Node node) {
        if (closed) {
            return;
        }
        String name = node.getMetadata().getName();
        Map<String, String> labels = node.getMetadata().getLabels();
        boolean ours = labels != null && "true".equals(labels.get(NodeFleet.SIMULATED_LABEL));
        if (!ours) {
            if (nodes.containsKey(name)) {
                nodeGone(name);
            }
            return;
        }
        if (nodes.putIfAbsent(name, new NodeState(node)) == null) {
            LOG.debug("kubelet of node {} started", name);
            adoptPodsOf(name);
        }
    }

    private void adoptPodsOf(String node) {
        SharedIndexInformer<Pod> informer = podInformer;
        if (informer == null) {
            return;
        }
        for (Pod p : informer.getIndexer().byIndex(BY_NODE, node)) {
            observe(p);
        }
    }

    private void nodeGone(String name) {
        if (nodes.remove(name) == null) {
            return;
        }
        LOG.debug("kubelet of node {} stopped", name);
        for (Tracked t : pods.values()) {
            if (t.node.equals(name)) {
                forget(t.uid);
            }
        }
    }

    // ---- pods ----

    private void observe(Pod pod) {
        if (closed || pod.getSpec() == null || pod.getMetadata() == null || pod.getMetadata().getUid() == null) {
            return;
        }
        String node = pod.getSpec().getNodeName();
        if (node == null || !nodes.containsKey(node)) {
            return;
        }
        String uid = pod.getMetadata().getUid();
        if (pod.getMetadata().getDeletionTimestamp() != null) {
            forget(uid);
            if (stopping.add(uid)) {
                stopThenDelete(pod);
            }
            return;
        }
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        boolean terminal = "Succeeded".equals(phase) || "Failed".equals(phase);
        Tracked known = pods.get(uid);
        if (known != null) {
            synchronized (known) {
                if (known.stage == Stage.STARTING || known.stage == Stage.RUNNING) {
                    known.pod = pod;
                    if (terminal) {
                        // finished by another writer: nothing left to do for it
                        cancelTimer(known);
                        endEarly(known);
                        known.stage = Stage.DONE;
                    }
                }
            }
            return;
        }
        if (terminal) {
            return;
        }
        Tracked t = new Tracked(pod);
        if (pods.putIfAbsent(uid, t) != null) {
            return;
        }
        if ("Running".equals(phase)) {
            adoptRunning(t, pod);
        } else {
            later(t, options.startDelay(), () -> start(t));
        }
    }

    /** A pod already running when first seen (these kubelets restarted): it finishes at startTime + run time. */
    private void adoptRunning(Tracked t, Pod pod) {
        Instant now = clock.instant();
        Instant startedAt = parseTime(pod.getStatus().getStartTime(), now);
        synchronized (t) {
            t.stage = Stage.RUNNING;
            t.startedAt = startedAt;
            t.podIp = pod.getStatus().getPodIP();
            t.runTime = runTime(pod);
            t.exitCode = PodLifecycle.exitCode(pod);
            running.increment();
        }
        if (t.runTime != null) {
            Duration left = Duration.between(now, startedAt.plus(t.runTime));
            later(t, left.isNegative() ? Duration.ZERO : left, () -> finish(t));
        }
    }

    private Duration runTime(Pod pod) {
        return PodLifecycle.runTime(pod).orElse(options.defaultRunTime());
    }

    private void start(Tracked t) {
        NodeState node = nodes.get(t.node);
        if (closed || node == null || pods.get(t.uid) != t) {
            return;
        }
        Pod pod;
        synchronized (t) {
            if (t.stage != Stage.STARTING) {
                return;
            }
            pod = t.pod;
            if (t.podIp == null) {
                t.podIp = node.allocate();
            }
        }
        Instant now = clock.instant();
        switch (writeStatus(t, PodLifecycle.running(pod, node.hostIp, t.podIp, now))) {
            case GONE -> {
                return;
            }
            case FAILED -> {
                later(t, backoff(t), () -> start(t));
                return;
            }
            case WRITTEN -> {
                // go on
            }
        }
        Duration runTime = runTime(pod);
        synchronized (t) {
            if (t.stage != Stage.STARTING) {
                return;
            }
            t.stage = Stage.RUNNING;
            t.startedAt = now;
            t.runTime = runTime;
            t.exitCode = PodLifecycle.exitCode(pod);
            t.attempts = 0;
            started.increment();
            running.increment();
        }
        if (runTime != null) {
            later(t, runTime, () -> finish(t));
        }
    }

    private void finish(Tracked t) {
        NodeState node = nodes.get(t.node);
        if (closed || node == null || pods.get(t.uid) != t) {
            return;
        }
        Pod pod;
        synchronized (t) {
            if (t.stage != Stage.RUNNING) {
                return;
            }
            t.stage = Stage.FINISHING; // our own terminal status, seen by the informer, is not someone else's
            pod = t.pod;
        }
        Instant now = clock.instant();
        int exit = t.exitCode;
        PodStatus status = PodLifecycle.terminated(pod, node.hostIp, t.podIp, t.startedAt, now, exit);
        Written w = writeStatus(t, status);
        synchronized (t) {
            if (t.stage != Stage.FINISHING) {
                return; // forgotten meanwhile
            }
            if (w != Written.WRITTEN) {
                t.stage = Stage.RUNNING;
            } else {
                t.stage = Stage.DONE;
                t.pod = null;
                running.decrement();
                (exit == 0 ? succeeded : failed).increment();
            }
        }
        if (w == Written.FAILED) {
            later(t, backoff(t), () -> finish(t));
            return;
        }
        if (w == Written.GONE) {
            return;
        }
        node.release(t.podIp);
        Duration ttl = options.deleteFinishedAfter();
        if (ttl != null) {
            later(t, ttl, () -> {
                if (pods.get(t.uid) == t) {
                    deleteNow(t.namespace, t.name);
                }
            });
        }
    }

    private enum Written { WRITTEN, GONE, FAILED }

    /**
     * Writes {@code status} to the pod's status subresource (a JSON merge patch carrying the pod's uid, so that a
     * successor of the same name is never written). GONE: the pod is gone or is another pod now, and was forgotten;
     * FAILED: retry later.
     */
    private Written writeStatus(Tracked t, PodStatus status) {
        Map<String, Object> patch = Map.of("metadata", Map.of("uid", t.uid), "status", status);
        try {
            // through resource(ref): withName(..).patch would GET the pod first
            client.pods().inNamespace(t.namespace).resource(t.ref).subresource("status")
                    .patch(PatchContext.of(PatchType.JSON_MERGE), Serialization.asJson(patch));
            return Written.WRITTEN;
        } catch (KubernetesClientException e) {
            int code = e.getCode();
            if (code == 404 || code == 409 || code == 422) {
                if (code == 422) {
                    LOG.warn("status of {}/{} rejected, pod forgotten: {}", t.namespace, t.name, e.getMessage());
                } else if (code == 409) {
                    LOG.debug("status of {}/{} not written, the name belongs to another pod: {}", t.namespace, t.name,
                            e.getMessage());
                }
                forget(t.uid);
                return Written.GONE;
            }
            if (closed) {
                return Written.GONE;
            }
            writeErrors.increment();
            int attempt = ++t.attempts;
            if (attempt <= 3 || attempt % 20 == 0) {
                LOG.warn("status of pod {}/{} not written (attempt {}, will retry): {}", t.namespace, t.name, attempt,
                        e.getMessage());
            }
            return Written.FAILED;
        } catch (RuntimeException e) {
            if (closed) {
                return Written.GONE; // the client was closed under us
            }
            throw e;
        }
    }

    private static Duration backoff(Tracked t) {
        return Duration.ofMillis(Math.min(MAX_BACKOFF.toMillis(), 100L << Math.min(t.attempts, 10)));
    }

    private static void cancelTimer(Tracked t) {
        ScheduledFuture<?> timer = t.timer;
        if (timer != null) {
            timer.cancel(false);
        }
    }

    /** Counts a pod that stops being ours before it finished (call holding its lock). */
    private void endEarly(Tracked t) {
        if (t.stage == Stage.RUNNING || t.stage == Stage.FINISHING) {
            running.decrement();
        }
        if (t.stage == Stage.STARTING || t.stage == Stage.RUNNING || t.stage == Stage.FINISHING) {
            forgotten.increment();
            NodeState node = nodes.get(t.node);
            if (node != null) {
                node.release(t.podIp);
            }
        }
    }

    /**
     * A graceful deletion: the containers get {@link KubeletOptions#stopTime()} (never more than the pod's grace
     * period) to stop, then the pod is deleted for good. The uid precondition keeps a successor of the same name alive.
     */
    private void stopThenDelete(Pod pod) {
        String namespace = pod.getMetadata().getNamespace();
        String name = pod.getMetadata().getName();
        String uid = pod.getMetadata().getUid();
        Long grace = pod.getMetadata().getDeletionGracePeriodSeconds();
        Duration stop = options.stopTime();
        if (grace != null && Duration.ofSeconds(Math.max(0, grace)).compareTo(stop) < 0) {
            stop = Duration.ofSeconds(Math.max(0, grace));
        }
        Runnable finish = () -> execute(() -> {
            try {
                deleteForGood(namespace, name, uid);
            } finally {
                stopping.remove(uid);
            }
        });
        if (stop.isZero()) {
            finish.run();
            return;
        }
        try {
            timers.schedule(finish, stop.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            if (!closed) {
                throw e;
            }
        }
    }

    /** {@code DELETE} with grace period 0 and a uid precondition: this pod, never a successor of the same name. */
    private void deleteForGood(String namespace, String name, String uid) {
        String base = client.getMasterUrl().toString();
        String url = base + (base.endsWith("/") ? "" : "/") + "api/v1/namespaces/" + namespace + "/pods/" + name;
        String body = "{\"kind\":\"DeleteOptions\",\"apiVersion\":\"v1\",\"gracePeriodSeconds\":0,"
                + "\"preconditions\":{\"uid\":\"" + uid + "\"}}";
        try {
            int code = client.getHttpClient().sendAsync(client.getHttpClient().newHttpRequestBuilder().uri(url)
                    .delete("application/json", body).build(), String.class).get(30, TimeUnit.SECONDS).code();
            // 404: gone already; 409: the name is another pod's now
            if (code >= 300 && code != 404 && code != 409 && !closed) {
                LOG.warn("pod {}/{} (uid {}) not deleted after it stopped: HTTP {}", namespace, name, uid, code);
            }
        } catch (ExecutionException | TimeoutException e) {
            if (!closed) {
                LOG.warn("pod {}/{} (uid {}) not deleted after it stopped: {}", namespace, name, uid, e.toString());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void deleteNow(String namespace, String name) {
        try {
            client.pods().inNamespace(namespace).withName(name).withGracePeriod(0).delete();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 404 && !closed) {
                LOG.warn("pod {}/{} not deleted: {}", namespace, name, e.getMessage());
            }
        } catch (RuntimeException e) {
            if (!closed) {
                throw e;
            }
        }
    }

    private void forget(String uid) {
        if (uid == null) {
            return;
        }
        Tracked t = pods.remove(uid);
        if (t == null) {
            return;
        }
        cancelTimer(t);
        synchronized (t) {
            endEarly(t);
            t.stage = Stage.GONE;
        }
    }

    private void execute(Runnable r) {
        try {
            writers.execute(r);
        } catch (RejectedExecutionException e) {
            if (!closed) {
                throw e;
            }
        }
    }

    /** Runs {@code action} on a writer after {@code delay} (at once for zero). */
    private void later(Tracked t, Duration delay, Runnable action) {
        if (closed) {
            return;
        }
        Runnable guarded = () -> {
            try {
                action.run();
            } catch (RuntimeException e) {
                if (!closed) {
                    LOG.warn("simulated kubelet step for pod {}/{} failed", t.namespace, t.name, e);
                }
            }
        };
        try {
            if (delay.isZero()) {
                writers.execute(guarded);
            } else {
                t.timer = timers.schedule(() -> {
                    if (!closed) {
                        writers.execute(guarded);
                    }
                }, delay.toNanos(), TimeUnit.NANOSECONDS);
            }
        } catch (RejectedExecutionException e) {
            if (!closed) {
                throw e;
            }
        }
    }

    // ---- leases ----

    private void heartbeat() {
        for (NodeState n : nodes.values()) {
            try {
                writers.execute(() -> renewLease(n));
            } catch (RejectedExecutionException e) {
                return;
            }
        }
    }

    private void renewLease(NodeState n) {
        if (closed || !nodes.containsKey(n.name)) {
            return;
        }
        Instant now = clock.instant();
        try {
            if (!n.leaseCreated) {
                Lease lease = new LeaseBuilder()
                        .withNewMetadata().withName(n.name).withNamespace(NODE_LEASE_NAMESPACE).endMetadata()
                        .withNewSpec()
                            .withHolderIdentity(n.name)
                            .withLeaseDurationSeconds((int) Math.max(40, options.heartbeatInterval().toSeconds() * 4))
                            .withRenewTime(now.atZone(ZoneOffset.UTC))
                        .endSpec()
                        .build();
                try {
                    client.leases().inNamespace(NODE_LEASE_NAMESPACE).resource(lease).create();
                    n.leaseCreated = true;
                    return;
                } catch (KubernetesClientException e) {
                    if (e.getCode() != 409) {
                        throw e;
                    }
                    n.leaseCreated = true;
                }
            }
            String patch = Serialization.asJson(Map.of("spec", Map.of("renewTime", MICRO_TIME.format(now))));
            Lease ref = new LeaseBuilder().withNewMetadata().withName(n.name).withNamespace(NODE_LEASE_NAMESPACE).endMetadata().build();
            client.leases().inNamespace(NODE_LEASE_NAMESPACE).resource(ref).patch(PatchContext.of(PatchType.JSON_MERGE), patch);
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                n.leaseCreated = false;
            } else if (!closed) {
                writeErrors.increment();
                LOG.debug("lease of node {} not renewed: {}", n.name, e.getMessage());
            }
        } catch (RuntimeException e) {
            if (!closed) {
                throw e;
            }
        }
    }

    // ---- helpers ----

    private static Instant parseTime(String t, Instant fallback) {
        if (t == null || t.isEmpty()) {
            return fallback;
        }
        try {
            return Instant.parse(t);
        } catch (DateTimeParseException e) {
            return fallback;
        }
    }

    private static ThreadFactory daemon(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** Stops the informers, timers and writers; pods keep the status they have. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        SharedIndexInformer<Pod> p = podInformer;
        if (p != null) {
            p.stop();
        }
        SharedIndexInformer<Node> n = nodeInformer;
        if (n != null) {
            n.stop();
        }
        timers.shutdownNow();
        writers.shutdownNow();
        try {
            writers.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LOG.info("simulated kubelets stopped: {}", stats());
    }
}
