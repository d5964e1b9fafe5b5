package io.fairway.sandbox.workload;

/** The kinds of application the {@link WorkloadGenerator} submits. */
public enum AppKind {
    /** A Spark application: a driver pod, then executors in batches, labelled as Spark labels them, optionally a gang. */
    SPARK,
    /** A batch job: identical pods created at once, with {@code yunikorn.apache.org/app-id}, like a Kubernetes Job's. */
    BATCH,
    /** A GPU training job: workers each asking for {@code nvidia.com/gpu}, tolerating the GPU taint, optionally a gang. */
    GPU_TRAINING,
    /** An FPGA job: pods each asking for one {@code fpga.intel.com/region-<interface>} and naming the function they need. */
    FPGA
}
