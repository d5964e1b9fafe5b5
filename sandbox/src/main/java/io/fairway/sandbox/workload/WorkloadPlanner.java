package io.fairway.sandbox.workload;

import io.fairway.core.objects.Fpga;
import io.fairway.core.objects.GangAnnotations;
import io.fairway.sandbox.Quantities;
import io.fairway.sandbox.kubelet.NodeSpec;
import io.fairway.sandbox.workload.WorkloadOptions.IntRange;
import io.fairway.sandbox.workload.WorkloadOptions.PodSize;
import io.fairway.sandbox.workload.WorkloadOptions.Tenant;
import io.fairway.sandbox.workload.WorkloadOptions.TimeRange;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

/**
 * The pure part of the workload: which applications and pods, and when, on any clock (a virtual one in tests). Not
 * thread-safe; {@link WorkloadGenerator} drives it from one thread at a time.
 *
 * <p>Applications arrive as a Poisson process of rate {@link WorkloadOptions#appsPerMinute()}, the first at the start.
 * Each is drawn from the seed: kind by {@link WorkloadOptions#mix()}, tenant by weight, then its size, pod sizes and
 * run times. A batch, training or FPGA job creates all its pods on arrival. A Spark application creates its driver on
 * arrival and its executors as Spark's {@code ExecutorPodsAllocator} does: {@link WorkloadOptions#executorBatchSize()}
 * at a time, one batch every {@link WorkloadOptions#executorBatchDelay()}, starting when the driver runs
 * ({@link #driverRunning}) or, with {@code executorsAfterDriverRuns=false}, one delay after the driver was created;
 * an application that ended ({@link #appEnded}) asks for no more.
 *
 * <p>Labels are those the real submitters set. Spark (4.x, with {@code spark.kubernetes.{driver,executor}.label.queue}
 * and Spark's YuniKorn feature step): {@code spark-app-selector}, {@code spark-app-name}, {@code spark-role},
 * {@code spark-version}, {@code queue}, executors also {@code spark-exec-id} and {@code spark-exec-resourceprofile-id};
 * annotation {@code yunikorn.apache.org/app-id}. Batch jobs: {@code yunikorn.apache.org/app-id},
 * {@code yunikorn.apache.org/queue}, {@code job-name}, {@code batch.kubernetes.io/job-name} and
 * {@code batch.kubernetes.io/job-completion-index}. Training: the YuniKorn labels and Kubeflow's
 * {@code training.kubeflow.org/*}. Every pod carries {@code yunikorn.apache.org/user.info} (what YuniKorn's admission
 * controller would add).
 *
 * <p>Gangs ({@link WorkloadOptions#gangSpark()}, {@link WorkloadOptions#gangTraining()}): a Spark app's driver and
 * executors carry the task groups {@value #SPARK_DRIVER_GROUP} (1) and {@value #SPARK_EXECUTOR_GROUP} (the executors
 * it starts with), each pod its own {@code task-group-name}; the pods ask Spark's memory overhead beyond the groups'
 * {@code minResource}, as real Spark pods do, so each grows its slot when it binds. A training job's workers are one
 * group {@value #TRAINING_GROUP} that tolerates the GPU taint, with {@code fairway.io/topology-domain:
 * nvidia.com/gpu.clique} preferred. FPGA pods ask one {@code fpga.intel.com/region-<interface>} and name the function
 * in {@code fairway.io/fpga-function}.
 */
