package io.fairway.sandbox.workload;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * One pod the workload will create: the pure description, turned into a Kubernetes pod by {@link PodTemplates}.
 *
 * @param kind         the application's kind
 * @param appId        the application id (Spark's {@code spark-app-selector}, else {@code yunikorn.apache.org/app-id})
 * @param role         {@code driver} or {@code executor} (Spark), {@code task} (batch), {@code worker} (training, FPGA)
 * @param batch        for Spark executors, the allocation batch (1, 2, …) it is created in; 0 for other pods
 * @param namespace    the tenant's namespace
 * @param name         the pod's name
 * @param labels       the pod's labels
 * @param annotations  the pod's annotations (without the run-time and exit-code ones, which {@link PodTemplates} adds)
 * @param container    the container's name
 * @param cpuMillis    cpu request in millicores
 * @param memoryBytes  memory request (and limit) in bytes
 * @param gpus         {@code nvidia.com/gpu} request (and limit); 0 for none
 * @param fpgaResource the FPGA resource asked for ({@code fpga.intel.com/region-<interface>}), or null
 * @param fpgas        how many of {@code fpgaResource}
 * @param ownerPod     for Spark executors, the driver pod's name (their owner); else null
 * @param runTime      how long the pod runs once started (the {@code fairway.io/run-seconds} annotation)
 * @param exitCode     the exit code it finishes with ({@code fairway.io/exit-code} when non-zero)
 */
public record PodPlan(AppKind kind, String appId, String role, int batch, String namespace, String name,
                      Map<String, String> labels, Map<String, String> annotations, String container,
                      long cpuMillis, long memoryBytes, int gpus, String fpgaResource, int fpgas,
                      String ownerPod, Duration runTime, int exitCode) {

    public PodPlan {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(namespace, "namespace");
        labels = Map.copyOf(labels);
        annotations = Map.copyOf(annotations);
    }
}
