/**
 * Simulated nodes and kubelets, like KWOK's, that talk to the API server only (so they run unchanged against a real
 * cluster).
 *
 * <ul>
 *   <li>{@link io.fairway.sandbox.kubelet.NodeSpec} and {@link io.fairway.sandbox.kubelet.NodeFleet} — nodes with cpu,
 *       memory, {@code nvidia.com/gpu}, FPGA resources, labels and taints; {@code NodeFleet.mixed(n, seed)} and
 *       {@code register(client)}.</li>
 *   <li>{@link io.fairway.sandbox.kubelet.SimulatedKubelets} — a bound pod goes {@code Running} after
 *       {@link io.fairway.sandbox.kubelet.KubeletOptions#startDelay()}, then {@code Succeeded} (or {@code Failed})
 *       after its run time.</li>
 *   <li>{@link io.fairway.sandbox.kubelet.PodLifecycle} — the pod annotations that drive a simulated pod:
 *       {@value io.fairway.sandbox.kubelet.PodLifecycle#RUN_SECONDS} (seconds, decimal; absent: runs forever) and
 *       {@value io.fairway.sandbox.kubelet.PodLifecycle#EXIT_CODE} (non-zero: {@code Failed}).</li>
 * </ul>
 */
package io.fairway.sandbox.kubelet;