public final class WorkloadPlanner {
    /** The Spark version the Spark-like pods claim ({@code spark-version}). */
    public static final String SPARK_VERSION = "4.0.2";
    public static final String SPARK_APP_SELECTOR = "spark-app-selector";
    public static final String SPARK_APP_NAME = "spark-app-name";
    public static final String SPARK_ROLE = "spark-role";
    public static final String SPARK_VERSION_LABEL = "spark-version";
    public static final String SPARK_EXEC_ID = "spark-exec-id";
    public static final String SPARK_RESOURCE_PROFILE_ID = "spark-exec-resourceprofile-id";
    public static final String QUEUE_LABEL = "queue";
    public static final String YK_APP_ID = "yunikorn.apache.org/app-id";
    public static final String YK_QUEUE = "yunikorn.apache.org/queue";
    public static final String YK_USER_INFO = "yunikorn.apache.org/user.info";
    public static final String YK_TASK_GROUP_NAME = GangAnnotations.TASK_GROUP_NAME;
    public static final String YK_TASK_GROUPS = GangAnnotations.TASK_GROUPS;
    public static final String YK_SCHEDULING_POLICY = GangAnnotations.POLICY_PARAMETERS;
    /** Task groups of a Spark gang, as Spark's YuniKorn docs name them. */
    public static final String SPARK_DRIVER_GROUP = "spark-driver";
    public static final String SPARK_EXECUTOR_GROUP = "spark-executor";
    /** The task group of a training job's workers. */
    public static final String TRAINING_GROUP = "workers";
    /**
     * Gang policy of Spark apps. Longer than training's: the executor slots are held from the start, but the executors
     * only come once the driver runs, in batches, and the timeout also releases slots that no member has come for yet.
     */
    public static final String SPARK_GANG_POLICY = "placeholderTimeoutInSeconds=120 gangSchedulingStyle=Soft";
    public static final String TRAINING_GANG_POLICY = "placeholderTimeoutInSeconds=60 gangSchedulingStyle=Soft";
    /** Spark's minimum memory overhead of a driver or executor pod ({@code MEMORY_OVERHEAD_MIN_MIB}). */
    static final long SPARK_MIN_OVERHEAD_MIB = 384;

    private static final List<String> SPARK_JOBS = List.of("etl", "sessionize", "daily-report", "feature-build", "join", "aggregate");
    private static final List<String> BATCH_JOBS = List.of("ingest", "transcode", "backfill", "score", "compact");
    private static final List<String> TRAINING_JOBS = List.of("resnet", "bert", "llama-ft", "recsys", "whisper");
    private static final List<String> FPGA_JOBS = List.of("inference", "compress", "genomics");
    private static final Duration DRIVER_EXTRA = Duration.ofSeconds(5);

    /** A Spark application whose executors are not all asked for yet. */
    private static final class SparkState {
        final AppPlan app;
        final List<PodPlan> executors;
        int created;
        Instant nextBatch; // null: waiting for the driver to run

        SparkState(AppPlan app, Instant nextBatch) {
            this.app = app;
            this.executors = app.executors();
            this.nextBatch = nextBatch;
        }
    }

    private final WorkloadOptions options;
    private final Random arrivals;
    private final Random draws;
    private final Random ids;
    private final Map<String, SparkState> spark = new LinkedHashMap<>();
    private final Map<AppKind, Integer> submittedByKind = new EnumMap<>(AppKind.class);
    private Instant nextArrival;
    private int submitted;

    /** A planner whose first application arrives at {@code start}; names are the same for the same seed. */
    public WorkloadPlanner(WorkloadOptions options, Instant start) {
        this(options, start, 0);
    }

    /**
     * A planner whose first application arrives at {@code start}. {@code idSalt} changes only the random parts of
     * names and ids (so two runs with the same seed against one cluster do not collide); the applications themselves
     * depend on the seed alone.
     */
    public WorkloadPlanner(WorkloadOptions options, Instant start, long idSalt) {
        this.options = options;
        this.arrivals = new Random(options.seed());
        this.draws = new Random(options.seed() * 0x9E3779B97F4A7C15L + 1);
        this.ids = new Random(options.seed() ^ idSalt ^ 0x5DEECE66DL);
        this.nextArrival = options.appsPerMinute() > 0 ? start : null;
        for (AppKind k : AppKind.values()) {
            submittedByKind.put(k, 0);
        }
    }

    public WorkloadOptions options() {
        return options;
    }

