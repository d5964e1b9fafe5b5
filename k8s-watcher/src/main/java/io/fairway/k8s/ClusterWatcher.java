package io.fairway.k8s;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClass;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fairway.core.config.ConfigException;
import io.fairway.core.config.QueueConfigParser;
import io.fairway.core.events.NodeGone;
import io.fairway.core.events.NodeObserved;
import io.fairway.core.events.Observation;
import io.fairway.core.events.PodGone;
import io.fairway.core.events.PodObserved;
import io.fairway.core.events.PriorityClassGone;
import io.fairway.core.events.PriorityClassObserved;
import io.fairway.core.events.QueueConfigObserved;
import io.fairway.core.objects.YuniKornLabels;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiPredicate;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the API server's objects into observations: informers on pods (all namespaces), nodes, priority classes and
 * the queue ConfigMap, each change an event with the object's resourceVersion. Namespaces are watched too, but only
 * for the default user and groups they give their pods ({@link NamespaceDefaults}): they are no observation of their
 * own, the resolved user is in the pod's, so a replay never needs to know what a namespace said at the time.
 *
 * <p>A lost watch makes an informer list again; what it then reports as added or updated carries versions the state
 * already holds (ignored there), and what disappeared meanwhile comes as a delete, which is appended like any other.
 * So nothing is duplicated in effect and nothing is lost. Pods of every scheduler are observed: those bound by
 * others use their node's room.
 */
