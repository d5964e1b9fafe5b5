package io.fairway.sandbox.workload;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fairway.sandbox.workload.WorkloadOptions.Tenant;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Submits the workload of {@link WorkloadOptions} to an API server through fabric8, as tenants and Spark drivers
 * would: the timing comes from a {@link WorkloadPlanner}, the pods from {@link PodTemplates}.
 *
 * <p>{@link #start} checks the planner every {@value #TICK_MILLIS} ms on the given scheduler and creates the pods due
 * on a pool of {@link WorkloadOptions#parallelism()} (the pods of one application, or one executor batch, one after
 * the other, as Spark does). An informer on pods labelled {@code spark-role=driver} tells the planner when a driver
 * runs (its executors are then asked for) and when it ends: like Spark, the generator then deletes that
 * application's remaining executor pods. Tenants' namespaces are created if missing. Errors creating a pod are
 * counted and logged, never fatal; a pod that already exists counts as an error.
 *
 * <p>{@link #burst} creates a fixed number of pods as fast as the API server takes them, for {@code fairway bench e2e}.
 */
public final class WorkloadGenerator implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WorkloadGenerator.class);
    /** How often the planner is checked, in milliseconds. */
    public static final long TICK_MILLIS = 100;

    /** Outcome of a {@link #burst}: pods asked for, created, failed, and how long it took. */
    public record BurstResult(int requested, int created, int failed, Duration elapsed) {
        /** Pods created per second. */
        public double podsPerSecond() {
            double s = elapsed.toNanos() / 1e9;
            return s <= 0 ? 0 : created / s;
        }
    }

    private final WorkloadOptions options;
    private final Clock clock;
    private final Object lock = new Object();
    private final Map<String, String> driverUids = new ConcurrentHashMap<>();
    private final Map<String, String> driverNamespaces = new ConcurrentHashMap<>();
    private final LongAdder podsCreated = new LongAdder();
    private final LongAdder createErrors = new LongAdder();
    private final LongAdder executorsDeleted = new LongAdder();
    private final AtomicLong errorLogs = new AtomicLong();
    private final Queue<List<PodPlan>> backlog = new ConcurrentLinkedQueue<>();
    private WorkloadPlanner planner; // guarded by lock
    private KubernetesClient client;
    private ScheduledFuture<?> ticking;
    private SharedIndexInformer<Pod> drivers;
    private ExecutorService creators;
    private Semaphore slots;
    private volatile boolean running;

    /** A generator on the system clock. */
    public WorkloadGenerator(WorkloadOptions options) {
        this(options, Clock.systemUTC());
    }

    /** A generator whose planner follows {@code clock} (tests may move a clock by hand). */
    public WorkloadGenerator(WorkloadOptions options, Clock clock) {
        this.options = options;
        this.clock = clock;
        this.planner = new WorkloadPlanner(options, clock.instant(), clock.millis());
    }

    public WorkloadOptions options() {
        return options;
    }

    /**
     * Starts submitting: creates the tenants' namespaces, starts the driver informer and checks the planner every
     * {@value #TICK_MILLIS} ms on {@code scheduler} (which stays the caller's: {@link #stop} does not shut it down).
     * The first application arrives now.
     */
    public void start(KubernetesClient client, ScheduledExecutorService scheduler) {
        ensureNamespaces(client, namespaces());
        synchronized (lock) {
            if (running) {
                throw new IllegalStateException("already started");
            }
            this.client = client;
            planner = new WorkloadPlanner(options, clock.instant(), clock.millis());
            creators = Executors.newVirtualThreadPerTaskExecutor();
            slots = new Semaphore(options.parallelism());
            backlog.clear();
            running = true;
        }
        try {
            startDriverInformer(client);
        } catch (RuntimeException e) {
            stop();
            throw e;
        }
        synchronized (lock) {
            ticking = scheduler.scheduleWithFixedDelay(this::tick, 0, TICK_MILLIS, TimeUnit.MILLISECONDS);
        }
        LOG.info("workload started: {} apps/min over {} tenants, mix {}, seed {}", options.appsPerMinute(),
                options.tenants().size(), options.mix(), options.seed());
    }

    private void startDriverInformer(KubernetesClient client) {
        if (options.mix().spark() > 0) {
            SharedIndexInformer<Pod> informer = client.pods().inAnyNamespace().withLabel(WorkloadPlanner.SPARK_ROLE, "driver")
                    .inform(new ResourceEventHandler<>() {
                        @Override
                        public void onAdd(Pod pod) {
                            driverSeen(pod, false);
                        }

                        @Override
                        public void onUpdate(Pod oldPod, Pod pod) {
                            driverSeen(pod, false);
                        }

                        @Override
                        public void onDelete(Pod pod, boolean unknownFinalState) {
                            driverSeen(pod, true);
                        }
                    }, 0);
            synchronized (lock) {
                drivers = informer;
            }
        }
    }

    /** Stops submitting; pods already created stay. Waits up to 5 s for creations in flight. */
    public void stop() {
        ExecutorService pool;
        synchronized (lock) {
            if (!running) {
                return;
            }
            running = false;
            if (ticking != null) {
                ticking.cancel(false);
            }
            if (drivers != null) {
                drivers.stop();
            }
            pool = creators;
        }
        pool.shutdown();
        try {
            if (!pool.awaitTermination(5, TimeUnit.SECONDS)) {
                pool.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            pool.shutdownNow();
        }
        LOG.info("workload stopped: {}", stats());
    }

    @Override
    public void close() {
        stop();
    }

    /** Counters: applications since the last {@link #start}, pods since the generator was made. */
    public WorkloadStats stats() {
        synchronized (lock) {
            return new WorkloadStats(planner.submitted(), planner.submittedByKind(), podsCreated.sum(), createErrors.sum(),
                    executorsDeleted.sum(), planner.pendingSparkApps());
        }
    }

    private Set<String> namespaces() {
        Set<String> ns = new LinkedHashSet<>();
        for (Tenant t : options.tenants()) {
            ns.add(t.namespace());
        }
        return ns;
    }

    private void tick() {
        try {
            List<PodPlan> due;
            synchronized (lock) {
                if (!running) {
                    return;
                }
                due = planner.poll(clock.instant());
            }
            // one task per application's pods or executor batch, created in order as their submitter would
            int i = 0;
            while (i < due.size()) {
                int j = i + 1;
                while (j < due.size() && due.get(j).appId().equals(due.get(i).appId())
                        && due.get(j).role().equals(due.get(i).role())) {
                    j++;
                }
                backlog.add(List.copyOf(due.subList(i, j)));
                i = j;
            }
            drain();
        } catch (RuntimeException e) {
            LOG.warn("workload tick failed", e);
        }
    }

    /** Starts backlog tasks while fewer than {@code parallelism} run; never blocks the caller's scheduler. */
    private void drain() {
        while (running && !backlog.isEmpty() && slots.tryAcquire()) {
            List<PodPlan> group = backlog.poll();
            if (group == null) {
                slots.release();
                return;
            }
            try {
                creators.execute(() -> {
                    try {
                        group.forEach(this::create);
                    } finally {
                        slots.release();
                        drain();
                    }
                });
            } catch (RejectedExecutionException e) {
                slots.release();
                return; // stopping
            }
        }
    }

    private void create(PodPlan plan) {
        if (!running) {
            return;
        }
        String ownerUid = plan.ownerPod() == null ? null : driverUids.get(plan.appId());
        Pod pod = PodTemplates.toPod(plan, options.schedulerName(), options.image(), ownerUid);
        try {
            Pod created = client.pods().inNamespace(plan.namespace()).resource(pod).create();
            podsCreated.increment();
            if ("driver".equals(plan.role()) && created.getMetadata() != null) {
                driverUids.put(plan.appId(), created.getMetadata().getUid());
                driverNamespaces.put(plan.appId(), plan.namespace());
            }
        } catch (KubernetesClientException e) {
            if (running) {
                createFailed(plan, e);
            }
        } catch (RuntimeException e) {
            if (running) {
                createFailed(plan, e);
            }
        }
    }

    private void createFailed(PodPlan plan, Exception e) {
        createErrors.increment();
        long n = errorLogs.incrementAndGet();
        if (n <= 10 || n % 1000 == 0) {
            LOG.warn("pod {}/{} not created ({} errors so far): {}", plan.namespace(), plan.name(), n, e.getMessage());
        }
    }

    private void driverSeen(Pod pod, boolean deleted) {
        Map<String, String> labels = pod.getMetadata() == null ? null : pod.getMetadata().getLabels();
        String appId = labels == null ? null : labels.get(WorkloadPlanner.SPARK_APP_SELECTOR);
        if (appId == null) {
            return;
        }
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        if (deleted || "Succeeded".equals(phase) || "Failed".equals(phase)) {
            synchronized (lock) {
                planner.appEnded(appId);
            }
            String namespace = driverNamespaces.remove(appId);
            if (driverUids.remove(appId) != null && namespace != null && running) {
                deleteExecutors(namespace, appId);
            }
        } else if ("Running".equals(phase)) {
            synchronized (lock) {
                planner.driverRunning(appId, clock.instant()); // false (ignored) for drivers not ours or done
            }
        }
    }

    /** Deletes the executors of a Spark application whose driver ended, as Spark's driver does when it stops. */
    private void deleteExecutors(String namespace, String appId) {
        try {
            creators.execute(() -> {
                try {
                    List<Pod> executors = client.pods().inNamespace(namespace)
                            .withLabel(WorkloadPlanner.SPARK_APP_SELECTOR, appId)
                            .withLabel(WorkloadPlanner.SPARK_ROLE, "executor")
                            .list().getItems();
                    for (Pod p : executors) {
                        try {
                            client.pods().inNamespace(namespace).withName(p.getMetadata().getName()).delete();
                            executorsDeleted.increment();
                        } catch (KubernetesClientException e) {
                            if (e.getCode() != 404) {
                                LOG.debug("executor {}/{} not deleted: {}", namespace, p.getMetadata().getName(), e.getMessage());
                            }
                        }
                    }
                } catch (RuntimeException e) {
                    if (running) {
                        LOG.warn("executors of {} not deleted: {}", appId, e.getMessage());
                    }
                }
            });
        } catch (RejectedExecutionException ignored) {
            // stopping
        }
    }

    /**
     * Creates {@code pods} pods of this workload's mix (whole applications, Spark executors included, the last
     * application cut short) as fast as the API server takes them, {@link WorkloadOptions#parallelism()} requests in
     * flight, after creating the tenants' namespaces. Independent of {@link #start}: no rate, no waiting for drivers.
     */
    public BurstResult burst(KubernetesClient client, int pods) {
        return createAll(client, burstPods(client, pods), options.parallelism());
    }

    /**
     * The pods a {@link #burst} of {@code pods} would create, without creating them, and after making sure the
     * tenants' namespaces exist: for load generators that send them by other means.
     */
    public List<Pod> burstPods(KubernetesClient client, int pods) {
        WorkloadPlanner p = new WorkloadPlanner(options, clock.instant(), System.nanoTime());
        List<PodPlan> plans = p.burst(pods, clock.instant());
        ensureNamespaces(client, namespaces());
        List<Pod> out = new ArrayList<>(plans.size());
        for (PodPlan plan : plans) {
            out.add(PodTemplates.toPod(plan, options.schedulerName(), options.image(), null));
        }
        return out;
    }

    /**
     * Creates {@code pods} (each in its own namespace) with {@code parallelism} requests in flight and returns how
     * many were created and how long it took.
     */
    public static BurstResult createAll(KubernetesClient client, List<Pod> items, int parallelism) {
        Semaphore inFlight = new Semaphore(Math.max(1, parallelism));
        LongAdder created = new LongAdder();
        LongAdder failed = new LongAdder();
        AtomicLong logged = new AtomicLong();
        long t0 = System.nanoTime();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (Pod pod : items) {
                inFlight.acquire();
                pool.execute(() -> {
                    try {
                        client.pods().inNamespace(pod.getMetadata().getNamespace()).resource(pod).create();
                        created.increment();
                    } catch (RuntimeException e) {
                        failed.increment();
                        if (logged.incrementAndGet() <= 10) {
                            LOG.warn("pod {}/{} not created: {}", pod.getMetadata().getNamespace(),
                                    pod.getMetadata().getName(), e.getMessage());
                        }
                    } finally {
                        inFlight.release();
                    }
                });
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - t0);
        return new BurstResult(items.size(), (int) created.sum(), (int) failed.sum(), elapsed);
    }

    /** Creates each namespace that does not exist yet. */
    public static void ensureNamespaces(KubernetesClient client, Collection<String> namespaces) {
        for (String ns : namespaces) {
            if (client.namespaces().withName(ns).get() != null) {
                continue;
            }
            try {
                client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).create();
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409) {
                    throw e;
                }
            }
        }
    }
}