    /**
     * Every pod due by {@code now}, in creation order: arrivals up to {@code now} (with their initial pods) and the
     * executor batches due. Call with a clock that does not go back.
     */
    public List<PodPlan> poll(Instant now) {
        List<PodPlan> out = new ArrayList<>();
        while (true) {
            Instant arrival = arrivalsOpen() ? nextArrival : null;
            SparkState due = earliestBatch();
            Instant batchAt = due == null ? null : due.nextBatch;
            boolean arrivalFirst = arrival != null && (batchAt == null || !arrival.isAfter(batchAt));
            Instant t = arrivalFirst ? arrival : batchAt;
            if (t == null || t.isAfter(now)) {
                return out;
            }
            if (arrivalFirst) {
                AppPlan app = nextApp(arrival);
                out.addAll(app.initialPods());
                if (app.kind() == AppKind.SPARK && !app.executors().isEmpty()) {
                    Instant first = options.executorsAfterDriverRuns() ? null : arrival.plus(options.executorBatchDelay());
                    spark.put(app.appId(), new SparkState(app, first));
                }
                nextArrival = arrival.plus(interarrival());
            } else {
                int n = Math.min(options.executorBatchSize(), due.executors.size() - due.created);
                out.addAll(due.executors.subList(due.created, due.created + n));
                due.created += n;
                if (due.created >= due.executors.size()) {
                    spark.remove(due.app.appId());
                } else {
                    due.nextBatch = due.nextBatch.plus(options.executorBatchDelay());
                }
            }
        }
    }

    /** When the next pod is due, if any is planned (an arrival, or an executor batch of a running driver). */
    public Optional<Instant> nextDue() {
        Instant arrival = arrivalsOpen() ? nextArrival : null;
        SparkState due = earliestBatch();
        Instant batchAt = due == null ? null : due.nextBatch;
        if (arrival == null) {
            return Optional.ofNullable(batchAt);
        }
        return Optional.of(batchAt == null || arrival.isBefore(batchAt) ? arrival : batchAt);
    }

    /**
     * The Spark application {@code appId}'s driver runs since {@code at}: its executor batches start then (when
     * {@link WorkloadOptions#executorsAfterDriverRuns()}). True when the application still waits for executors.
     */
    public boolean driverRunning(String appId, Instant at) {
        SparkState s = spark.get(appId);
        if (s == null) {
            return false;
        }
        if (s.nextBatch == null) {
            s.nextBatch = at;
        }
        return true;
    }

    /** The application ended (driver finished or deleted): no more executors. True when it still had some to ask for. */
    public boolean appEnded(String appId) {
        return spark.remove(appId) != null;
    }

    /** Spark applications still asking for executors. */
    public int pendingSparkApps() {
        return spark.size();
    }

    /** Applications submitted so far (by {@link #poll}, {@link #nextApp} or {@link #burst}). */
    public int submitted() {
        return submitted;
    }

    /** Applications submitted so far, by kind. */
    public Map<AppKind, Integer> submittedByKind() {
        return Map.copyOf(submittedByKind);
    }

    /**
     * Applications submitted at once until they hold {@code pods} pods (the last one cut short), every pod of each at
     * once, executors included: the input of {@code fairway bench e2e}. Ignores the rate and {@code maxApps}.
     */
    public List<PodPlan> burst(int pods, Instant at) {
        List<PodPlan> out = new ArrayList<>(pods);
        while (out.size() < pods) {
            AppPlan app = nextApp(at);
            for (PodPlan p : app.pods()) {
                if (out.size() == pods) {
                    break;
                }
                out.add(p);
            }
        }
        return out;
    }

    private boolean arrivalsOpen() {
        return nextArrival != null && (options.maxApps() == 0 || submitted < options.maxApps());
    }

    private SparkState earliestBatch() {
        SparkState best = null;
        for (SparkState s : spark.values()) {
            if (s.nextBatch != null && (best == null || s.nextBatch.isBefore(best.nextBatch))) {
                best = s;
            }
        }
        return best;
    }

    private Duration interarrival() {
        double meanSeconds = 60.0 / options.appsPerMinute();
        double seconds = -Math.log(1 - arrivals.nextDouble()) * meanSeconds;
        return Duration.ofNanos(Math.max(1, (long) (seconds * 1e9)));
    }

    // ---- what an application is ----

