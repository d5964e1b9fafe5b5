package io.fairway.sandbox.workload;

import io.fairway.sandbox.Quantities;
import io.fairway.sandbox.kubelet.NodeFleet;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What the {@link WorkloadGenerator} submits and how fast. Build with {@link #builder()}; every option has the
 * default given here.
 *
 * @param tenants              who submits: each tenant has a queue, a namespace, a weight (its share of the apps) and
 *                             users. Default: {@code team-a} (users alice, anna), {@code team-b} (bob), {@code team-c}
 *                             (carol), weight 1 each, queues {@code root.tenants.team-a}… and namespaces
 *                             {@code team-a}….
 * @param appsPerMinute        mean arrival rate of applications of all kinds together; arrivals are a Poisson
 *                             process, the first at the start. Default 30. 0: none (only {@code burst}).
 * @param mix                  relative weights of the application kinds. Default spark 0.5, batch 0.3, GPU training
 *                             0.15, FPGA 0.05.
 * @param sparkExecutors       executors per Spark application, uniform in the range. Default 2–20.
 * @param executorBatchSize    executors a Spark driver asks for at once ({@code spark.kubernetes.allocation.batch.size}).
 *                             Default 5.
 * @param executorBatchDelay   time between executor batches ({@code spark.kubernetes.allocation.batch.delay}).
 *                             Default 1 s.
 * @param executorsAfterDriverRuns true (the default): the first batch is asked for once the driver pod is
 *                             {@code Running}, as Spark's driver does; false: one batch delay after the driver pod is
 *                             created, whatever its phase.
 * @param batchPods            pods per batch job (identical, created at once). Default 1–10.
 * @param trainingWorkers      workers per GPU training job. Default 1–4.
 * @param gpusPerWorker        {@code nvidia.com/gpu} per training worker, one value per job picked uniformly.
 *                             Default 1, 2 or 4.
 * @param fpgaPods             pods per FPGA job, each asking for one region of its function's interface
 *                             ({@code fpga.intel.com/region-<interface>}). Default 1–4.
 * @param fpgaFunctions        the FPGA functions ({@code <interface>.<function>}) FPGA jobs ask for, one per job picked
 *                             uniformly, in {@code fairway.io/fpga-function}. Default {@link NodeFleet#FPGA_FUNCTIONS},
 *                             what the mixed fleet programs; give {@link NodeFleet#programmedFpgaFunctions()} so that
 *                             every job names a function some node of that fleet holds.
 * @param sparkDriverSize      a Spark driver's cpu and memory ({@code spark.driver.cores}, {@code spark.driver.memory}).
 *                             Its pod asks Spark's memory overhead on top: max(384Mi, 10%). Default 1 cpu, 2Gi.
 * @param sparkExecutorSizes   executor sizes ({@code spark.executor.cores}, {@code spark.executor.memory}, the pod again
 *                             with the overhead); one per application, picked uniformly. Default 1 cpu/2Gi, 2/4Gi,
 *                             4/8Gi.
 * @param batchSizes           batch pod sizes; one per job. Default 500m/512Mi, 1/1Gi, 2/4Gi.
 * @param trainingWorkerSize   cpu and memory of a training worker (GPUs from {@code gpusPerWorker}). Default 8 cpu, 32Gi.
 * @param fpgaSize             cpu and memory of an FPGA pod. Default 2 cpu, 4Gi.
 * @param sparkRunTime         how long a Spark application's executors run; the driver runs for the executors'
 *                             allocation time plus this plus 5 s. Default 30 s–3 min.
 * @param batchRunTime         run time of each batch pod. Default 10 s–2 min.
 * @param trainingRunTime      run time of a training job (all workers alike). Default 2–10 min.
 * @param fpgaRunTime          run time of each FPGA pod. Default 20–90 s.
 * @param failureRate          probability that a batch or FPGA pod exits with code 1 (and goes {@code Failed}).
 *                             Default 0.02.
 * @param gangSpark            true (the default): Spark applications are gangs as Spark on YuniKorn makes them: task
 *                             groups {@code spark-driver} (1 member) and {@code spark-executor} (the executors the app
 *                             starts with) with Spark's memory (without overhead) as {@code minResource}, on the
 *                             driver and on every executor.
 * @param gangTraining         true (the default): training jobs carry YuniKorn's gang annotations
 *                             ({@code yunikorn.apache.org/task-groups}, {@code task-group-name},
 *                             {@code schedulingPolicyParameters}) asking for all workers at once, preferably in one
 *                             NVLink clique ({@code fairway.io/topology-domain: nvidia.com/gpu.clique}).
 * @param seed                 seed of every random choice: the same seed gives the same applications in the same order.
 *                             Default 1.
 * @param schedulerName        {@code spec.schedulerName} of every pod. Default {@code fairway}.
 * @param image                container image of every pod (never pulled by simulated kubelets). Default
 *                             {@code busybox:1.36}.
 * @param maxApps              stop submitting after this many applications; 0 (the default) for no limit.
 * @param parallelism          pod creations in flight at once. Default 32.
 */
public record WorkloadOptions(
        List<Tenant> tenants,
        double appsPerMinute,
        Mix mix,
        IntRange sparkExecutors,
        int executorBatchSize,
        Duration executorBatchDelay,
        boolean executorsAfterDriverRuns,
        IntRange batchPods,
        IntRange trainingWorkers,
        List<Integer> gpusPerWorker,
        IntRange fpgaPods,
        List<String> fpgaFunctions,
        PodSize sparkDriverSize,
        List<PodSize> sparkExecutorSizes,
        List<PodSize> batchSizes,
        PodSize trainingWorkerSize,
        PodSize fpgaSize,
        TimeRange sparkRunTime,
        TimeRange batchRunTime,
        TimeRange trainingRunTime,
        TimeRange fpgaRunTime,
        double failureRate,
        boolean gangSpark,
        boolean gangTraining,
        long seed,
        String schedulerName,
        String image,
        int maxApps,
        int parallelism) {

    /**
     * One tenant: submits to {@code queue} (a full path such as {@code root.tenants.team-a}) from {@code namespace}, as
     * one of {@code users} (group: the tenant's name), with {@code weight} its relative share of the applications.
     */
    public record Tenant(String name, String queue, String namespace, double weight, List<String> users) {
        public Tenant {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(queue, "queue");
            Objects.requireNonNull(namespace, "namespace");
            if (!(weight > 0)) {
                throw new IllegalArgumentException("tenant " + name + ": weight must be > 0");
            }
            users = List.copyOf(users);
            if (users.isEmpty()) {
                throw new IllegalArgumentException("tenant " + name + " needs a user");
            }
        }

        /** Tenant {@code name}: queue {@code root.tenants.<name>}, namespace {@code <name>}, weight 1, user {@code <name>-user}. */
        public static Tenant of(String name) {
            return new Tenant(name, "root.tenants." + name, name, 1, List.of(name + "-user"));
        }

        /** This tenant with another weight. */
        public Tenant withWeight(double w) {
            return new Tenant(name, queue, namespace, w, users);
        }
    }

    /** Relative weights of application kinds; they need not sum to 1, and 0 turns a kind off. */
    public record Mix(double spark, double batch, double gpuTraining, double fpga) {
        public Mix {
            if (spark < 0 || batch < 0 || gpuTraining < 0 || fpga < 0 || !(spark + batch + gpuTraining + fpga > 0)) {
                throw new IllegalArgumentException("mix weights must be >= 0 and not all 0");
            }
        }

        /** Only this kind. */
        public static Mix only(AppKind kind) {
            return switch (kind) {
                case SPARK -> new Mix(1, 0, 0, 0);
                case BATCH -> new Mix(0, 1, 0, 0);
                case GPU_TRAINING -> new Mix(0, 0, 1, 0);
                case FPGA -> new Mix(0, 0, 0, 1);
            };
        }

        /** The weight of {@code kind}. */
        public double weight(AppKind kind) {
            return switch (kind) {
                case SPARK -> spark;
                case BATCH -> batch;
                case GPU_TRAINING -> gpuTraining;
                case FPGA -> fpga;
            };
        }

        /** Sum of the weights. */
        public double total() {
            return spark + batch + gpuTraining + fpga;
        }
    }

    /** Integers from {@code min} to {@code max}, both included. */
    public record IntRange(int min, int max) {
        public IntRange {
            if (min < 1 || max < min) {
                throw new IllegalArgumentException("range needs 1 <= min <= max: " + min + ".." + max);
            }
        }

        /** Exactly {@code n}. */
        public static IntRange exactly(int n) {
            return new IntRange(n, n);
        }
    }

    /** Durations from {@code min} to {@code max}, both included. */
    public record TimeRange(Duration min, Duration max) {
        public TimeRange {
            if (min.isNegative() || max.compareTo(min) < 0) {
                throw new IllegalArgumentException("time range needs 0 <= min <= max: " + min + ".." + max);
            }
        }

        /** From {@code min} to {@code max} seconds. */
        public static TimeRange seconds(long min, long max) {
            return new TimeRange(Duration.ofSeconds(min), Duration.ofSeconds(max));
        }

        /** Exactly {@code d}. */
        public static TimeRange exactly(Duration d) {
            return new TimeRange(d, d);
        }
    }

    /** A pod's cpu (millicores) and memory (bytes) requests. */
    public record PodSize(long cpuMillis, long memoryBytes) {
        public PodSize {
            if (cpuMillis <= 0 || memoryBytes <= 0) {
                throw new IllegalArgumentException("pod size needs cpu and memory");
            }
        }

        /** From quantities: {@code of("500m", "1Gi")}. */
        public static PodSize of(String cpu, String memory) {
            return new PodSize(Quantities.parseCpu(cpu), Quantities.parseMemory(memory));
        }

        @Override
        public String toString() {
            return Quantities.cpu(cpuMillis) + " cpu, " + Quantities.memory(memoryBytes);
        }
    }

    public WorkloadOptions {
        tenants = List.copyOf(tenants);
        if (tenants.isEmpty()) {
            throw new IllegalArgumentException("at least one tenant");
        }
        if (tenants.stream().map(Tenant::name).distinct().count() != tenants.size()) {
            throw new IllegalArgumentException("tenant names must differ");
        }
        if (!(appsPerMinute >= 0) || Double.isInfinite(appsPerMinute)) {
            throw new IllegalArgumentException("appsPerMinute must be >= 0");
        }
        Objects.requireNonNull(mix, "mix");
        Objects.requireNonNull(sparkExecutors, "sparkExecutors");
        if (executorBatchSize < 1) {
            throw new IllegalArgumentException("executorBatchSize must be >= 1");
        }
        if (executorBatchDelay.isNegative()) {
            throw new IllegalArgumentException("executorBatchDelay must be >= 0");
        }
        Objects.requireNonNull(batchPods, "batchPods");
        Objects.requireNonNull(trainingWorkers, "trainingWorkers");
        gpusPerWorker = List.copyOf(gpusPerWorker);
        if (gpusPerWorker.isEmpty() || gpusPerWorker.stream().anyMatch(g -> g < 1)) {
            throw new IllegalArgumentException("gpusPerWorker needs values >= 1");
        }
        Objects.requireNonNull(fpgaPods, "fpgaPods");
        fpgaFunctions = List.copyOf(fpgaFunctions);
        if (fpgaFunctions.isEmpty()) {
            throw new IllegalArgumentException("fpgaFunctions needs at least one <interface>.<function>");
        }
        for (String f : fpgaFunctions) {
            int dot = f.indexOf('.');
            if (dot <= 0 || dot == f.length() - 1 || f.indexOf('.', dot + 1) >= 0) {
                throw new IllegalArgumentException("fpgaFunctions: '" + f + "' is not <interface>.<function>");
            }
        }
        Objects.requireNonNull(sparkDriverSize, "sparkDriverSize");
        sparkExecutorSizes = List.copyOf(sparkExecutorSizes);
        batchSizes = List.copyOf(batchSizes);
        if (sparkExecutorSizes.isEmpty() || batchSizes.isEmpty()) {
            throw new IllegalArgumentException("sparkExecutorSizes and batchSizes need at least one size");
        }
        Objects.requireNonNull(trainingWorkerSize, "trainingWorkerSize");
        Objects.requireNonNull(fpgaSize, "fpgaSize");
        Objects.requireNonNull(sparkRunTime, "sparkRunTime");
        Objects.requireNonNull(batchRunTime, "batchRunTime");
        Objects.requireNonNull(trainingRunTime, "trainingRunTime");
        Objects.requireNonNull(fpgaRunTime, "fpgaRunTime");
        if (!(failureRate >= 0 && failureRate <= 1)) {
            throw new IllegalArgumentException("failureRate must be in [0, 1]");
        }
        if (schedulerName == null || schedulerName.isBlank() || image == null || image.isBlank()) {
            throw new IllegalArgumentException("schedulerName and image must be set");
        }
        if (maxApps < 0 || parallelism < 1) {
            throw new IllegalArgumentException("maxApps must be >= 0 and parallelism >= 1");
        }
    }

    /** The defaults, as documented on each option. */
    public static WorkloadOptions defaults() {
        return builder().build();
    }

    /** A builder holding the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these options. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.tenants = tenants;
        b.appsPerMinute = appsPerMinute;
        b.mix = mix;
        b.sparkExecutors = sparkExecutors;
        b.executorBatchSize = executorBatchSize;
        b.executorBatchDelay = executorBatchDelay;
        b.executorsAfterDriverRuns = executorsAfterDriverRuns;
        b.batchPods = batchPods;
        b.trainingWorkers = trainingWorkers;
        b.gpusPerWorker = gpusPerWorker;
        b.fpgaPods = fpgaPods;
        b.fpgaFunctions = fpgaFunctions;
        b.sparkDriverSize = sparkDriverSize;
        b.sparkExecutorSizes = sparkExecutorSizes;
        b.batchSizes = batchSizes;
        b.trainingWorkerSize = trainingWorkerSize;
        b.fpgaSize = fpgaSize;
        b.sparkRunTime = sparkRunTime;
        b.batchRunTime = batchRunTime;
        b.trainingRunTime = trainingRunTime;
        b.fpgaRunTime = fpgaRunTime;
        b.failureRate = failureRate;
        b.gangSpark = gangSpark;
        b.gangTraining = gangTraining;
        b.seed = seed;
        b.schedulerName = schedulerName;
        b.image = image;
        b.maxApps = maxApps;
        b.parallelism = parallelism;
        return b;
    }

    /** Builds {@link WorkloadOptions}; starts from the defaults. */
    public static final class Builder {
        private List<Tenant> tenants = List.of(
                new Tenant("team-a", "root.tenants.team-a", "team-a", 1, List.of("alice", "anna")),
                new Tenant("team-b", "root.tenants.team-b", "team-b", 1, List.of("bob")),
                new Tenant("team-c", "root.tenants.team-c", "team-c", 1, List.of("carol")));
        private double appsPerMinute = 30;
        private Mix mix = new Mix(0.5, 0.3, 0.15, 0.05);
        private IntRange sparkExecutors = new IntRange(2, 20);
        private int executorBatchSize = 5;
        private Duration executorBatchDelay = Duration.ofSeconds(1);
        private boolean executorsAfterDriverRuns = true;
        private IntRange batchPods = new IntRange(1, 10);
        private IntRange trainingWorkers = new IntRange(1, 4);
        private List<Integer> gpusPerWorker = List.of(1, 2, 4);
        private IntRange fpgaPods = new IntRange(1, 4);
        private List<String> fpgaFunctions = NodeFleet.FPGA_FUNCTIONS;
        private PodSize sparkDriverSize = PodSize.of("1", "2Gi");
        private List<PodSize> sparkExecutorSizes = List.of(PodSize.of("1", "2Gi"), PodSize.of("2", "4Gi"), PodSize.of("4", "8Gi"));
        private List<PodSize> batchSizes = List.of(PodSize.of("500m", "512Mi"), PodSize.of("1", "1Gi"), PodSize.of("2", "4Gi"));
        private PodSize trainingWorkerSize = PodSize.of("8", "32Gi");
        private PodSize fpgaSize = PodSize.of("2", "4Gi");
        private TimeRange sparkRunTime = TimeRange.seconds(30, 180);
        private TimeRange batchRunTime = TimeRange.seconds(10, 120);
        private TimeRange trainingRunTime = TimeRange.seconds(120, 600);
        private TimeRange fpgaRunTime = TimeRange.seconds(20, 90);
        private double failureRate = 0.02;
        private boolean gangSpark = true;
        private boolean gangTraining = true;
        private long seed = 1;
        private String schedulerName = "fairway";
        private String image = "busybox:1.36";
        private int maxApps = 0;
        private int parallelism = 32;

        private Builder() {
        }

        /** See {@link WorkloadOptions#tenants()}. */
        public Builder tenants(List<Tenant> v) {
            tenants = v;
            return this;
        }

        /** See {@link WorkloadOptions#tenants()}. */
        public Builder tenants(Tenant... v) {
            tenants = List.of(v);
            return this;
        }

        /** See {@link WorkloadOptions#appsPerMinute()}. */
        public Builder appsPerMinute(double v) {
            appsPerMinute = v;
            return this;
        }

        /** See {@link WorkloadOptions#mix()}. */
        public Builder mix(Mix v) {
            mix = v;
            return this;
        }

        /** See {@link WorkloadOptions#sparkExecutors()}. */
        public Builder sparkExecutors(IntRange v) {
            sparkExecutors = v;
            return this;
        }

        /** See {@link WorkloadOptions#executorBatchSize()}. */
        public Builder executorBatchSize(int v) {
            executorBatchSize = v;
            return this;
        }

        /** See {@link WorkloadOptions#executorBatchDelay()}. */
        public Builder executorBatchDelay(Duration v) {
            executorBatchDelay = v;
            return this;
        }

        /** See {@link WorkloadOptions#executorsAfterDriverRuns()}. */
        public Builder executorsAfterDriverRuns(boolean v) {
            executorsAfterDriverRuns = v;
            return this;
        }

        /** See {@link WorkloadOptions#batchPods()}. */
        public Builder batchPods(IntRange v) {
            batchPods = v;
            return this;
        }

        /** See {@link WorkloadOptions#trainingWorkers()}. */
        public Builder trainingWorkers(IntRange v) {
            trainingWorkers = v;
            return this;
        }

        /** See {@link WorkloadOptions#gpusPerWorker()}. */
        public Builder gpusPerWorker(List<Integer> v) {
            gpusPerWorker = v;
            return this;
        }

        /** See {@link WorkloadOptions#fpgaPods()}. */
        public Builder fpgaPods(IntRange v) {
            fpgaPods = v;
            return this;
        }

        /** See {@link WorkloadOptions#fpgaFunctions()}. */
        public Builder fpgaFunctions(List<String> v) {
            fpgaFunctions = v;
            return this;
        }

        /** See {@link WorkloadOptions#sparkDriverSize()}. */
        public Builder sparkDriverSize(PodSize v) {
            sparkDriverSize = v;
            return this;
        }

        /** See {@link WorkloadOptions#sparkExecutorSizes()}. */
        public Builder sparkExecutorSizes(List<PodSize> v) {
            sparkExecutorSizes = v;
            return this;
        }

        /** See {@link WorkloadOptions#batchSizes()}. */
        public Builder batchSizes(List<PodSize> v) {
            batchSizes = v;
            return this;
        }

        /** See {@link WorkloadOptions#trainingWorkerSize()}. */
        public Builder trainingWorkerSize(PodSize v) {
            trainingWorkerSize = v;
            return this;
        }

        /** See {@link WorkloadOptions#fpgaSize()}. */
        public Builder fpgaSize(PodSize v) {
            fpgaSize = v;
            return this;
        }

        /** See {@link WorkloadOptions#sparkRunTime()}. */
        public Builder sparkRunTime(TimeRange v) {
            sparkRunTime = v;
            return this;
        }

        /** See {@link WorkloadOptions#batchRunTime()}. */
        public Builder batchRunTime(TimeRange v) {
            batchRunTime = v;
            return this;
        }

        /** See {@link WorkloadOptions#trainingRunTime()}. */
        public Builder trainingRunTime(TimeRange v) {
            trainingRunTime = v;
            return this;
        }

        /** See {@link WorkloadOptions#fpgaRunTime()}. */
        public Builder fpgaRunTime(TimeRange v) {
            fpgaRunTime = v;
            return this;
        }

        /** Sets the run time range of every kind at once (handy in tests). */
        public Builder runTime(TimeRange v) {
            sparkRunTime = v;
            batchRunTime = v;
            trainingRunTime = v;
            fpgaRunTime = v;
            return this;
        }

        /** See {@link WorkloadOptions#failureRate()}. */
        public Builder failureRate(double v) {
            failureRate = v;
            return this;
        }

        /** See {@link WorkloadOptions#gangSpark()}. */
        public Builder gangSpark(boolean v) {
            gangSpark = v;
            return this;
        }

        /** See {@link WorkloadOptions#gangTraining()}. */
        public Builder gangTraining(boolean v) {
            gangTraining = v;
            return this;
        }

        /** See {@link WorkloadOptions#seed()}. */
        public Builder seed(long v) {
            seed = v;
            return this;
        }

        /** See {@link WorkloadOptions#schedulerName()}. */
        public Builder schedulerName(String v) {
            schedulerName = v;
            return this;
        }

        /** See {@link WorkloadOptions#image()}. */
        public Builder image(String v) {
            image = v;
            return this;
        }

        /** See {@link WorkloadOptions#maxApps()}. */
        public Builder maxApps(int v) {
            maxApps = v;
            return this;
        }

        /** See {@link WorkloadOptions#parallelism()}. */
        public Builder parallelism(int v) {
            parallelism = v;
            return this;
        }

        public WorkloadOptions build() {
            return new WorkloadOptions(tenants, appsPerMinute, mix, sparkExecutors, executorBatchSize, executorBatchDelay,
                    executorsAfterDriverRuns, batchPods, trainingWorkers, gpusPerWorker, fpgaPods, fpgaFunctions,
                    sparkDriverSize, sparkExecutorSizes, batchSizes, trainingWorkerSize, fpgaSize, sparkRunTime,
                    batchRunTime, trainingRunTime, fpgaRunTime, failureRate, gangSpark, gangTraining, seed,
                    schedulerName, image, maxApps, parallelism);
        }
    }
}
