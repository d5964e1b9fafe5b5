/**
 * The workload generator of the sandbox: multi-tenant Spark-like applications, batch jobs, GPU training and FPGA
 * jobs, submitted as pods through the fabric8 client.
 *
 * <ul>
 *   <li>{@link io.fairway.sandbox.workload.WorkloadOptions} — tenants, rate, mix, sizes, run times, seed (each option
 *       documents its default).</li>
 *   <li>{@link io.fairway.sandbox.workload.WorkloadPlanner} — the pure part: which applications and pods, and when,
 *       on any clock; Spark executors in batches of 5 every second once the driver runs.</li>
 *   <li>{@link io.fairway.sandbox.workload.PodTemplates} — plans as Kubernetes pods ({@code schedulerName},
 *       requests, GPU toleration, {@code fairway.io/run-seconds}).</li>
 *   <li>{@link io.fairway.sandbox.workload.WorkloadGenerator} — {@code start(client, scheduler)}/{@code stop()} for a
 *       steady workload, {@code burst(client, pods)} for a benchmark.</li>
 * </ul>
 */
package io.fairway.sandbox.workload;