    /** The next application drawn from the seed, submitted at {@code at}. */
    public AppPlan nextApp(Instant at) {
        AppKind kind = pickKind();
        Tenant tenant = pickTenant();
        String user = tenant.users().get(draws.nextInt(tenant.users().size()));
        AppPlan app = switch (kind) {
            case SPARK -> spark(tenant, user, at);
            case BATCH -> batch(tenant, user, at);
            case GPU_TRAINING -> training(tenant, user, at);
            case FPGA -> fpga(tenant, user, at);
        };
        submitted++;
        submittedByKind.merge(kind, 1, Integer::sum);
        return app;
    }

    private AppKind pickKind() {
        double r = draws.nextDouble() * options.mix().total();
        AppKind last = null;
        for (AppKind k : AppKind.values()) {
            double w = options.mix().weight(k);
            if (w <= 0) {
                continue;
            }
            last = k;
            if (r < w) {
                return k;
            }
            r -= w;
        }
        return last;
    }

    private Tenant pickTenant() {
        double total = options.tenants().stream().mapToDouble(Tenant::weight).sum();
        double r = draws.nextDouble() * total;
        for (Tenant t : options.tenants()) {
            if (r < t.weight()) {
                return t;
            }
            r -= t.weight();
        }
        return options.tenants().getLast();
    }

    private AppPlan spark(Tenant tenant, String user, Instant at) {
        String appName = tenant.name() + "-" + pick(SPARK_JOBS) + "-" + hex(4);
        String appId = "spark-" + hex(32);
        String prefix = appName + "-" + hex(16);
        int executors = between(options.sparkExecutors());
        PodSize executorSize = pick(options.sparkExecutorSizes());
        Duration runTime = between(options.sparkRunTime());
        long batches = (executors + options.executorBatchSize() - 1) / options.executorBatchSize();
        Duration driverRunTime = options.executorBatchDelay().multipliedBy(batches).plus(runTime).plus(DRIVER_EXTRA);

        PodSize d = options.sparkDriverSize();
        Map<String, String> annotations = Map.of(YK_APP_ID, appId, YK_USER_INFO, userInfo(user, tenant));
        Map<String, String> driverAnnotations = annotations;
        Map<String, String> executorAnnotations = annotations;
        if (options.gangSpark()) {
            // Spark puts the same task groups on the driver and on every executor; each pod names its own group.
            String groups = "[" + taskGroup(SPARK_DRIVER_GROUP, 1, d, 0, "") + ","
                    + taskGroup(SPARK_EXECUTOR_GROUP, executors, executorSize, 0, "") + "]";
            driverAnnotations = gang(annotations, SPARK_DRIVER_GROUP, groups, SPARK_GANG_POLICY, null);
            executorAnnotations = gang(annotations, SPARK_EXECUTOR_GROUP, groups, SPARK_GANG_POLICY, null);
        }
        List<PodPlan> pods = new ArrayList<>(executors + 1);
        Map<String, String> driverLabels = new LinkedHashMap<>();
        driverLabels.put(SPARK_VERSION_LABEL, SPARK_VERSION);
        driverLabels.put(SPARK_APP_SELECTOR, appId);
        driverLabels.put(SPARK_APP_NAME, sparkAppNameLabel(appName));
        driverLabels.put(SPARK_ROLE, "driver");
        driverLabels.put(QUEUE_LABEL, tenant.queue());
        String driverName = prefix + "-driver";
        pods.add(new PodPlan(AppKind.SPARK, appId, "driver", 0, tenant.namespace(), driverName, driverLabels,
                driverAnnotations, "spark-kubernetes-driver", d.cpuMillis(), sparkPodMemory(d.memoryBytes()), 0, null, 0,
                null, driverRunTime, 0));
        for (int i = 1; i <= executors; i++) {
            Map<String, String> labels = new LinkedHashMap<>();
            labels.put(SPARK_VERSION_LABEL, SPARK_VERSION);
            labels.put(SPARK_EXEC_ID, Integer.toString(i));
            labels.put(SPARK_APP_SELECTOR, appId);
            labels.put(SPARK_APP_NAME, sparkAppNameLabel(appName));
            labels.put(SPARK_ROLE, "executor");
            labels.put(SPARK_RESOURCE_PROFILE_ID, "0");
            labels.put(QUEUE_LABEL, tenant.queue());
            int batch = (i - 1) / options.executorBatchSize() + 1;
            pods.add(new PodPlan(AppKind.SPARK, appId, "executor", batch, tenant.namespace(), prefix + "-exec-" + i,
                    labels, executorAnnotations, "spark-kubernetes-executor", executorSize.cpuMillis(),
                    sparkPodMemory(executorSize.memoryBytes()), 0, null, 0, driverName, runTime, 0));
        }
        return new AppPlan(AppKind.SPARK, appId, appName, tenant, user, at, pods);
    }