public final class ClusterWatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterWatcher.class);

    private final KubernetesClient client;
    private final ObservationSink sink;
    private final WatcherOptions options;
    private final Clock clock;
    private final Map<String, Integer> priorityClasses = new ConcurrentHashMap<>();
    /** Only the namespaces that give defaults: most give none. */
    private final Map<String, NamespaceDefaults> namespaceDefaults = new ConcurrentHashMap<>();
    /** Pods (namespace/name) whose unreadable user.info was reported, so that each one is reported once. */
    private final Set<String> unreadableUserInfoReported = ConcurrentHashMap.newKeySet();
    private final List<SharedIndexInformer<?>> informers = new ArrayList<>();
    private SharedIndexInformer<PriorityClass> priorityClassInformer;
    private SharedIndexInformer<Namespace> namespaceInformer;
    private SharedIndexInformer<Node> nodeInformer;
    private SharedIndexInformer<ConfigMap> configInformer;
    private SharedIndexInformer<Pod> podInformer;
    /** The last queue config text rejected, so that it is reported once, not at every resync. */
    private volatile String rejectedConfigVersion = "";
    /** How long {@link #start} took: every informer's first list (a replica's start reports it). */
    private volatile double startSeconds;

    public ClusterWatcher(KubernetesClient client, ObservationSink sink, WatcherOptions options, Clock clock) {
        this.client = client;
        this.sink = sink;
        this.options = options;
        this.clock = clock;
    }

    /**
     * Starts the informers and waits for each one's first list: priority classes and namespaces first (pods name
     * them), then nodes and the queue config, then pods.
     *
     * @throws WatcherException an informer did not list within {@code syncTimeout}, with the API server's error
     */
    public ClusterWatcher start() {
        long t0 = System.nanoTime();
        long resync = options.resync().toMillis();
        priorityClassInformer = client.scheduling().v1().priorityClasses().runnableInformer(resync);
        namespaceInformer = client.namespaces().runnableInformer(resync);
        nodeInformer = client.nodes().runnableInformer(resync);
        configInformer = client.configMaps().inNamespace(options.configNamespace()).withName(options.configName())
                .runnableInformer(resync);
        podInformer = client.pods().inAnyNamespace().runnableInformer(resync);
        start("priority classes", priorityClassInformer,
                handler(this::priorityClass, pc -> new PriorityClassGone(clock.millis(), pc.getMetadata().getName(),
                        pc.getMetadata().getResourceVersion())));
        start("namespaces", namespaceInformer, new NamespaceHandler());
        start("nodes", nodeInformer,
                handler(n -> new NodeObserved(clock.millis(), KubeObjects.node(n)),
                        n -> new NodeGone(clock.millis(), n.getMetadata().getName(), n.getMetadata().getResourceVersion())));
        start("queue config map " + options.configNamespace() + "/" + options.configName(), configInformer,
                new ConfigMapHandler());
        start("pods", podInformer,
                handler(p -> new PodObserved(clock.millis(), pod(p)), this::podGone));
        startSeconds = (System.nanoTime() - t0) / 1e9;
        LOG.info("watching pods, nodes, priority classes, namespaces and the queue config map {}/{} (scheduling pods of "
                + "schedulerName '{}'); the first lists took {} s", options.configNamespace(), options.configName(),
                options.schedulerName(), String.format("%.2f", startSeconds));
        return this;
    }

    /** Seconds {@link #start} took, every informer's first list included; 0 before it returned. */
    public double startSeconds() {
        return startSeconds;
    }

    private <T extends HasMetadata> void start(String what, SharedIndexInformer<T> informer,
                                               ResourceEventHandler<T> handler) {
        informer.addEventHandler(handler);
        // fabric8 stops an informer whose list fails (the API server away when a watch too old for its history must
        // list again): a watcher that stops observing is worse than one that keeps trying, so it always retries.
        informer.exceptionHandler((started, t) -> {
            LOG.warn("the informer on {} failed ({}), retrying: {}", what, started ? "running" : "starting",
                    t.toString());
            return true;
        });
        informer.stopped().whenComplete((v, t) -> {
            if (t != null) {
                LOG.error("the informer on {} stopped: {}; this replica no longer observes {}", what, t.toString(),
                        what);
            }
        });
        informers.add(informer);
        try {
            informer.start().toCompletableFuture().get(options.syncTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new WatcherException("the informer on " + what + " did not list within " + options.syncTimeout()
                    + " from " + client.getMasterUrl() + ": is the API server reachable, and may this service account "
                    + "list and watch " + what + "?", e);
        } catch (ExecutionException e) {
            throw new WatcherException("the informer on " + what + " failed to start against "
                    + client.getMasterUrl() + ": " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WatcherException("interrupted while starting the informer on " + what, e);
        }
    }

    private <T extends HasMetadata> ResourceEventHandler<T> handler(Function<T, Observation> seen,
                                                                   Function<T, Observation> gone) {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(T obj) {
                emit(obj, seen);
            }

            @Override
            public void onUpdate(T oldObj, T newObj) {
                emit(newObj, seen);
            }

            @Override
            public void onDelete(T obj, boolean deletedFinalStateUnknown) {
                emit(obj, gone);
            }
        };
    }

    private <T extends HasMetadata> void emit(T obj, Function<T, Observation> f) {
        Observation o;
        try {
            o = f.apply(obj);
        } catch (IllegalArgumentException e) {
            // The API server validates objects; one it let through that we cannot read is logged, never guessed at.
            LOG.warn("{} {}/{} (resourceVersion {}) is not observed: {}", obj.getKind(),
                    obj.getMetadata().getNamespace(), obj.getMetadata().getName(),
                    obj.getMetadata().getResourceVersion(), e.getMessage());
            return;
        }
        sink.observed(o);
    }

    /**
     * What the informers hold at one moment.
     *
     * @param objects                 the objects as observations (priority classes, nodes, the queue config, and the
     *                                pods not already held at their version)
     * @param podUids                 every pod held, also those left out of {@code objects}
     * @param podsVersion             the resourceVersion the pod informer has seen up to ("" before its first list):
     *                                a pod last seen at an older version and not in {@code objects} is gone
     * @param nodesVersion            the same for nodes
     * @param priorityClassesVersion  the same for priority classes
     * @param nodeNames               every node held, also those left out of {@code objects}; null: the nodes in
     *                                {@code objects} are all
     */
    public record Holdings(List<Observation> objects, Set<String> podUids,
                           String podsVersion, String nodesVersion, String priorityClassesVersion,
                           Set<String> nodeNames) {
        public Holdings(List<Observation> objects, Set<String> podUids, String podsVersion, String nodesVersion,
                        String priorityClassesVersion) {
            this(objects, podUids, podsVersion, nodesVersion, priorityClassesVersion, null);
        }
    }

    /**
     * Everything the informers hold now: what a new leader compares with its state to find what changed while nobody
     * appended. Objects that cannot be read are left out, as they are when watched.
     *
     * @param podHeld  true for a pod (uid, resourceVersion) the caller already holds at that version: it is not turned
     *                 into an observation (with tens of thousands of pods, that would be most of a take-over's time)
     * @param nodeHeld the same for a node (name, resourceVersion): with thousands of nodes, turning each into an
     *                 observation is most of the comparison, and almost none changed
     */
    public Holdings observeAll(BiPredicate<String, String> podHeld, BiPredicate<String, String> nodeHeld) {
        if (podInformer == null) {
            throw new IllegalStateException("the watcher is not started");
        }
        // versions first: whatever the stores hold afterwards is at least that recent
        String podsVersion = nullToEmpty(podInformer.lastSyncResourceVersion());
        String nodesVersion = nullToEmpty(nodeInformer.lastSyncResourceVersion());
        String classesVersion = nullToEmpty(priorityClassInformer.lastSyncResourceVersion());
        List<Observation> out = new ArrayList<>();
        for (PriorityClass pc : priorityClassInformer.getStore().list()) {
            out.add(priorityClass(pc));
        }
        Set<String> nodeNames = new HashSet<>();
        for (Node n : nodeInformer.getStore().list()) {
            nodeNames.add(n.getMetadata().getName());
            if (!nodeHeld.test(n.getMetadata().getName(), nullToEmpty(n.getMetadata().getResourceVersion()))) {
                readable(n, x -> new NodeObserved(clock.millis(), KubeObjects.node(x)), out);
            }
        }
        for (ConfigMap cm : configInformer.getStore().list()) {
            String yaml = cm.getData() == null ? null : cm.getData().get(WatcherOptions.CONFIG_KEY);
            if (yaml != null) {
                out.add(new QueueConfigObserved(clock.millis(), yaml, cm.getMetadata().getResourceVersion()));
            }
        }
        Set<String> uids = new HashSet<>();
        for (Pod p : podInformer.getStore().list()) {
            uids.add(p.getMetadata().getUid());
            if (!podHeld.test(p.getMetadata().getUid(), nullToEmpty(p.getMetadata().getResourceVersion()))) {
                readable(p, x -> new PodObserved(clock.millis(), pod(x)), out);
            }
        }
        return new Holdings(out, uids, podsVersion, nodesVersion, classesVersion, nodeNames);
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }

    private static <T extends HasMetadata> void readable(T obj, Function<T, Observation> f,
                                                         List<Observation> out) {
        try {
            out.add(f.apply(obj));
        } catch (IllegalArgumentException e) {
            // reported when it was watched
        }
    }

    private PriorityClassObserved priorityClass(PriorityClass pc) {
        int value = pc.getValue() == null ? 0 : pc.getValue();
        priorityClasses.put(pc.getMetadata().getName(), value);
        return new PriorityClassObserved(clock.millis(), pc.getMetadata().getName(), value,
                Boolean.TRUE.equals(pc.getGlobalDefault()), pc.getMetadata().getResourceVersion());
    }

    /**
     * The core's pod, its user and groups from its user.info, else from its namespace's defaults as known now. A pod
     * observed before its namespace was listed or watched is "nobody": the namespace informer is started before the
     * pods', so that happens only to a pod created in a namespace created a moment before. The state keeps the user
     * first observed for a pod (and for an app, its first pod's), so a namespace's later change of its defaults
     * concerns pods created after it, not those already there.
     */
    private io.fairway.core.objects.Pod pod(Pod p) {
        io.fairway.core.objects.Pod pod = KubeObjects.pod(p, this::priorityOf, namespaceDefaults::get);
        String bad = KubeObjects.unreadableUserInfo(p);
        if (bad != null && unreadableUserInfoReported.add(pod.key())) {
            LOG.warn("pod {} has an annotation {} that cannot be read: '{}'; it runs as user {} groups {} (its "
                    + "namespace's {} / {}, else {}). Write it as {\"user\": \"alice\", \"groups\": [\"a\"]}",
                    pod.key(), YuniKornLabels.USER_INFO, bad, pod.user(), pod.groups(),
                    NamespaceDefaults.USER_ANNOTATION, NamespaceDefaults.GROUPS_ANNOTATION, KubeObjects.DEFAULT_USER);
        }
        return pod;
    }

    private PodGone podGone(Pod p) {
        // a pod of the same name created again is another pod, whose annotation is reported again
        String ns = p.getMetadata().getNamespace() == null ? "default" : p.getMetadata().getNamespace();
        unreadableUserInfoReported.remove(ns + "/" + p.getMetadata().getName());
        return new PodGone(clock.millis(), p.getMetadata().getUid(), p.getMetadata().getResourceVersion());
    }

    /** Namespaces: only their default user and groups are kept, for the pods created in them. */
    private final class NamespaceHandler implements ResourceEventHandler<Namespace> {
        @Override
        public void onAdd(Namespace ns) {
            remember(ns);
        }

        @Override
        public void onUpdate(Namespace oldNs, Namespace newNs) {
            remember(newNs);
        }

        @Override
        public void onDelete(Namespace ns, boolean deletedFinalStateUnknown) {
            namespaceDefaults.remove(ns.getMetadata().getName());
        }

        private void remember(Namespace ns) {
            String name = ns.getMetadata().getName();
            NamespaceDefaults d = NamespaceDefaults.of(ns.getMetadata().getAnnotations());
            NamespaceDefaults before = d == null ? namespaceDefaults.remove(name) : namespaceDefaults.put(name, d);
            // said when it changes, not at every resync: the operator sees what new pods will run as
            if (!Objects.equals(before, d)) {
                if (d == null) {
                    LOG.info("namespace {} no longer gives a default user: its new pods without user.info run as {}",
                            name, KubeObjects.DEFAULT_USER);
                } else {
                    LOG.info("namespace {}: its new pods without user.info run as user {} groups {}", name, d.user(),
                            d.groups());
                }
            }
        }
    }

    /** A priority class's value by name, -1 when unknown. */
    int priorityOf(String name) {
        return priorityClasses.getOrDefault(name, -1);
    }

    /** The queue ConfigMap: its {@code queues.yaml} becomes a {@link QueueConfigObserved}, valid or not. */
    private final class ConfigMapHandler implements ResourceEventHandler<ConfigMap> {
        @Override
        public void onAdd(ConfigMap cm) {
            observe(cm);
        }

        @Override
        public void onUpdate(ConfigMap oldCm, ConfigMap newCm) {
            observe(newCm);
        }

        @Override
        public void onDelete(ConfigMap cm, boolean deletedFinalStateUnknown) {
            LOG.warn("the queue config map {}/{} was deleted; the last valid queue config stays active until it is "
                    + "created again", options.configNamespace(), options.configName());
        }

        private void observe(ConfigMap cm) {
            String version = cm.getMetadata().getResourceVersion();
            String yaml = cm.getData() == null ? null : cm.getData().get(WatcherOptions.CONFIG_KEY);
            if (yaml == null) {
                LOG.warn("the queue config map {}/{} (resourceVersion {}) has no key {}; the last valid queue config "
                        + "stays active. Put YuniKorn's queues.yaml under data.{}", options.configNamespace(),
                        options.configName(), version, WatcherOptions.CONFIG_KEY, WatcherOptions.CONFIG_KEY);
                return;
            }
            // The state validates it again when it applies it (and keeps the previous one if it is invalid); this is
            // so that the operator hears about it where they look, once per version.
            try {
                QueueConfigParser.parse(yaml);
            } catch (ConfigException e) {
                if (!version.equals(rejectedConfigVersion)) {
                    rejectedConfigVersion = version;
                    LOG.error("queue config map {}/{} version {} is rejected, the previous config stays active: {}",
                            options.configNamespace(), options.configName(), version, e.getMessage());
                    KubeEvents.warning(client, cm, "InvalidQueueConfig", "queue config rejected, the previous one "
                            + "stays active: " + String.join("; ", e.problems().stream().map(Object::toString).toList()),
                            clock);
                }
            } catch (RuntimeException e) {
                LOG.error("queue config map {}/{} version {} cannot be read, the previous config stays active: {}",
                        options.configNamespace(), options.configName(), version, e.toString());
            }
            sink.observed(new QueueConfigObserved(clock.millis(), yaml, version));
        }
    }

    @Override
    public void close() {
        for (SharedIndexInformer<?> i : informers) {
            try {
                i.close();
            } catch (RuntimeException e) {
                LOG.debug("closing an informer: {}", e.toString());
            }
        }
        informers.clear();
    }
}
