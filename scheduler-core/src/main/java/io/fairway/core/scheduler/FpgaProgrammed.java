package io.fairway.core.scheduler;

import io.fairway.core.objects.Fpga;
import io.fairway.core.objects.Pod;

/**
 * A pod that names an FPGA function would rather have a node where the function is already programmed on as many free
 * regions as it asks (at least one) than one where a region must be reprogrammed.
 */
final class FpgaProgrammed implements NodePreference {
    static final FpgaProgrammed INSTANCE = new FpgaProgrammed();

    private FpgaProgrammed() {
    }

    @Override
    public String name() {
        return "FpgaProgrammed";
    }

    @Override
    public boolean applies(Pod pod) {
        return !pod.hints().fpgaFunction().isEmpty();
    }

    @Override
    public boolean prefers(Pod pod, NodeIndex.Entry node) {
        return node.programmedFree(pod.hints().fpgaFunction()) >= Math.max(1, regions(pod));
    }

    /** The regions of its function's interface the pod asks for. */
    static long regions(Pod pod) {
        return pod.requests().get(Fpga.region(pod.hints().fpgaInterface()));
    }
}