    private AppPlan batch(Tenant tenant, String user, Instant at) {
        String job = tenant.name() + "-" + pick(BATCH_JOBS) + "-" + hex(6);
        int n = between(options.batchPods());
        PodSize size = pick(options.batchSizes());
        List<PodPlan> pods = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Map<String, String> labels = new LinkedHashMap<>();
            labels.put(YK_APP_ID, job);
            labels.put(YK_QUEUE, tenant.queue());
            labels.put("job-name", job);
            labels.put("batch.kubernetes.io/job-name", job);
            labels.put("batch.kubernetes.io/job-completion-index", Integer.toString(i));
            Duration runTime = between(options.batchRunTime());
            int exit = fails() ? 1 : 0;
            pods.add(new PodPlan(AppKind.BATCH, job, "task", 0, tenant.namespace(), job + "-" + i, labels,
                    Map.of(YK_USER_INFO, userInfo(user, tenant), "batch.kubernetes.io/job-completion-index", Integer.toString(i)),
                    "main", size.cpuMillis(), size.memoryBytes(), 0, null, 0, null, runTime, exit));
        }
        return new AppPlan(AppKind.BATCH, job, job, tenant, user, at, pods);
    }

    private AppPlan training(Tenant tenant, String user, Instant at) {
        String job = tenant.name() + "-" + pick(TRAINING_JOBS) + "-" + hex(6);
        int workers = between(options.trainingWorkers());
        int gpus = pick(options.gpusPerWorker());
        Duration runTime = between(options.trainingRunTime());
        PodSize size = options.trainingWorkerSize();
        Map<String, String> annotations = Map.of(YK_USER_INFO, userInfo(user, tenant));
        if (options.gangTraining()) {
            // The slots are held with the group's tolerations, not the pod's: without the GPU toleration no GPU node
            // would take them.
            String groups = "[" + taskGroup(TRAINING_GROUP, workers, size, gpus, GPU_TOLERATIONS) + "]";
            annotations = gang(annotations, TRAINING_GROUP, groups, TRAINING_GANG_POLICY, NodeSpec.GPU_CLIQUE_LABEL);
        }
        List<PodPlan> pods = new ArrayList<>(workers);
        for (int i = 0; i < workers; i++) {
            Map<String, String> labels = new LinkedHashMap<>();
            labels.put(YK_APP_ID, job);
            labels.put(YK_QUEUE, tenant.queue());
            labels.put("training.kubeflow.org/job-name", job);
            labels.put("training.kubeflow.org/replica-type", "worker");
            labels.put("training.kubeflow.org/replica-index", Integer.toString(i));
            pods.add(new PodPlan(AppKind.GPU_TRAINING, job, "worker", 0, tenant.namespace(), job + "-worker-" + i, labels,
                    annotations, "pytorch", size.cpuMillis(), size.memoryBytes(), gpus, null, 0, null, runTime, 0));
        }
        return new AppPlan(AppKind.GPU_TRAINING, job, job, tenant, user, at, pods);
    }

    private AppPlan fpga(Tenant tenant, String user, Instant at) {
        String job = tenant.name() + "-" + pick(FPGA_JOBS) + "-" + hex(6);
        int n = between(options.fpgaPods());
        String function = pick(options.fpgaFunctions());
        String region = Fpga.region(function.substring(0, function.indexOf('.')));
        PodSize size = options.fpgaSize();
        List<PodPlan> pods = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Map<String, String> labels = new LinkedHashMap<>();
            labels.put(YK_APP_ID, job);
            labels.put(YK_QUEUE, tenant.queue());
            labels.put("job-name", job);
            labels.put("batch.kubernetes.io/job-name", job);
            Duration runTime = between(options.fpgaRunTime());
            int exit = fails() ? 1 : 0;
            pods.add(new PodPlan(AppKind.FPGA, job, "worker", 0, tenant.namespace(), job + "-" + i, labels,
                    Map.of(YK_USER_INFO, userInfo(user, tenant), GangAnnotations.FPGA_FUNCTION, function),
                    "accelerator", size.cpuMillis(), size.memoryBytes(), 0, region, 1, null, runTime, exit));
        }
        return new AppPlan(AppKind.FPGA, job, job, tenant, user, at, pods);
    }

    /** Spark's {@code KubernetesConf.getAppNameLabel}: lower case, other characters to '-', at most 63, trimmed. */
    static String sparkAppNameLabel(String appName) {
        String s = appName.trim().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9\\-_.]", "-");
        if (s.length() > 63) {
            s = s.substring(0, 63);
        }
        return s.replaceAll("^[-_.]+", "").replaceAll("[-_.]+$", "");
    }

    /** The memory of a Spark pod: Spark's memory plus its overhead, max(384Mi, 10%), in whole MiB as Spark counts. */
    static long sparkPodMemory(long memoryBytes) {
        long mib = memoryBytes >> 20;
        return memoryBytes + (Math.max(SPARK_MIN_OVERHEAD_MIB, (long) (mib * 0.10)) << 20);
    }

    private static final String GPU_TOLERATIONS =
            "[{\"key\":\"" + NodeSpec.GPU_RESOURCE + "\",\"operator\":\"Exists\",\"effect\":\"NoSchedule\"}]";

    /** One entry of {@code yunikorn.apache.org/task-groups}; {@code tolerations} is a JSON array, or empty for none. */
    private static String taskGroup(String name, int minMember, PodSize size, int gpus, String tolerations) {
        StringBuilder b = new StringBuilder().append("{\"name\":\"").append(name).append("\",\"minMember\":")
                .append(minMember).append(",\"minResource\":{\"cpu\":\"").append(Quantities.cpu(size.cpuMillis()))
                .append("\",\"memory\":\"").append(Quantities.memory(size.memoryBytes())).append('"');
        if (gpus > 0) {
            b.append(",\"").append(NodeSpec.GPU_RESOURCE).append("\":\"").append(gpus).append('"');
        }
        b.append('}');
        if (!tolerations.isEmpty()) {
            b.append(",\"tolerations\":").append(tolerations);
        }
        return b.append('}').toString();
    }

    /** {@code base} with the gang annotations of a member of {@code group}, and a preferred topology domain if given. */
    private static Map<String, String> gang(Map<String, String> base, String group, String groups, String policy,
                                            String topologyKey) {
        Map<String, String> a = new LinkedHashMap<>(base);
        a.put(YK_TASK_GROUP_NAME, group);
        a.put(YK_TASK_GROUPS, groups);
        a.put(YK_SCHEDULING_POLICY, policy);
        if (topologyKey != null) {
            a.put(GangAnnotations.TOPOLOGY_DOMAIN, topologyKey);
            a.put(GangAnnotations.TOPOLOGY_MODE, "preferred");
        }
        return a;
    }

    private static String userInfo(String user, Tenant tenant) {
        return "{\"user\":\"" + user + "\",\"groups\":[\"" + tenant.name() + "\"]}";
    }

    private boolean fails() {
        return options.failureRate() > 0 && draws.nextDouble() < options.failureRate();
    }

    private int between(IntRange r) {
        return r.min() + draws.nextInt(r.max() - r.min() + 1);
    }

    private Duration between(TimeRange r) {
        long min = r.min().toMillis();
        long max = r.max().toMillis();
        return Duration.ofMillis(min == max ? min : min + (long) (draws.nextDouble() * (max - min + 1)));
    }

    private <T> T pick(List<T> values) {
        return values.get(draws.nextInt(values.size()));
    }

    private String hex(int digits) {
        StringBuilder sb = new StringBuilder(digits);
        for (int i = 0; i < digits; i++) {
            sb.append(Character.forDigit(ids.nextInt(16), 16));
        }
        return sb.toString();
    }
}
